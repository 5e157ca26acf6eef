/**
 * The verify use case (DESIGN.md "Flows: verify"): the required status check on a pull
 * request. Compares the head tree with the base tree through `verifySides` (formats, lifecycle,
 * policy, recipients from the BASE branch's `.sops.yaml`, the plaintext scan) and, only when
 * the change destroys a version, gathers the revocation gate's evidence: the base branch's
 * first-parent history and the `rekey/distribution` statuses on it.
 *
 * Fail closed: when the evidence cannot be gathered (a shallow clone, a GitHub error, no
 * token), the gate is left out and `verifySides` refuses every revocation as
 * `lifecycle/revocation-gate-unchecked`; the reason is returned in `gate.error`. Status reads
 * are bounded by `maxStatusCalls`; commits beyond the bound count as having no status, which
 * closes the gate rather than opening it.
 */
import { sortDiagnostics, type Diagnostic } from '../core/diagnostics.ts';
import type { HistoryIndex } from '../core/history/model.ts';
import type { ChangeKind } from '../core/lifecycle/classify.ts';
import {
  gateEvidence,
  revocationGate,
  type DistributionRecord,
} from '../core/lifecycle/revocation-gate.ts';
import type { KeyChange } from '../core/lifecycle/change.ts';
import type { StatusPort } from '../core/ports/github.ts';
import type { FileTree, ManifestSnapshot } from '../core/snapshot.ts';
import { removalsOnMerge } from '../core/targets/removals.ts';
import {
  changeScope,
  checkScope,
  scopesTouched,
  type ChangeScope,
} from '../core/verify/change-scope.ts';
import {
  addedVersions,
  checkProvenance,
  provenanceApplies,
  type MaterialCommit,
} from '../core/verify/provenance.ts';
import { checkRewrap } from '../core/verify/rewrap.ts';
import { loadSides, verifySides, type LoadedSides } from '../core/verify/verify-trees.ts';
import {
  activeSince,
  DEFAULT_MAX_STATUS_CALLS,
  DISTRIBUTION_CONTEXT,
  readDistributionEvidence,
  trustedCreators,
} from './distribution-evidence.ts';

/** One side of the pull request: the commit and the files rekey reads at it. */
export interface PullSide {
  readonly sha: string;
  readonly tree: FileTree;
}

/** What the gate needs from git and GitHub; asked for only when a version is destroyed. */
export interface GateEvidencePorts {
  /** The manifest's history index on `baseSha`'s first-parent line. */
  readonly history: (baseSha: string) => Promise<HistoryIndex>;
  /** The first-parent commits of `baseSha`, oldest first, ending with `baseSha`. */
  readonly firstParent: (baseSha: string) => Promise<readonly string[]>;
  /** Absent (no token): the gate stays unchecked. */
  readonly statuses?: Pick<StatusPort, 'listStatuses'> | undefined;
  /**
   * The pull request's commits that wrote each of `files` (git log base..head), for the
   * provenance check; asked only when a version is added and the base branch pins
   * `pull-authors`. Absent: only the PR author is checked.
   */
  readonly materialCommits?:
    | ((files: readonly string[]) => Promise<ReadonlyMap<string, readonly MaterialCommit[]>>)
    | undefined;
}

export interface GateReport {
  /** Versions the change destroys (base state deactivated or compromised). */
  readonly destroyed: readonly { keyId: string; version: number }[];
  /** `listStatuses` calls made (each reads one commit's `rekey/distribution` statuses). */
  readonly statusCalls: number;
  /** True when the bound stopped the search before every key had its evidence. */
  readonly bounded: boolean;
  /** The gate's verdict per destroyed version, with its reason (evidence found or missing). */
  readonly verdicts: readonly { keyId: string; version: number; open: boolean; reason: string }[];
  /** Why the evidence could not be gathered; the gate was then left unchecked. */
  readonly error?: string;
}

