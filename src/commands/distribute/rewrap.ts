/**
 * The re-wrap hold (issue #11, deliverable 3). When the default branch's `.sops.yaml` names
 * other recipients than a live material file is wrapped for, that key is held: distribution
 * writes nothing to its targets (preflight would refuse the file anyway, and a person must
 * review who can read it), and opens ONE pull request on `rekey/rewrap` that re-wraps every
 * such file's data key for the new recipients, values and MAC byte-identical
 * (src/crypto/sops/rewrap.ts). Distribution is the only job holding an identity, so it is the
 * only one that can. verify judges that PR as a `rewrap` (src/core/verify/rewrap.ts); once it
 * merges the files match and the keys are distributed again.
 *
 * Idempotent: the commit on `rekey/rewrap` carries `Rekey-Rewrap: <digest>` of what it
 * re-wraps (each file's current bytes and its rule's recipients). A run with the same digest
 * writes nothing; a different one (another file, another recipient) adds a commit on top of
 * the branch, fast-forward, whose tree is the default branch's plus the re-wraps, so the open
 * PR is updated, never a second one opened. REST calls
 * when nothing changed: branch 1 + commit message 1 + createPull 2 (it answers `exists`).
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../../core/diagnostics.ts';
import type { KeyDocument } from '../../core/formats/index.ts';
import type { GitDataPort, PullsPort } from '../../core/ports/github.ts';
import { REKEY_LABEL } from '../../core/rekey-pulls.ts';
import type { ManifestSnapshot, FileTree } from '../../core/snapshot.ts';
import { findCreationRule, ruleAgeRecipients, type SopsConfig } from '../../core/sops-config.ts';
import { REWRAP_BRANCH, REWRAP_LABEL } from '../../core/verify/rewrap.ts';
import { rekeyTrailers, requestReviewers } from '../open-pull.ts';
import {
  describeRewrap,
  rewrapFiles,
  staleMaterial,
  type Rewrapper,
  type RewrappedFile,
} from '../rewrap.ts';
import type { DistributeLog } from './types.ts';

export interface RewrapPullPorts {
  readonly git: Pick<GitDataPort, 'getBranchHead' | 'commitFiles' | 'getCommitMessage'>;
  readonly pulls: Pick<PullsPort, 'createPull' | 'updatePull' | 'addLabels' | 'requestReviewers'>;
}

export interface RewrapHoldInput {
  readonly snapshot: ManifestSnapshot;
  readonly tree: FileTree;
  readonly sopsConfig: SopsConfig;
  readonly defaultBranch: string;
  readonly codec: Rewrapper;
  /** Report the hold only: no branch, no PR. */
  readonly dryRun: boolean;
  readonly log?: DistributeLog | undefined;
}

export interface RewrapPull {
  readonly number: number;
  readonly url: string;
  readonly outcome: 'created' | 'updated' | 'unchanged';
}

export interface RewrapHold {
  /** Held key id -> why, for its report and the summary (secret-free). */
  readonly held: ReadonlyMap<string, string>;
  readonly pull?: RewrapPull;
  /** Files that could not be re-wrapped, and PR failures (secret-free). */
  readonly problems: readonly string[];
}

const message = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error';

export async function holdForRewrap(
  input: RewrapHoldInput,
  ports: RewrapPullPorts | undefined,
): Promise<RewrapHold> {
  const keys = [...input.snapshot.keys.values()].map((k) => k.value);
  const stale = staleMaterial(keys, input.tree, input.sopsConfig);
  if (stale.length === 0) return { held: new Map(), problems: [] };
  const heldIds = [...new Set(stale.map((s) => s.key))].sort();
  const waiting = (why: string) => new Map(heldIds.map((id) => [id, why]));
  const needs = `its material is wrapped for other recipients than .sops.yaml names (${stale.length} file${stale.length === 1 ? '' : 's'} in all)`;
  if (input.dryRun || ports === undefined)
    return {
      held: waiting(
        `held: ${needs}; ${input.dryRun ? 'a run would open' : 'open'} the ${REWRAP_BRANCH} pull request (or run rekey sops rewrap) and merge it`,
      ),
      problems: [],
    };

  const out = await rewrapFiles(
    stale.map((s) => s.path),
    input.tree,
    input.sopsConfig,
    input.codec,
  );
  const problems = [...out.problems.values()].map((p) => `re-wrap: ${p}`);
  if (out.rewrapped.length === 0)
    return {
      held: waiting(`held: ${needs}, and this run could not re-wrap it (see the problems)`),
      problems,
    };
  let pull: RewrapPull;
  try {
    pull = await ensureRewrapPull(input, ports, out.rewrapped, keys, heldIds);
  } catch (e) {
    return {
      held: waiting(`held: ${needs}; the ${REWRAP_BRANCH} pull request could not be opened`),
      problems: [...problems, `re-wrap pull request: ${message(e)}`],
    };
  }
  input.log?.info(
    `${REWRAP_BRANCH}: #${pull.number} ${pull.outcome}; held until it merges: ${heldIds.join(', ')}`,
  );
  return {
    held: waiting(`held until re-wrap PR #${pull.number} (${REWRAP_BRANCH}) merges: ${needs}`),
    pull,
    problems,
  };
}

/**
 * The tree's findings without the recipients mismatches the hold takes care of: a file
 * wrapped for other recipients than `.sops.yaml` names holds its key back (and gets the
 * re-wrap PR) instead of stopping the whole run as an invalid tree.
 */
