/**
 * rekey's promises, checked after every step from the observed world, never from what a
 * command reported: the emulator's state (refs, pull requests, issues, statuses), the
 * target's secrets opened with the private key the emulator kept for them, and first-parent
 * history of main in the clone. The manifest is read with rekey's one parser (DESIGN
 * principle 8: one parser decides what a file means), but what it says is compared with
 * what the targets and statuses hold.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readTreeAtRef } from '../../adapters/git/tree.ts';
import type { KeyDocument } from '../../core/formats/index.ts';
import type { FileTree } from '../../core/snapshot.ts';
import { failureMarker } from '../../commands/distribute/failures.ts';
import { validateTree } from '../../commands/inspect.ts';
import { fingerprintOf } from '../../crypto/keys/index.ts';
import type { CommitStatus } from '../emulator/state.ts';
import { DISTRIBUTOR, KEYS_REPO, POLICY, TARGET_REPO, secretName, type World } from './world.ts';

export interface Violation {
  readonly invariant: string;
  readonly detail: string;
}

export interface Head {
  readonly sha: string;
  readonly tree: FileTree;
  readonly keys: ReadonlyMap<string, KeyDocument>;
  /** First-parent commits, oldest first, ending with `sha`. */
  readonly firstParent: readonly string[];
}

const DAY = 86_400_000;
const run = promisify(execFile);

function keysOf(tree: FileTree, now: Date): ReadonlyMap<string, KeyDocument> {
  return new Map([...validateTree(tree, now).snapshot.keys].map(([id, k]) => [id, k.value]));
}

/** The committer time of `sha` (the emulator stamps merges with its virtual clock). */
async function commitTime(dir: string, sha: string): Promise<number> {
  const { stdout } = await run('git', ['-C', dir, 'log', '-1', '--format=%cI', sha], {
    env: { PATH: process.env['PATH'], HOME: dir, GIT_CONFIG_NOSYSTEM: '1' },
  });
  return Date.parse(stdout.trim());
}
const scope = { app: 'actions' as const, repository: TARGET_REPO };

/** What the checker remembers between steps (what it saw, not what rekey said). */
export class Observer {
  /** Material file -> its bytes when first seen on main; null once deleted. */
  readonly #material = new Map<string, string | null>();
  /** Per main commit seen, the key documents there. */
  readonly #seen = new Map<string, ReadonlyMap<string, KeyDocument>>();
  /** Versions seen destroyed (`key v3`), to count lifecycles once. */
  readonly destroyed = new Set<string>();

  readonly w: World;

  constructor(w: World) {
    this.w = w;
  }

  async head(): Promise<Head> {
    const c = await this.w.checkout();
    return {
      sha: c.sha,
      tree: c.tree,
      keys: keysOf(c.tree, this.w.now()),
      firstParent: c.firstParent,
    };
  }

  /** After a run that ended converged on `commit`: no compromised version of it is on a target. */
  async compromisedGone(commit: string): Promise<Violation[]> {
    const keys = keysOf(await readTreeAtRef(this.w.clone, commit), this.w.now());
    const out: Violation[] = [];
    for (const [id, key] of keys) {
      const bad = new Set(
        key.versions.filter((v) => v.state === 'compromised').map((v) => v.fingerprint),
      );
      if (bad.size === 0) continue;
      for (const name of [secretName(id), `${secretName(id)}_PREVIOUS`]) {
        const fp = await this.onTarget(key, name);
        if (fp !== null && bad.has(fp))
          out.push({
            invariant: 'no-compromised-on-target',
            detail: `${id}: ${name} still holds a compromised version after a converged run`,
          });
      }
    }
    return out;
  }

  distributionStatuses(): CommitStatus[] {
    return this.w.emu
      .repo(KEYS_REPO)
      .statuses.filter(
        (s) => s.context === 'rekey/distribution' && s.creator.login.startsWith(DISTRIBUTOR),
      );
  }

  /** The newest rekey/distribution status on `sha` from the distribution App. */
  statusOf(sha: string): CommitStatus | undefined {
    return this.distributionStatuses()
      .filter((s) => s.sha === sha)
      .at(-1);
  }