export interface VerifyPullResult {
  /**
   * The manifest classification, widened by the scope: `pipeline-code` for a change that
   * touches pipeline code and nothing rekey classifies otherwise, `mixed` when it does both.
   */
  readonly kind: ChangeKind;
  /** Every changed path by what it is (src/core/verify/change-scope.ts). */
  readonly scope: ChangeScope;
  readonly keys: readonly KeyChange[];
  readonly configuration: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  /** Undefined when the change destroys nothing (no evidence was read). */
  readonly gate: GateReport | undefined;
  /** What distribution will remove after the merge: targets no key claims any more. */
  readonly removals?: readonly string[];
}

export interface VerifyPullInput {
  readonly base: PullSide;
  readonly head: PullSide;
  readonly now: Date;
  /**
   * Every path the change touches (`git diff --name-only base head`), pipeline code included.
   * Absent: the paths the two trees differ in (the trees hold only the manifest, policies
   * and .sops.yaml, so pipeline code is then not seen).
   */
  readonly changedPaths?: readonly string[];
  /**
   * The pull request's author (event payload `pull_request.user.login`), for the provenance
   * check (src/core/verify/provenance.ts); null: unknown, refused when the check applies.
   * Undefined: no pull request (a local comparison), the check is not made.
   */
  readonly author?: string | null;
  /** The pull request's head branch; `rekey/rewrap` must carry a pure re-wrap only. */
  readonly headRef?: string;
}

export async function verifyPull(
  input: VerifyPullInput,
  ports: GateEvidencePorts,
  opts: { readonly maxStatusCalls?: number } = {},
): Promise<VerifyPullResult> {
  const paths = input.changedPaths ?? treeChanges(input.base.tree, input.head.tree);
  const scope = changeScope(paths);
  // Both trees loaded once, each unchanged file parsed once; every step below reads these.
  const sides = loadSides(input.base.tree, input.head.tree);
  const found = await verifyManifest(input, sides, ports, opts);
  const rewrap = checkRewrap({
    ...input,
    base: input.base.tree,
    head: input.head.tree,
    changedPaths: paths,
    kind: found.kind,
  });
  const keysOf = (s: ManifestSnapshot) => [...s.keys.values()].map((k) => k.value);
  const removals = removalsOnMerge(keysOf(sides.base.snapshot), keysOf(sides.head.snapshot));
  const kind: ChangeKind =
    scope['pipeline-code'].length === 0
      ? found.kind
      : found.kind === 'none'
        ? 'pipeline-code'
        : 'mixed';
  return {
    ...found,
    kind,
    scope,
    removals,
    diagnostics: sortDiagnostics([
      ...found.diagnostics,
      ...checkScope(scope),
      // compareSides judged the manifest trees; this adds what only the PR shows (its
      // branch, pipeline code), without repeating a finding.
      ...rewrap.diagnostics.filter(
        (d) => !found.diagnostics.some((f) => f.rule === d.rule && f.file === d.file),
      ),
      ...(await provenance(input, sides, found.keys, ports)),
    ]),
  };
}

/** `change/manual-rotation` findings; the BASE branch's pipeline.yaml decides. */
async function provenance(
  input: VerifyPullInput,
  sides: LoadedSides,
  keys: readonly KeyChange[],
  ports: GateEvidencePorts,
): Promise<Diagnostic[]> {
  if (input.author === undefined) return [];
  const base = sides.base.snapshot;
  if (!provenanceApplies(base)) return [];
  const added = addedVersions(keys, base);
  if (added.length === 0) return [];
  const commits = ports.materialCommits
    ? await ports.materialCommits(added.map((a) => a.file))
    : new Map<string, readonly MaterialCommit[]>();
  return checkProvenance({
    base,
    head: sides.head.snapshot,
    keys,
    author: input.author,
    commits,
  });
}

/** Paths added, removed or changed between two trees. */
function treeChanges(base: FileTree, head: FileTree): string[] {
  const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
    a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;
  return [...new Set([...base.keys(), ...head.keys()])].filter(
    (p) => !same(base.get(p), head.get(p)),
  );
}