export function deferToRewrap(
  diagnostics: readonly Diagnostic[],
  snapshot: ManifestSnapshot,
  tree: FileTree,
  config: SopsConfig,
): Diagnostic[] {
  if (!diagnostics.some((d) => d.rule === RECIPIENTS_MISMATCH)) return [...diagnostics];
  const keys = [...snapshot.keys.values()].map((k) => k.value);
  const stale = new Set(staleMaterial(keys, tree, config).map((s) => s.path));
  return diagnostics.filter((d) => !(d.rule === RECIPIENTS_MISMATCH && stale.has(d.file)));
}

const RECIPIENTS_MISMATCH = 'verify/recipients-mismatch';

/** What the branch carries: each file's bytes now and the recipients it is re-wrapped for. */
function digestOf(files: readonly RewrappedFile[], tree: FileTree, config: SopsConfig): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const rule = findCreationRule(config, f.path);
    h.update(`${f.path}\n${createHash('sha256').update(tree.get(f.path)!).digest('hex')}\n`);
    h.update(`${JSON.stringify(rule ? ruleAgeRecipients(rule) : [])}\n`);
  }
  return h.digest('hex').slice(0, 32);
}

async function ensureRewrapPull(
  input: RewrapHoldInput,
  ports: RewrapPullPorts,
  files: readonly RewrappedFile[],
  keys: readonly KeyDocument[],
  heldIds: readonly string[],
): Promise<RewrapPull> {
  const digest = digestOf(files, input.tree, input.sopsConfig);
  const msg = [
    `rekey: re-wrap ${files.length} material file${files.length === 1 ? '' : 's'} for .sops.yaml`,
    '',
    'The data keys are wrapped for the recipients .sops.yaml names; values, MAC and',
    'lastmodified are unchanged.',
    '',
    'Rekey-Action: rewrap',
    `Rekey-Rewrap: ${digest}`,
  ].join('\n');
  const changes = files.map((f) => ({ path: f.path, content: f.bytes }));
  let outcome: RewrapPull['outcome'] = 'created';
  const branch = await ports.git.getBranchHead(REWRAP_BRANCH);
  const theirs =
    branch === null
      ? undefined
      : rekeyTrailers((await ports.git.getCommitMessage(branch.commit)) ?? '');
  if (branch !== null && theirs?.get('Rekey-Rewrap') === digest) outcome = 'unchanged';
  else {
    const main = await ports.git.getBranchHead(input.defaultBranch);
    if (main === null) throw new Error(`the default branch ${input.defaultBranch} does not exist`);
    if (branch !== null) {
      // A child of the branch head (fast-forward, never forced, so its open PR is updated in
      // place) whose tree is the default branch's now plus the re-wraps: the PR's diff is the
      // re-wrap alone, whatever merged meanwhile, and merges without conflicts.
      await ports.git.commitFiles({
        base: { commit: branch.commit, tree: main.tree },
        changes,
        message: msg,
        branch: { name: REWRAP_BRANCH, mode: 'fast-forward' },
      });
      outcome = 'updated';
    } else {
      const r = await ports.git.commitFiles({
        base: main,
        changes,
        message: msg,
        branch: { name: REWRAP_BRANCH, mode: 'create' },
      });
      // `exists`: another run created it meanwhile; its PR is the one to keep.
      if (r.ref === 'exists') outcome = 'unchanged';
    }
  }

  const body = renderBody(files, heldIds);
  const title = `rekey: re-wrap material for .sops.yaml (${heldIds.length} key${heldIds.length === 1 ? '' : 's'})`;
  const pull = await ports.pulls.createPull({
    head: REWRAP_BRANCH,
    base: input.defaultBranch,
    title,
    body,
  });
  if (pull.result === 'created') {
    await ports.pulls.addLabels(pull.number, [REKEY_LABEL, REWRAP_LABEL]);
    const held = keys.filter((k) => heldIds.includes(k.id));
    const handles = held.flatMap((k) => [
      k.owner,
      ...(input.snapshot.policies.get(k.policy)?.value.reviewers ?? []),
    ]);
    await requestReviewers(pull.number, handles, pull.author, ports.pulls);
    return { number: pull.number, url: pull.url, outcome: 'created' };
  }
  if (pull.body !== body) {
    await ports.pulls.updatePull(pull.number, { title, body });
    if (outcome === 'unchanged') outcome = 'updated';
  }
  return { number: pull.number, url: pull.url, outcome };
}

const code = (s: string) => `\`${s.replace(/`/g, '')}\``;

/** For the reviewer: which files, who gains and who loses access. Paths and recipients only. */
function renderBody(files: readonly RewrappedFile[], heldIds: readonly string[]): string {
  return [
    '## Re-wrap key material for `.sops.yaml`',
    '',
    "`.sops.yaml` on the default branch names other age recipients than these files are wrapped for. This PR re-wraps each file's data key for exactly the recipients `.sops.yaml` names: the encrypted values, `sops.mac` and `sops.lastmodified` are byte-identical (like `sops updatekeys`), so no key material changes. verify checks that (change kind `rewrap`) and refuses anything else on this branch.",
    '',
    '**Review who can decrypt.** Each `+` recipient can read these keys after the merge; each `-` one cannot read the new versions rekey writes (git history keeps what it could read before).',
    '',
    '| file | recipients |',
    '| --- | --- |',
    ...files.map((f) => `| ${code(f.path)} | ${code(describeRewrap(f))} |`),
    '',
    `**Until this merges, distribution writes nothing to the targets of:** ${heldIds.map(code).join(', ')}.`,
    '',
    '<!-- rekey:rewrap -->',
    '',
  ].join('\n');
}
