/**
 * The rotate use case (DESIGN.md "Flows: rotate" and "emergency"): the default branch as
 * checked out (tree, history, first-parent commits) in, one pull request per due key out.
 *
 * Order, and why:
 * 1. Validate the tree: an invalid default branch aborts; nothing is read from GitHub.
 * 2. Read the branch head (1 call). When it is not the checked-out commit the run is
 *    `superseded` and writes nothing: a later run plans on the newer commit (convergence).
 * 3. List open PRs carrying rekey's marker once (1 call per 100); only those rekey made count
 *    (src/core/rekey-pulls.ts: author, head repository, branch, label).
 * 4. Plan (budget, windows, open PRs), then per step prepare the change and open its PR
 *    through `openChangePull`, which adopts a branch another run created instead of
 *    duplicating it.
 *
 * A run where nothing is due makes 2 calls; a new rotation PR costs 6 more (see open-pull.ts).
 * Promotion reads `rekey/distribution` statuses first (bounded by `maxStatusCalls`).
 *
 * New material exists only inside `prepareRotation`/`prepareEmergency` and leaves encrypted.
 */
import type { Progress } from '../core/progress.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import type { KeyDocument, PolicyDocument } from '../core/formats/index.ts';
import type { HistoryIndex } from '../core/history/model.ts';
import { formatPlan } from '../core/plan/format-plan.ts';
import { plan as planRun } from '../core/plan/plan.ts';
import type { Plan, PromoteStep } from '../core/plan/steps.ts';
import type { StatusPort } from '../core/ports/github.ts';
import { recognisePulls } from '../core/rekey-pulls.ts';
import type { FileTree, ManifestSnapshot } from '../core/snapshot.ts';
import { parseSopsConfig, type SopsConfig } from '../core/sops-config.ts';
import {
  prepareEmergency,
  preparePromotion,
  prepareRotation,
  type ChangeAction,
  type ChangePorts,
} from './changes.ts';
import { validateTree } from './inspect.ts';
import { branchFor, openChangePull, type OpenPullResult, type PullFlowPorts } from './open-pull.ts';
import {
  DEFAULT_MAX_STATUS_CALLS,
  DISTRIBUTION_CONTEXT,
  readDistributionEvidence,
  trustedCreators,
} from './distribution-evidence.ts';

/** What `listOpenRekeyPulls` is given: the start of every rekey PR's hidden marker. */
export const REKEY_MARKER_PREFIX = '<!-- rekey:v1 ';

/** Status reads at most per run for promotion preconditions. */

export interface RotatePorts extends ChangePorts, PullFlowPorts {}

export interface EmergencyRequest {
  readonly key: string;
  readonly reason: string;
  readonly compromised: boolean;
}

export interface RotateInput {
  /** The default branch's files at `sha` (the checkout). */
  readonly tree: FileTree;
  readonly sha: string;
  /** The history index of `sha`'s first-parent line. */
  readonly history: HistoryIndex;
  /** First-parent commits of `sha`, oldest first, ending with `sha` (for promotions). */
  readonly firstParent: readonly string[];
  readonly now: Date;
  readonly dryRun?: boolean;
  /** Recorded as the `Rekey-Run` trailer (a workflow run URL). */
  readonly run?: string;
  /**
   * Keys labelled `rekey:halted`: ids, or `haltedKeys(issues)` (distribute/failures.ts) whose
   * issue links then appear in the skipped keys' reasons, or a loader of it, called only when
   * some key is due or the plan is printed (an emergency never needs it).
   */
  readonly halted?: readonly string[] | HaltedIssues | (() => Promise<HaltedIssues>);
  /** A dispatch with emergency inputs: only this key, on `rekey/emergency/<key>`. */
  readonly emergency?: EmergencyRequest;
  readonly maxStatusCalls?: number;
  /** Progress lines while keys are planned and their pull requests opened (core/progress.ts). */
  readonly progress?: Progress;
}

/** Halted keys with their failure issue, as `haltedKeys` returns them. */
export type HaltedIssues = ReadonlyMap<string, { readonly url: string }>;