async function verifyManifest(
  input: VerifyPullInput,
  sides: LoadedSides,
  ports: GateEvidencePorts,
  opts: { readonly maxStatusCalls?: number },
): Promise<Omit<VerifyPullResult, 'scope'>> {
  const { base, now } = input;
  // First pass without a gate: cheap, pure, and tells whether evidence is needed at all.
  const first = verifySides(sides, { now });
  const destroyed = first.keys.flatMap((k) =>
    k.moves
      .filter((m) => m.to === 'destroyed' && (m.from === 'deactivated' || m.from === 'compromised'))
      .map((m) => ({
        keyId: k.keyId,
        version: m.version,
        state: m.from as 'deactivated' | 'compromised',
      })),
  );
  const versions = destroyed.map(({ keyId, version }) => ({ keyId, version }));
  if (destroyed.length === 0) return { ...first, gate: undefined };

  const baseSnapshot = sides.base.snapshot;
  const counter = { calls: 0 };
  let evidence: {
    firstParent: DistributionRecord[];
    history: HistoryIndex;
    bounded: boolean;
  };
  try {
    if (ports.statuses === undefined)
      throw new Error('no token to read rekey/distribution commit statuses');
    evidence = await gather(
      base.sha,
      destroyed.map((d) => d.keyId),
      baseSnapshot,
      { ...ports, statuses: ports.statuses },
      opts.maxStatusCalls ?? DEFAULT_MAX_STATUS_CALLS,
      counter,
    );
  } catch (e) {
    // Fail closed: no gate, so verifySides refuses each revocation as unchecked.
    return {
      ...first,
      gate: {
        destroyed: versions,
        statusCalls: counter.calls,
        bounded: false,
        verdicts: [],
        error: e instanceof Error ? e.message : String(e),
      },
    };
  }
  const gate = revocationGate(
    gateEvidence({
      base: baseSnapshot,
      history: evidence.history,
      firstParent: evidence.firstParent,
      now,
    }),
  );
  const result = verifySides(sides, { now, gate });
  return {
    ...result,
    gate: {
      destroyed: versions,
      statusCalls: counter.calls,
      bounded: evidence.bounded,
      verdicts: destroyed.map(({ keyId, version, state }) => ({
        keyId,
        version,
        ...gate(keyId, version, { state }),
      })),
    },
  };
}

/** The history, the first-parent line of the base and the statuses on it that the gate needs. */
async function gather(
  baseSha: string,
  keyIds: readonly string[],
  base: ManifestSnapshot,
  ports: Required<Pick<GateEvidencePorts, 'history' | 'firstParent'>> & {
    statuses: Pick<StatusPort, 'listStatuses'>;
  },
  max: number,
  counter: { calls: number },
): Promise<{ firstParent: DistributionRecord[]; history: HistoryIndex; bounded: boolean }> {
  const [history, shas] = await Promise.all([ports.history(baseSha), ports.firstParent(baseSha)]);
  if (shas[shas.length - 1] !== baseSha)
    throw new Error(`the first-parent history does not end at the base commit ${baseSha}`);
  // Keys without a successor on first-parent history are left to the gate to refuse.
  const evidence = await readDistributionEvidence({
    firstParent: shas,
    since: activeSince(base, history, keyIds),
    statuses: ports.statuses,
    max,
    counter,
    // The base branch's pin, never the PR's: a PR cannot widen who may prove distribution.
    ...trustedCreators(base.pipeline),
  });
  return { firstParent: evidence.records, history, bounded: evidence.bounded };
}

/** How the entrypoint chose the trees, for the summary. */
export interface SummaryContext {
  readonly base: string;
  readonly head: string;
  /** `merge`: GitHub's test merge commit of the PR; `head`: the PR's head commit. */
  readonly headKind: 'merge' | 'head';
}

const SCOPE_WORDS = {
  manifest: 'key manifest',
  configuration: 'configuration',
  'pipeline-code': 'pipeline code',
  other: 'other files',
} as const;

