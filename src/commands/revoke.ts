/**
 * The revoke use case (DESIGN.md "Flows: revoke"): for every key with deactivated or
 * compromised versions, ask the revocation gate (the same pure function verify re-checks the
 * PR with) and open one `rekey/revoke/<key-id>` PR destroying every version the gate lets go,
 * with the gate's verdicts as the PR's evidence. A closed gate writes nothing and says why.
 *
 * Evidence: the default branch's first-parent commits (from the checkout) and their
 * `rekey/distribution` statuses. Status reads are bounded: they start at the OLDEST commit
 * where a candidate key's active version became active (earlier commits cannot prove it),
 * go oldest first, and stop once every candidate key has a success at or after its own commit
 * (the gate uses the first such success), or after `maxStatusCalls`; commits not read count
 * as unproven, which closes the gate rather than opening it. Typically 1 call per run: the
 * distribution job records success on the commit that activated the successor.
 *
 * Calls: open PRs 1 + branch head 1 + statuses (bounded) + 6 per PR (see open-pull.ts).
 */
import type { Diagnostic } from '../core/diagnostics.ts';
import { gateEvidence, revocationGate } from '../core/lifecycle/revocation-gate.ts';
import type { HistoryIndex } from '../core/history/model.ts';
import { recognisePulls } from '../core/rekey-pulls.ts';
import type { FileTree } from '../core/snapshot.ts';
import { prepareRevocation } from './changes.ts';
import { validateTree } from './inspect.ts';
import { openChangePull, type PullFlowPorts } from './open-pull.ts';
import { REKEY_MARKER_PREFIX, type KeyResult } from './rotate.ts';
import {
  activeSince,
  DEFAULT_MAX_STATUS_CALLS,
  DISTRIBUTION_CONTEXT,
  readDistributionEvidence,
  trustedCreators,
} from './distribution-evidence.ts';

export type RevokePorts = PullFlowPorts;

export interface RevokeInput {
  readonly tree: FileTree;
  readonly sha: string;
  readonly history: HistoryIndex;
  /** First-parent commits of `sha`, oldest first, ending with `sha`. */
  readonly firstParent: readonly string[];
  readonly now: Date;
  readonly dryRun?: boolean;
  readonly run?: string;
  readonly maxStatusCalls?: number;
}

/** The gate's verdict on one version. */
export interface Verdict {
  readonly keyId: string;
  readonly version: number;
  readonly state: 'deactivated' | 'compromised';
  readonly open: boolean;
  readonly reason: string;
}

export type RevokeResult =
  | { readonly kind: 'invalid'; readonly diagnostics: readonly Diagnostic[] }
  | {
      readonly kind: 'superseded';
      readonly sha: string;
      readonly head: string | null;
      readonly keys: readonly KeyResult[];
    }
  | {
      readonly kind: 'applied' | 'dry-run';
      readonly verdicts: readonly Verdict[];
      readonly keys: readonly KeyResult[];
      /** `listStatuses` calls made, and whether the bound stopped the search. */
      readonly statusCalls: number;
      readonly bounded: boolean;
    };