  /** The fingerprint of what a target secret holds, opened with the emulator's private key. */
  async onTarget(key: KeyDocument, name: string): Promise<string | null> {
    if (!this.w.emu.secretNames(scope).includes(name)) return null;
    return fingerprintOf(key.type, { secret: this.w.emu.openSecret(scope, name) }, key.options);
  }

  /** Every invariant that needs no run: checked after every step. */
  async check(head: Head): Promise<Violation[]> {
    const out: Violation[] = [];
    // Every commit main went through since the last look, not only the heads seen.
    for (const c of head.firstParent)
      if (!this.#seen.has(c))
        this.#seen.set(c, keysOf(await readTreeAtRef(this.w.clone, c), this.w.now()));
    const v = validateTree(head.tree, this.w.now());
    for (const d of v.diagnostics)
      out.push({ invariant: 'main-valid', detail: `${d.file}: ${d.rule}` });
    out.push(...this.#materialImmutable(head));
    out.push(...this.#onePull());
    out.push(...this.#oneIssue());
    out.push(...(await this.#destroyGate(head)));
    out.push(...(await this.#targets(head)));
    return out;
  }

  #materialImmutable(head: Head): Violation[] {
    const out: Violation[] = [];
    const now = new Map<string, string>();
    for (const [path, bytes] of head.tree)
      if (/^keys-manifest\/.+\/v\d+\.sops\.yaml$/.test(path))
        now.set(path, Buffer.from(bytes).toString('base64'));
    for (const [path, was] of this.#material) {
      const is = now.get(path);
      if (was === null && is !== undefined)
        out.push({ invariant: 'material-immutable', detail: `${path} came back after deletion` });
      else if (was !== null && is !== undefined && is !== was)
        out.push({ invariant: 'material-immutable', detail: `${path} changed in place` });
      if (was !== null && is === undefined) this.#material.set(path, null);
    }
    for (const [path, b] of now) if (!this.#material.has(path)) this.#material.set(path, b);
    return out;
  }

  #onePull(): Violation[] {
    const r = this.w.emu.repo(KEYS_REPO);
    const count = new Map<string, number>();
    for (const p of r.pulls.values()) {
      if (r.issues.get(p.number)?.state !== 'open' || !p.headRef.startsWith('rekey/')) continue;
      count.set(p.headRef, (count.get(p.headRef) ?? 0) + 1);
    }
    return [...count]
      .filter(([, n]) => n > 1)
      .map(([b, n]) => ({ invariant: 'one-pull', detail: `${n} open PRs on ${b}` }));
  }

  /** At most one open failure issue per key, and one dashboard issue (created or updated, never duplicated). */
  #oneIssue(): Violation[] {
    const open = [...this.w.emu.repo(KEYS_REPO).issues.values()].filter(
      (i) => !i.isPull && i.state === 'open',
    );
    const out: Violation[] = [];
    for (const id of this.w.keyIds) {
      const n = open.filter(
        (i) =>
          i.labels.includes('rekey:distribution-failed') &&
          (i.body ?? '').includes(failureMarker(id)),
      ).length;
      if (n > 1) out.push({ invariant: 'one-issue', detail: `${n} open failure issues for ${id}` });
    }
    const dashboards = open.filter((i) => i.labels.includes('rekey:dashboard')).length;
    if (dashboards > 1)
      out.push({ invariant: 'one-issue', detail: `${dashboards} open dashboard issues` });
    return out;
  }

  /**
   * A version destroyed on main had its successor proven distributed: a success status from
   * the distribution App on a commit at or after the one where the version left `active`,
   * at least `grace` before the destroying commit (no grace for a compromised version).
   */
  async #destroyGate(head: Head): Promise<Violation[]> {
    const out: Violation[] = [];
    const order = new Map(head.firstParent.map((c, i) => [c, i]));
    const statuses = this.distributionStatuses().filter((s) => s.state === 'success');
    for (const [id, key] of head.keys)
      for (const ver of key.versions) {
        const tag = `${id} v${ver.version}`;
        if (ver.state !== 'destroyed' || this.destroyed.has(tag)) continue;
        this.destroyed.add(tag);
        // Where it stopped being active (or got compromised), and where it was destroyed.
        let left: number | undefined;
        let wasCompromised = false;
        let gone: number | undefined;
        for (const [i, c] of head.firstParent.entries()) {
          const seen = this.#seen.get(c);
          const s = seen?.get(id)?.versions.find((x) => x.version === ver.version)?.state;
          if (s === undefined) continue;
          if (left === undefined && s !== 'active' && s !== 'pre-activation') left = i;
          if (s === 'compromised') wasCompromised = true;
          if (gone === undefined && s === 'destroyed') gone = i;
        }
        gone ??= head.firstParent.length - 1;
        if (left === undefined) continue; // destroyed before the checker saw it live
        const destroyedAt = await commitTime(this.w.clone, head.firstParent[gone]!);
        const grace = wasCompromised ? 0 : POLICY.graceDays * DAY;
        const proof = statuses.find((s) => {
          const at = order.get(s.sha);
          return (
            at !== undefined &&
            at >= left &&
            at < gone &&
            Date.parse(s.created_at) + grace <= destroyedAt
          );
        });
        if (!proof)
          out.push({
            invariant: 'destroy-gate',
            detail: `${tag} destroyed without a distribution success ${wasCompromised ? '' : 'and grace '}after it left active`,
          });
      }
    return out;
  }

  /**
   * Always: every key's target holds a version that is not destroyed (once anything was
   * distributed). When main's head has a success status: exactly the active version in
   * `name`, the newest deactivated in `previous`, and no compromised version anywhere.
   */
  async #targets(head: Head): Promise<Violation[]> {
    const out: Violation[] = [];
    const success = this.statusOf(head.sha)?.state === 'success';
    // Before any run proved a distribution, an empty target is a key never distributed yet.
    if (!this.distributionStatuses().some((s) => s.state === 'success')) return out;
    for (const [id, key] of head.keys) {
      const name = secretName(id);
      const [active, previous] = [
        await this.onTarget(key, name),
        await this.onTarget(key, `${name}_PREVIOUS`),
      ];
      const state = (fp: string | null) => key.versions.find((x) => x.fingerprint === fp)?.state;
      if (active === null || state(active) === undefined || state(active) === 'destroyed')
        out.push({
          invariant: 'active-on-target',
          detail: `${id}: ${name} holds ${active === null ? 'nothing' : `a ${state(active) ?? 'unknown'} version`}`,
        });
      if (!success) continue;
      const want = key.versions.find((x) => x.state === 'active')?.fingerprint ?? null;
      const wantPrev =
        key.versions
          .filter((x) => x.state === 'deactivated')
          .sort((a, b) => b.version - a.version)[0]?.fingerprint ?? null;
      if (active !== want)
        out.push({
          invariant: 'converged-on-success',
          detail: `${id}: ${name} is not the active version`,
        });
      if (previous !== wantPrev)
        out.push({
          invariant: 'converged-on-success',
          detail: `${id}: ${name}_PREVIOUS is not the newest deactivated version`,
        });
      for (const fp of [active, previous])
        if (fp !== null && state(fp) === 'compromised')
          out.push({
            invariant: 'no-compromised-on-target',
            detail: `${id}: a compromised version is on a target`,
          });
    }
    return out;
  }

  /** After a distribution run ended `failed`: a failure status on its commit and an issue per failed key. */
  failureRecorded(commit: string, failedKeys: readonly string[]): Violation[] {
    const out: Violation[] = [];
    if (this.statusOf(commit)?.state !== 'failure')
      out.push({
        invariant: 'failure-recorded',
        detail: `no failure status on ${commit.slice(0, 12)}`,
      });
    const issues = [...this.w.emu.repo(KEYS_REPO).issues.values()].filter(
      (i) => !i.isPull && i.state === 'open' && i.labels.includes('rekey:distribution-failed'),
    );
    for (const k of failedKeys)
      if (!issues.some((i) => (i.body ?? '').includes(failureMarker(k))))
        out.push({ invariant: 'failure-recorded', detail: `no open failure issue for ${k}` });
    return out;
  }
}
