/**
 * The demo's last step: the audit report over the sandbox repository's history, written to
 * the output folder with the `audit` command's renderers.
 *
 * PENDING: the `audit` command (src/commands/audit.ts) has not landed yet. Until it does,
 * this step says so and writes nothing.
 */
import type { Sandbox } from './sandbox.ts';

export type AuditRun =
  | { readonly available: false; readonly why: string }
  | {
      readonly available: true;
      readonly files: readonly string[];
      readonly lines: readonly string[];
    };

export const AUDIT_UNAVAILABLE = 'the audit command (src/commands/audit.ts) is not available yet';

export async function writeAuditReport(
  _sb: Sandbox,
  _outDir: string | undefined,
  _now: Date,
): Promise<AuditRun> {
  return { available: false, why: AUDIT_UNAVAILABLE };
}
