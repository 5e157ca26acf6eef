/** `rekey plan --json`: `rekey.plan/v1`, the planner's steps as they are, or why there are none. */
import { z } from 'zod';
import type { Diagnostic } from '../diagnostics.ts';
import type { Plan } from '../plan/steps.ts';
import { diagnosticJson, diagnosticsJson, envelope } from './common.ts';

const time = z.string().describe('ISO 8601, UTC.');
const base = {
  keyId: z.string(),
  policy: z.string(),
  reason: z.string().describe('One sentence a reviewer can check.'),
  notes: z.array(z.string()).describe('Caveats, such as an age taken from `created`.'),
};
const step = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('rotate'),
    ...base,
    version: z.number().int(),
    state: z.enum(['active', 'pre-activation']),
    replaces: z.number().int().optional(),
    due: time,
    overdue: z.boolean(),
  }),
  z.object({
    kind: z.literal('promote'),
    ...base,
    version: z.number().int(),
    replaces: z.number().int().optional(),
    due: time,
    overdue: z.boolean(),
    preconditions: z.array(
      z.object({
        kind: z.literal('distribution-proven'),
        version: z.number().int(),
        since: z.string().optional(),
      }),
    ),
  }),
  z.object({
    kind: z.literal('skip'),
    ...base,
    wanted: z.enum(['rotate', 'promote']),
    cause: z.enum(['halted', 'open-pull', 'outside-window', 'budget']),
    due: time,
    overdue: z.boolean(),
    pull: z.number().int().optional(),
    nextWindow: time.optional(),
  }),
  z.object({ kind: z.literal('ok'), ...base, nextDue: time, overdue: z.boolean() }),
]);

const planned = z.object({
  ...envelope('plan'),
  ok: z.literal(true),
  now: time,
  steps: z.array(step).describe('One step per key, ordered by key id.'),
  overdue: z.array(z.string()).describe('Keys past their cryptoperiod.'),
  budget: z.object({
    max: z.number().int(),
    open: z.number().int(),
    planned: z.number().int(),
  }),
  diagnostics: z.array(diagnosticJson).describe('Always empty when ok.'),
});
const invalid = z.object({
  ...envelope('plan'),
  ok: z.literal(false),
  diagnostics: z.array(diagnosticJson).describe('Why the manifest is invalid; nothing is planned.'),
});

export const planReportSchema = z.discriminatedUnion('ok', [planned, invalid]);
export type PlanReport = z.infer<typeof planReportSchema>;

const head = { schema: 'rekey.plan/v1', rekey: 1, command: 'plan' } as const;

export function planReport(
  outcome:
    { kind: 'planned'; plan: Plan } | { kind: 'invalid'; diagnostics: readonly Diagnostic[] },
): PlanReport {
  if (outcome.kind === 'invalid')
    return { ...head, ok: false, diagnostics: diagnosticsJson(outcome.diagnostics) };
  const p = outcome.plan;
  return {
    ...head,
    ok: true,
    now: p.now,
    steps: p.steps.map((s) =>
      s.kind === 'promote'
        ? { ...s, notes: [...s.notes], preconditions: s.preconditions.map((c) => ({ ...c })) }
        : { ...s, notes: [...s.notes] },
    ),
    overdue: [...p.overdue],
    budget: { ...p.budget },
    diagnostics: [],
  };
}
