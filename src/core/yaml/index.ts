export { DEFAULT_YAML_LIMITS, needsQuoting, parseYaml } from './parse-yaml.ts';
export type { ParsedYaml, YamlLimits } from './parse-yaml.ts';
export { YAML_RULES } from './rules.ts';
export type { YamlRule } from './rules.ts';