async function haltedOf(
  halted: RotateInput['halted'],
  needed: () => boolean,
): Promise<{ ids: readonly string[]; issues?: HaltedIssues }> {
  if (halted === undefined) return { ids: [] };
  if (typeof halted === 'function') {
    if (!needed()) return { ids: [] };
    const issues = await halted();
    return { ids: [...issues.keys()], issues };
  }
  if (Array.isArray(halted)) return { ids: halted as readonly string[] };
  const issues = halted as HaltedIssues;
  return { ids: [...issues.keys()], issues };
}

/** What happened to one key. */
export type KeyResult =
  | Exclude<OpenPullResult, { outcome: 'skipped' }>
  | {
      readonly outcome: 'skipped';
      readonly keyId: string;
      readonly action?: ChangeAction;
      readonly reason: string;
      readonly pull?: number;
    }
  | {
      readonly outcome: 'unchanged';
      readonly keyId: string;
      readonly reason: string;
      readonly pull?: number;
    }
  | { readonly outcome: 'superseded'; readonly keyId: string; readonly reason: string };

export type RotateResult =
  | { readonly kind: 'invalid'; readonly diagnostics: readonly Diagnostic[] }
  | { readonly kind: 'dry-run'; readonly plan: Plan; readonly text: string }
  | {
      readonly kind: 'superseded';
      readonly sha: string;
      readonly head: string | null;
      readonly keys: readonly KeyResult[];
    }
  | {
      readonly kind: 'applied';
      readonly plan: Plan | undefined;
      readonly keys: readonly KeyResult[];
      readonly statusCalls: number;
    };

function sopsConfigOf(snapshot: ManifestSnapshot): SopsConfig {
  if (snapshot.sopsConfig === undefined)
    throw new Error('the default branch has no .sops.yaml: there are no recipients to encrypt to');
  const parsed = parseSopsConfig({
    file: snapshot.sopsConfig.file,
    value: snapshot.sopsConfig.value,
    locate: snapshot.sopsConfig.locate,
  });
  if (!parsed.config) throw new Error('.sops.yaml on the default branch is not usable');
  return parsed.config;
}

