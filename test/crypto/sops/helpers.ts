/** Small builders for codec tests: fresh age identities and creation rules from YAML text. */
import { generateIdentity, identityToRecipient } from 'age-encryption';
import YAML from 'yaml';
import type { CreationRule } from '../../../src/core/sops-config.ts';
import { parseSopsConfig } from '../../../src/core/sops-config.ts';

export interface TestIdentity {
  readonly identity: string;
  readonly recipient: string;
}

export async function newIdentity(): Promise<TestIdentity> {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/** The first creation rule of a `.sops.yaml` text; throws with the diagnostics if invalid. */
export function ruleFrom(yamlText: string): CreationRule {
  const { config, diagnostics } = parseSopsConfig('.sops.yaml', YAML.parse(yamlText));
  const rule = config?.creationRules[0];
  if (!rule) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return rule;
}

export const materialRule = (recipients: readonly string[], extra = ''): CreationRule =>
  ruleFrom(
    `creation_rules:\n  - path_regex: ^keys-manifest/\n    encrypted_regex: ^secret$\n    age: ${recipients.join(',')}\n${extra}`,
  );

export const NOW = new Date('2026-11-22T04:05:06.789Z');
export const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
export const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');
