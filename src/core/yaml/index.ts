export { DEFAULT_YAML_LIMITS, needsQuoting, parseYaml } from './parse-yaml.ts';
export type {
  ParsedYaml,
  ParsedYamlWithEvents,
  ParseYamlOptions,
  YamlLimits,
} from './parse-yaml.ts';
export { YAML_RULES } from './rules.ts';
export type { YamlRule } from './rules.ts';