export async function revoke(input: RevokeInput, ports: RevokePorts): Promise<RevokeResult> {
  const { tree, now } = input;
  const validation = validateTree(tree, now);
  if (validation.diagnostics.length > 0)
    return { kind: 'invalid', diagnostics: validation.diagnostics };
  const { snapshot } = validation;
  const defaultBranch = snapshot.pipeline['default-branch'];

  const candidates = new Map<string, { version: number; state: Verdict['state'] }[]>();
  for (const [id, key] of [...snapshot.keys].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const gone = key.value.versions
      .filter((v) => v.state === 'deactivated' || v.state === 'compromised')
      .map((v) => ({ version: v.version, state: v.state as Verdict['state'] }));
    if (gone.length > 0) candidates.set(id, gone);
  }
  const keys: KeyResult[] = [];
  if (candidates.size === 0)
    return {
      kind: input.dryRun ? 'dry-run' : 'applied',
      verdicts: [],
      keys,
      statusCalls: 0,
      bounded: false,
    };

  const open = new Map<string, number>();
  // Only PRs rekey made count: a copied marker on anyone else's PR does not hold a key back.
  const listed = await ports.pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
  for (const p of recognisePulls(listed, { authors: snapshot.pipeline['pull-authors'] }).rekey)
    if (!open.has(p.keyId)) open.set(p.keyId, p.number);
  for (const [id] of candidates)
    if (open.has(id)) {
      keys.push({
        outcome: 'unchanged',
        keyId: id,
        reason: `rekey PR #${open.get(id)} is open for this key`,
        pull: open.get(id)!,
      });
      candidates.delete(id);
    }

  const head = input.dryRun ? null : await ports.git.getBranchHead(defaultBranch);
  if (!input.dryRun && (head === null || head.commit !== input.sha)) {
    const why =
      head === null
        ? `the default branch ${defaultBranch} does not exist on GitHub`
        : `${defaultBranch} moved to ${head.commit.slice(0, 12)} after this run checked out ${input.sha.slice(0, 12)}; the next run decides on it`;
    return {
      kind: 'superseded',
      sha: input.sha,
      head: head?.commit ?? null,
      keys: [...candidates.keys()].map((keyId) => ({ outcome: 'superseded', keyId, reason: why })),
    };
  }

  const evidence = await readDistributionEvidence({
    firstParent: input.firstParent,
    since: activeSince(snapshot, input.history, candidates.keys()),
    statuses: ports.statuses,
    max: input.maxStatusCalls ?? DEFAULT_MAX_STATUS_CALLS,
    ...trustedCreators(snapshot.pipeline),
  });
  const gate = revocationGate(
    gateEvidence({
      base: snapshot,
      history: input.history,
      firstParent: evidence.records,
      now,
    }),
  );
  const verdicts: Verdict[] = [];
  for (const [keyId, versions] of candidates) {
    const mine = versions.map((v) => ({
      keyId,
      ...v,
      ...gate(keyId, v.version, { state: v.state }),
    }));
    verdicts.push(...mine);
    const ready = mine.filter((v) => v.open);
    const lines = mine.map(
      (v) => `v${v.version} (${v.state}): ${v.open ? 'may be destroyed' : 'kept'}: ${v.reason}`,
    );
    if (ready.length === 0) {
      keys.push({
        outcome: 'skipped',
        keyId,
        action: 'revoke',
        reason: `gate closed: ${lines.join('; ')}`,
      });
      continue;
    }
    if (input.dryRun || head === null) {
      keys.push({
        outcome: 'skipped',
        keyId,
        action: 'revoke',
        reason: `dry run; would revoke: ${lines.join('; ')}`,
      });
      continue;
    }
    const key = snapshot.keys.get(keyId)!.value;
    const change = prepareRevocation(
      tree,
      keyId,
      ready.map((v) => v.version),
      input.run ? { run: input.run } : {},
    );
    keys.push(
      await openChangePull(
        {
          change,
          key,
          policy: snapshot.policies.get(key.policy)!.value,
          base: head,
          defaultBranch,
          reason: `the revocation gate is open for ${ready.map((v) => `v${v.version}`).join(', ')}`,
          evidence: lines,
        },
        ports,
      ),
    );
  }
  return {
    kind: input.dryRun ? 'dry-run' : 'applied',
    verdicts,
    keys,
    statusCalls: evidence.calls,
    bounded: evidence.bounded,
  };
}

const cell = (s: string): string =>
  s.replace(/[\r\n]+/g, ' ').replace(/[|\\`<>]/g, (c) => `\\${c}`);

/** The job summary: the gate's verdict per version, then what was opened. */
export function renderRevokeSummary(r: RevokeResult): string {
  const out = ['## rekey revoke', ''];
  if (r.kind === 'invalid') {
    out.push(
      `The default branch is invalid (${r.diagnostics.length} findings); nothing was written.`,
    );
    for (const d of r.diagnostics)
      out.push(`- ${cell(`${d.file}:${d.line} ${d.rule}: ${d.message}`)}`);
    return `${out.join('\n')}\n`;
  }
  if (r.kind === 'superseded') {
    out.push(
      `Superseded: ${cell(r.keys[0]?.outcome === 'superseded' ? r.keys[0].reason : 'the default branch moved')}. Nothing was written.`,
    );
    return `${out.join('\n')}\n`;
  }
  if (r.kind === 'dry-run') out.push('Dry run: nothing was written.', '');
  out.push(
    `Read ${r.statusCalls} ${DISTRIBUTION_CONTEXT} status list${r.statusCalls === 1 ? '' : 's'}${r.bounded ? ' (stopped at the bound; later commits count as unproven)' : ''}.`,
    '',
    '| key | version | gate | reason |',
    '| --- | --- | --- | --- |',
    ...r.verdicts.map(
      (v) =>
        `| ${cell(v.keyId)} | v${v.version} (${v.state}) | ${v.open ? 'open' : 'closed'} | ${cell(v.reason)} |`,
    ),
    '',
    '| key | outcome | pull request |',
    '| --- | --- | --- |',
    ...r.keys.map(
      (k) =>
        `| ${cell(k.keyId)} | ${k.outcome} | ${'pull' in k && typeof k.pull === 'object' ? `[#${k.pull.number}](${k.pull.url})` : 'pull' in k && k.pull !== undefined ? `#${k.pull}` : ''} |`,
    ),
  );
  const problems = r.keys.flatMap((k) =>
    'errors' in k ? [...k.errors, ...k.warnings].map((w) => `- ${cell(`${k.keyId}: ${w}`)}`) : [],
  );
  if (problems.length > 0) out.push('', ...problems);
  return `${out.join('\n')}\n`;
}