export async function rotate(input: RotateInput, ports: RotatePorts): Promise<RotateResult> {
  const { tree, now } = input;
  const validation = validateTree(tree, now);
  if (validation.diagnostics.length > 0)
    return { kind: 'invalid', diagnostics: validation.diagnostics };
  const { snapshot } = validation;
  const defaultBranch = snapshot.pipeline['default-branch'];
  const emergency = input.emergency;
  if (emergency && !snapshot.keys.has(emergency.key))
    throw new RangeError(`emergency: no key ${emergency.key} in keys-manifest/`);
  if (emergency && emergency.reason.trim() === '')
    throw new RangeError('emergency: a reason is required');

  // Only PRs rekey made count (author, same-repository branch, label): a copied marker on
  // anyone else's PR neither blocks a key nor spends max-open-prs.
  const listed = await ports.pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
  const openPulls = recognisePulls(listed, {
    authors: snapshot.pipeline['pull-authors'],
  }).rekey.map(({ keyId, kind, number }) => ({ keyId, kind, number }));
  const planWith = (halted: readonly string[]) =>
    planRun({ snapshot, history: input.history, openPulls, halted, now });
  // A loader of halted keys costs a call: made only when a key is due or the plan is shown.
  const firstPlan = emergency ? undefined : planWith([]);
  const { ids: halted, issues } = await haltedOf(
    input.halted,
    () => input.dryRun === true || (firstPlan?.steps.some((s) => s.kind !== 'ok') ?? false),
  );
  const haltedIssue = (keyId: string): string | undefined => issues?.get(keyId)?.url;
  const plan = emergency ? undefined : halted.length > 0 ? planWith(halted) : firstPlan;
  if (input.dryRun) {
    const p = plan ?? planWith(halted);
    const text = emergency
      ? `${formatPlan(p)}\nemergency (dry run): would open ${branchFor('emergency', emergency.key)} (${emergency.compromised ? 'active version marked compromised' : 'active version deactivated'})\n`
      : formatPlan(p);
    return { kind: 'dry-run', plan: p, text };
  }

  const head = await ports.git.getBranchHead(defaultBranch);
  if (head === null || head.commit !== input.sha) {
    const why =
      head === null
        ? `the default branch ${defaultBranch} does not exist on GitHub`
        : `${defaultBranch} moved to ${head.commit.slice(0, 12)} after this run checked out ${input.sha.slice(0, 12)}; the next run plans on it`;
    const ids = emergency ? [emergency.key] : [...snapshot.keys.keys()].sort();
    return {
      kind: 'superseded',
      sha: input.sha,
      head: head?.commit ?? null,
      keys: ids.map((keyId) => ({ outcome: 'superseded', keyId, reason: why })),
    };
  }

  const sopsConfig = sopsConfigOf(snapshot);
  const docs = (keyId: string): { key: KeyDocument; policy: PolicyDocument } => {
    const key = snapshot.keys.get(keyId)!.value;
    return { key, policy: snapshot.policies.get(key.policy)!.value };
  };
  const pullCtx = { base: head, defaultBranch };

  if (emergency) {
    const { key, policy } = docs(emergency.key);
    const change = await prepareEmergency(
      tree,
      emergency.key,
      {
        now,
        sopsConfig,
        reason: emergency.reason,
        compromised: emergency.compromised,
        ...(input.run ? { run: input.run } : {}),
      },
      ports,
    );
    const result = await openChangePull(
      {
        ...pullCtx,
        change,
        key,
        policy,
        reason: emergency.compromised
          ? 'emergency rotation: the active version is reported compromised'
          : 'emergency rotation requested by an operator',
        incident: emergency.reason,
      },
      ports,
    );
    return { kind: 'applied', plan: undefined, keys: [result], statusCalls: 0 };
  }

  const keys: KeyResult[] = [];
  const budget = { calls: 0, max: input.maxStatusCalls ?? DEFAULT_MAX_STATUS_CALLS };
  const progress = input.progress?.start('rotate', plan!.steps.length, 'keys');
  for (const [n, step] of plan!.steps.entries()) {
    progress?.at(n);
    const { keyId } = step;
    switch (step.kind) {
      case 'ok':
        keys.push({ outcome: 'unchanged', keyId, reason: `not due; next due ${step.nextDue}` });
        break;
      case 'skip':
        keys.push(
          step.cause === 'open-pull'
            ? { outcome: 'unchanged', keyId, reason: step.reason, pull: step.pull! }
            : {
                outcome: 'skipped',
                keyId,
                action: step.wanted,
                reason:
                  step.cause === 'halted' && haltedIssue(keyId)
                    ? `${step.reason}; see ${haltedIssue(keyId)}`
                    : step.reason,
              },
        );
        break;
      case 'rotate': {
        const { key, policy } = docs(keyId);
        const change = await prepareRotation(
          tree,
          keyId,
          {
            now,
            sopsConfig,
            prepublish: step.state === 'pre-activation',
            ...(input.run ? { run: input.run } : {}),
          },
          ports,
        );
        keys.push(
          await openChangePull({ ...pullCtx, change, key, policy, reason: step.reason }, ports),
        );
        break;
      }
      case 'promote': {
        const proven = await distributionProven(
          step,
          input.firstParent,
          ports.statuses,
          budget,
          trustedCreators(snapshot.pipeline).trusted,
        );
        if (!proven.ok) {
          keys.push({ outcome: 'skipped', keyId, action: 'promote', reason: proven.reason });
          break;
        }
        const { key, policy } = docs(keyId);
        const change = preparePromotion(tree, keyId, input.run ? { run: input.run } : {});
        keys.push(
          await openChangePull(
            { ...pullCtx, change, key, policy, reason: `${step.reason}; ${proven.reason}` },
            ports,
          ),
        );
        break;
      }
    }
  }
  progress?.at(plan!.steps.length);
  progress?.end();
  return { kind: 'applied', plan, keys, statusCalls: budget.calls };
}

/**
 * The promotion precondition: `rekey/distribution` = success on a first-parent commit at or
 * after the one where the version entered pre-activation, for every precondition. Commits past
 * the status-read budget count as unproven (the promotion waits).
 */
