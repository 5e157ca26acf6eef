/**
 * The dashboard use case: the default branch as checked out, the open rekey PRs and the halted
 * keys in; one issue (found by its marker, labels `rekey:dashboard` + `rekey`) created once
 * and afterwards updated only when its text changes. `ensureIssue` compares title, body and
 * labels, so a run that finds nothing new makes no write and reports `unchanged`; the body
 * is deterministic (src/core/dashboard/render.ts) so that comparison means something.
 *
 * REST calls: open rekey PRs (1 per 100), halted keys (1 per 100 halted issues), the
 * dashboard issue (1 per 100 open dashboard-labelled issues), plus 1 when it is created or
 * changed. Nothing else is written.
 */
import {
  DASHBOARD_LABELS,
  DASHBOARD_MARKER,
  renderDashboard,
  renderInvalidDashboard,
  type DashboardContent,
  type DashboardPull,
  type HaltedKey,
} from '../core/dashboard/render.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import type { HistoryIndex } from '../core/history/model.ts';
import { plan as planRun } from '../core/plan/plan.ts';
import type { IssuesPort, PullsPort, TrackedIssue } from '../core/ports/github.ts';
import { recognisePulls } from '../core/rekey-pulls.ts';
import type { FileTree } from '../core/snapshot.ts';
import { failureMarker } from './distribute/failures.ts';
import { validateTree } from './inspect.ts';
import { REKEY_MARKER_PREFIX } from './rotate.ts';

export interface DashboardPorts {
  readonly pulls: Pick<PullsPort, 'listOpenRekeyPulls'>;
  readonly issues: Pick<IssuesPort, 'ensureIssue'>;
  /** Halted keys and why: `() => haltedKeys(issues)` from src/commands/distribute/failures.ts. */
  readonly halted: () => Promise<ReadonlyMap<string, HaltedKey>>;
  /**
   * Open distribution-failure issues (label `rekey:distribution-failed`): their keys get a
   * "retry now" box. Omitted: no retry boxes. 1 call per 100 such issues.
   */
  readonly failures?: () => Promise<readonly TrackedIssue[]>;
}

export interface DashboardInput {
  /** The default branch's files (the checkout). */
  readonly tree: FileTree;
  /** Its first-parent history: ages come from when each version became active. */
  readonly history?: HistoryIndex;
  readonly now: Date;
  /** Render only; write nothing. */
  readonly dryRun?: boolean;
}

export type DashboardResult = DashboardContent & {
  /** Problems of the manifest when it does not load (the dashboard then shows them). */
  readonly diagnostics: readonly Diagnostic[];
  readonly issue?: {
    readonly number: number;
    readonly url: string;
    readonly result: 'created' | 'updated' | 'unchanged';
  };
};

export async function updateDashboard(
  input: DashboardInput,
  ports: DashboardPorts,
): Promise<DashboardResult> {
  const validation = validateTree(input.tree, input.now);
  const halted = await ports.halted();
  let content: DashboardContent;
  if (validation.diagnostics.length > 0) {
    content = renderInvalidDashboard(validation.diagnostics, halted);
  } else {
    const listed = await ports.pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    const { rekey, claiming } = recognisePulls(listed, {
      authors: validation.snapshot.pipeline['pull-authors'],
    });
    const pulls: DashboardPull[] = rekey.map(({ keyId, kind, number, url }) => ({
      keyId,
      kind,
      number,
      url,
    }));
    const plan = planRun({
      snapshot: validation.snapshot,
      ...(input.history ? { history: input.history } : {}),
      openPulls: pulls,
      halted: [...halted.keys()],
      now: input.now,
    });
    const failures = ports.failures ? await ports.failures() : [];
    const failed = new Set(
      [...validation.snapshot.keys.keys()].filter(
        (id) => !halted.has(id) && failures.some((i) => i.body.includes(failureMarker(id))),
      ),
    );
    content = renderDashboard({
      snapshot: validation.snapshot,
      failed,
      plan,
      ...(input.history ? { history: input.history } : {}),
      pulls,
      claiming,
      halted,
      now: input.now,
    });
  }
  const base = { ...content, diagnostics: validation.diagnostics };
  if (input.dryRun) return base;
  const issue = await ports.issues.ensureIssue({
    marker: DASHBOARD_MARKER,
    title: content.title,
    body: content.body,
    labels: [...DASHBOARD_LABELS],
  });
  return { ...base, issue };
}
