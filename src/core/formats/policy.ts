import { z } from 'zod';
import { DURATION_PATTERN, durationMs } from '../duration.ts';
import { githubHandle } from './key.ts';

export const duration = z
  .string()
  .regex(DURATION_PATTERN, 'expected an integer and one of m h d w, like 90d');

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const window = z.strictObject({
  days: z.array(z.enum(WEEKDAYS)).min(1).max(7),
  hours: z
    .string()
    .regex(
      /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/,
      'expected HH:MM-HH:MM, like 09:00-16:00',
    )
    .refine((h) => h.slice(0, 5) < h.slice(6), 'the window must end after it starts'),
  timezone: z.string().refine(isTimeZone, 'expected an IANA time zone like Europe/Berlin'),
});
export type RotationWindow = z.infer<typeof window>;

export const policyDocument = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
    description: z.string().max(1000).optional(),
    cryptoperiod: duration,
    'rotate-before': duration,
    grace: duration,
    prepublish: duration.default('0d'),
    approvals: z.int().min(1).max(10),
    reviewers: z.array(githubHandle).max(15).default([]),
    window: window.optional(),
    /**
     * The revocation gate opens only after every probe of the key confirmed its successor
     * (docs/targets.md "Probes"): a probe that does not confirm the active version fails the
     * key's distribution (retried within the budget), and a key without a probe is never
     * revoked. false: probe results are recorded in the evidence only.
     */
    'require-probes': z.boolean().default(false),
    emergency: z
      .strictObject({
        reviewers: z.array(githubHandle).min(1).max(15),
        approvals: z.int().min(1).max(10),
      })
      .optional(),
  })
  .superRefine((p, ctx) => {
    if (durationMs(p.cryptoperiod) <= 0)
      ctx.addIssue({
        code: 'custom',
        path: ['cryptoperiod'],
        message: 'cryptoperiod must be longer than 0',
      });
    if (durationMs(p['rotate-before']) >= durationMs(p.cryptoperiod))
      ctx.addIssue({
        code: 'custom',
        path: ['rotate-before'],
        message: 'rotate-before must be shorter than cryptoperiod',
      });
    if (durationMs(p.prepublish) >= durationMs(p['rotate-before']) && durationMs(p.prepublish) > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['prepublish'],
        message:
          'prepublish must be shorter than rotate-before, or the active version outlives its cryptoperiod',
      });
  });
export type PolicyDocument = z.infer<typeof policyDocument>;

const login = z
  .string()
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/,
    'expected a GitHub login, like my-rekey-app[bot]',
  );
const logins = z.array(login).min(1).max(20).optional();

export const pipelineDocument = z.strictObject({
  'default-branch': z
    .string()
    .regex(/^[A-Za-z0-9._/-]{1,255}$/)
    .default('main'),
  /** Upper bound on open rekey PRs; a scheduled run opens no more than this. */
  'max-open-prs': z.int().min(1).max(100).default(10),
  /** Failed distribution runs a key may accumulate before it is halted. */
  'retry-budget': z.int().min(0).max(20).default(3),
  /** How long a distribution lease is honoured without renewal. */
  'lease-ttl': duration.default('30m'),
  /**
   * GitHub logins whose `rekey/distribution` statuses count as evidence (the distribution App's
   * `<slug>[bot]`). Unset: any writer's status counts, and `rekey doctor` warns.
   */
  'status-creators': logins,
  /**
   * GitHub logins that open rekey's pull requests (the rotation App's `<slug>[bot]`). A PR
   * counts as rekey's only when its author is one of them; unset: any author (the other
   * checks still apply: head branch in this repository, `rekey/<action>/<key-id>`, the
   * `rekey` label), and `rekey doctor` warns. verify refuses a new version in a PR by anyone
   * else unless `manual-rotation` is true.
   */
  'pull-authors': logins,
  /**
   * A weaker mode: verify accepts a new version of an existing key in a PR a person opened
   * (material that person generated and may know). The BASE branch's value decides.
   */
  'manual-rotation': z.boolean().default(false),
});
export type PipelineDocument = z.infer<typeof pipelineDocument>;