async function distributionProven(
  step: PromoteStep,
  firstParent: readonly string[],
  statuses: Pick<StatusPort, 'listStatuses'>,
  budget: { calls: number; max: number },
  trusted: readonly string[] | undefined,
): Promise<{ ok: boolean; reason: string }> {
  const proven: string[] = [];
  for (const pre of step.preconditions) {
    if (pre.since === undefined)
      return {
        ok: false,
        reason: `promotion due, but history does not show where v${pre.version} entered pre-activation, so its distribution cannot be proven`,
      };
    if (!firstParent.includes(pre.since))
      return {
        ok: false,
        reason: `promotion due, but commit ${pre.since.slice(0, 12)} is not on first-parent history`,
      };
    const evidence = await readDistributionEvidence({
      firstParent,
      since: new Map([[step.keyId, pre.since]]),
      statuses,
      max: budget.max,
      counter: budget,
      ...(trusted ? { trusted } : {}),
    });
    const at = evidence.provenAt.get(step.keyId);
    if (at === undefined)
      return {
        ok: false,
        reason: evidence.bounded
          ? `promotion due; the status read budget ran out before a ${DISTRIBUTION_CONTEXT} success was found`
          : `promotion due, but no ${DISTRIBUTION_CONTEXT} success at or after ${pre.since.slice(0, 12)}: v${pre.version} is not proven on every target`,
      };
    proven.push(`v${pre.version} proven distributed at ${at.slice(0, 12)}`);
  }
  return { ok: true, reason: proven.join('; ') || 'no precondition' };
}

/** The ids per outcome, for the action's outputs. */
export function outcomes(keys: readonly KeyResult[]): {
  created: string[];
  updated: string[];
  unchanged: string[];
  pulls: { key: string; outcome: string; number: number; url: string }[];
} {
  const pulls = keys.flatMap((k) =>
    'pull' in k && typeof k.pull === 'object'
      ? [{ key: k.keyId, outcome: k.outcome, number: k.pull.number, url: k.pull.url }]
      : [],
  );
  return {
    created: keys.filter((k) => k.outcome === 'created').map((k) => k.keyId),
    updated: keys.filter((k) => k.outcome === 'adopted').map((k) => k.keyId),
    unchanged: keys.filter((k) => k.outcome === 'unchanged').map((k) => k.keyId),
    pulls,
  };
}

const cell = (s: string): string =>
  s.replace(/[\r\n]+/g, ' ').replace(/[|\\`<>]/g, (c) => `\\${c}`);

/** The job summary: one row per key. Reasons and fingerprints only, never material. */
export function renderRotateSummary(title: string, r: RotateResult): string {
  const out = [`## ${title}`, ''];
  if (r.kind === 'invalid') {
    out.push(
      `The default branch is invalid (${r.diagnostics.length} finding${r.diagnostics.length === 1 ? '' : 's'}); nothing was written.`,
      '',
      '| where | rule | message |',
      '| --- | --- | --- |',
      ...r.diagnostics.map(
        (d) => `| ${cell(`${d.file}:${d.line}`)} | ${cell(d.rule)} | ${cell(d.message)} |`,
      ),
    );
    return `${out.join('\n')}\n`;
  }
  if (r.kind === 'dry-run') {
    out.push('Dry run: nothing was written.', '', '```', r.text.replace(/`/g, "'"), '```');
    return `${out.join('\n')}\n`;
  }
  out.push('| key | outcome | pull request | detail |', '| --- | --- | --- | --- |');
  for (const k of r.keys) {
    const pull =
      'pull' in k && typeof k.pull === 'object'
        ? `[#${k.pull.number}](${k.pull.url})`
        : 'pull' in k && typeof k.pull === 'number'
          ? `#${k.pull}`
          : '';
    const detail =
      'reason' in k
        ? k.reason
        : `${k.action} v${k.version}, fingerprint ${k.fingerprint}${[...k.errors, ...k.warnings].map((w) => `; ${w}`).join('')}`;
    out.push(`| ${cell(k.keyId)} | ${k.outcome} | ${pull} | ${cell(detail)} |`);
  }
  return `${out.join('\n')}\n`;
}
