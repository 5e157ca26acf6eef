/**
 * `rekey audit --json` and audit.json: `rekey.audit/v1`, the typed AuditReport as it is
 * (core/audit/model.ts). It predates the other reports' envelope, so it has `schema` but no
 * `rekey`/`command`/`ok`: `ok` is `findings.length === 0`, which is also the exit code.
 */
import { z } from 'zod';
import { KEY_STATES } from '../formats/key.ts';

const time = z.string().describe('ISO 8601, UTC.');
const commit = z.object({
  sha: z.string(),
  time,
  url: z.string().optional(),
});
const pullRef = { number: z.number().int(), url: z.string() };

export const auditReportSchema = z.object({
  schema: z.literal('rekey.audit/v1').describe('The shape and its major version.'),
  generatedAt: time,
  repository: z.string().optional().describe('owner/name, when known.'),
  ref: z.string(),
  head: z.string().optional().describe('The commit the ref resolved to.'),
  since: time.optional(),
  manifestCommits: z.number().int().min(0),
  github: z.object({
    enriched: z.boolean().describe('True when GitHub was read (a token and a repository).'),
    calls: z.number().int().min(0),
    budget: z.number().int().min(0),
    notChecked: z.array(z.string()).describe('Checks that could not be made, and why.'),
  }),
  keys: z.array(
    z.object({
      key: z.string(),
      policy: z
        .object({
          name: z.string(),
          cryptoperiod: z.string(),
          grace: z.string(),
          approvals: z.number().int(),
          emergencyApprovals: z.number().int().optional(),
        })
        .optional(),
      removed: commit.optional().describe('Set when key.yaml was deleted.'),
      versions: z.array(
        z.object({
          version: z.number().int(),
          state: z.enum(KEY_STATES),
          events: z.array(
            z.object({
              kind: z.enum([...KEY_STATES, 'material-written', 'material-deleted']),
              commit,
              pull: z
                .object({
                  ...pullRef,
                  title: z.string(),
                  author: z.string(),
                  mergedBy: z.string().nullable(),
                  approvedBy: z.array(z.string()),
                })
                .optional(),
            }),
          ),
          active: z.object({ from: time, until: time.optional() }).optional(),
        }),
      ),
    }),
  ),
  findings: z.array(
    z.object({
      rule: z.string().describe('Stable rule id (audit/name); docs/audit.md lists them.'),
      severity: z.enum(['high', 'medium', 'review']),
      key: z.string().optional(),
      version: z.number().int().optional(),
      commits: z.array(commit),
      pull: z.object(pullRef).optional(),
      message: z.string(),
      ongoing: z.boolean().optional(),
    }),
  ),
});