const cell = (s: string): string =>
  s.replace(/[\r\n]+/g, ' ').replace(/[|\\`<>]/g, (c) => `\\${c}`);
const code = (s: string): string => `\`${s.replace(/[`\r\n]/g, '')}\``;

/**
 * The job summary in Markdown: the classification, per-key moves, the gate's evidence and a
 * table of violations. It prints rule ids, locations and messages (which name where, never
 * what: diagnostics never quote file contents), never a file's contents.
 */
export function renderVerifySummary(r: VerifyPullResult, at: SummaryContext): string {
  const out: string[] = [];
  const n = r.diagnostics.length;
  out.push(`## rekey verify: ${n === 0 ? 'passed' : `${n} violation${n === 1 ? '' : 's'}`}`, '');
  out.push(
    `Change ${code(at.base.slice(0, 12))}..${code(at.head.slice(0, 12))} ` +
      `(${at.headKind === 'merge' ? 'the merge of the pull request into its base' : 'the pull request head'}): **${r.kind}**`,
    '',
  );
  const touched = scopesTouched(r.scope);
  if (touched.length > 0)
    out.push(
      `Touches: ${touched.map((t) => `**${SCOPE_WORDS[t]}** (${r.scope[t].length} file${r.scope[t].length === 1 ? '' : 's'})`).join(', ')}.`,
      '',
    );
  if (r.scope['pipeline-code'].length > 0)
    out.push(
      `Pipeline code changes (${r.scope['pipeline-code'].slice(0, 20).map(code).join(', ')}${r.scope['pipeline-code'].length > 20 ? ', …' : ''}): this code runs at the next distribution with the decryption identity and a secrets-writing token; review it as you would key material.`,
      '',
    );
  if (r.keys.length > 0 || r.configuration.length > 0) {
    out.push('| key | change | versions |', '| --- | --- | --- |');
    for (const k of r.keys) {
      const moves = k.moves.map((m) => `v${m.version} ${m.from ?? 'new'} → ${m.to ?? 'removed'}`);
      out.push(
        `| ${cell(k.keyId)} | ${cell(k.kinds.join(', ') || 'no effect')} | ${cell(moves.join(', ') || (k.configuration.length > 0 ? `edits ${k.configuration.join(', ')}` : ''))} |`,
      );
    }
    for (const f of r.configuration) out.push(`| ${cell(f)} | configuration | |`);
    out.push('');
  }
  if (r.removals !== undefined && r.removals.length > 0)
    out.push(
      'After the merge, distribution removes:',
      '',
      ...r.removals.map((l) => `- ${cell(l)}`),
      '',
    );
  if (r.gate !== undefined) {
    const g = r.gate;
    const what = g.destroyed.map((d) => `${d.keyId} v${d.version}`).join(', ');
    out.push(
      g.error !== undefined
        ? `Revocation gate for ${cell(what)}: **unchecked**: ${cell(g.error)}. Destroying is refused (fail closed).`
        : `Revocation gate for ${cell(what)}: read ${g.statusCalls} commit status list${g.statusCalls === 1 ? '' : 's'} (${DISTRIBUTION_CONTEXT})${g.bounded ? '; stopped at the bound, later commits count as unproven' : ''}.`,
      '',
    );
    for (const v of g.verdicts)
      out.push(
        `- ${cell(v.keyId)} v${v.version}: ${v.open ? 'open' : 'closed'}: ${cell(v.reason)}`,
      );
    if (g.verdicts.length > 0) out.push('');
  }
  if (n > 0) {
    out.push('| where | rule | message |', '| --- | --- | --- |');
    for (const d of r.diagnostics)
      out.push(
        `| ${cell(d.line > 0 ? `${d.file}:${d.line}` : d.file)} | ${code(d.rule)} | ${cell(d.message)} |`,
      );
    out.push(
      '',
      'Each rule is explained, with how to fix it, in docs/lifecycle.md and docs/formats.md.',
    );
  }
  return `${out.join('\n')}\n`;
}
