/** `rekey verify --json`: `rekey.verify/v1`, the change's kind per key and every violation. */
import { z } from 'zod';
import { KEY_STATES } from '../formats/key.ts';
import type { VerifyResult } from '../verify/verify-change.ts';
import { diagnosticJson, diagnosticsJson, envelope } from './common.ts';

const state = z.enum(KEY_STATES);

export const verifyReportSchema = z.object({
  ...envelope('verify'),
  base: z.string().describe('The base ref as given.'),
  head: z.string().describe('The head ref as given, or "working tree".'),
  kind: z
    .string()
    .describe(
      'The change as a whole: none, rotation, promotion, revocation, emergency, new-key, configuration, pipeline-code, rewrap, mixed (new kinds may be added within v1).',
    ),
  keys: z
    .array(
      z.object({
        keyId: z.string(),
        kinds: z.array(z.string()).describe('What the change does to this key, sorted.'),
        moves: z.array(
          z.object({
            version: z.number().int(),
            from: state.nullable().describe('null: the version is new.'),
            to: state.nullable().describe('null: the entry was removed.'),
          }),
        ),
        configuration: z
          .array(z.string())
          .describe('key.yaml fields other than versions that changed.'),
      }),
    )
    .describe('Per changed key, sorted by key id.'),
  configuration: z.array(z.string()).describe('Changed policy files and .sops.yaml, sorted.'),
  diagnostics: z.array(diagnosticJson),
});
export type VerifyReport = z.infer<typeof verifyReportSchema>;

export function verifyReport(base: string, head: string, r: VerifyResult): VerifyReport {
  return {
    schema: 'rekey.verify/v1',
    rekey: 1,
    command: 'verify',
    ok: r.diagnostics.length === 0,
    base,
    head,
    kind: r.kind,
    keys: r.keys.map((k) => ({
      keyId: k.keyId,
      kinds: [...k.kinds],
      moves: k.moves.map((m) => ({ version: m.version, from: m.from ?? null, to: m.to ?? null })),
      configuration: [...k.configuration],
    })),
    configuration: [...r.configuration],
    diagnostics: diagnosticsJson(r.diagnostics),
  };
}
