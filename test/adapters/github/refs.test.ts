// StateRefPort over the emulator (OpenAPI-validated): a ref outside refs/heads, created once,
// moved only as a fast-forward from the commit that was read, and the emulator answering
// refs outside refs/heads as GitHub does.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertStateRef, createStateRefAdapter } from '../../../src/adapters/github/refs.ts';
import { createStatusAdapter } from '../../../src/adapters/github/statuses.ts';
import { GitHubError, type StateRefPort } from '../../../src/core/ports/github.ts';
import { AT, type Bed, REPO, rejection, startBed } from './harness.ts';

const REF = 'refs/rekey/distribution';
let bed: Bed;
let state: StateRefPort;

const files = (o: Record<string, string>) => new Map(Object.entries(o));
const refAt = (ref: string) => bed.emu.repo(REPO).git.readRef(ref);

beforeAll(async () => {
  bed = await startBed();
  state = createStateRefAdapter(bed.client(), AT);
});
afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed.emu.close();
});
beforeEach(() => {
  bed.emu.clearLog();
});

describe('StateRefPort over the emulator', () => {
  it('reads null for a missing ref in 1 call', async () => {
    expect(await state.read('refs/rekey/absent')).toBeNull();
    expect(bed.emu.calls()).toBe(1);
  });

  it('creates the ref with exactly the given files (3 calls), then reads them back', async () => {
    const made = await state.write(
      REF,
      null,
      files({ 'lease.json': '{"a":1}\n', 'receipts.json': '[]\n' }),
      'rekey: create',
    );
    expect(made.result).toBe('written');
    if (made.result !== 'written') return;
    expect(bed.emu.calls()).toBe(3);
    expect(bed.emu.calls('POST /repos/{owner}/{repo}/git/refs')).toBe(1);
    expect(await refAt(REF)).toBe(made.commit);
    // Not a branch: no refs/heads entry appeared.
    const heads = await bed.emu.repo(REPO).git.listRefs('refs/heads/');
    expect(heads.map((h) => h.ref)).toEqual(['refs/heads/main']);
    const commit = await bed.emu.repo(REPO).git.readCommit(made.commit);
    expect(commit.parents).toEqual([]);
    expect(commit.message).toBe('rekey: create');

    bed.emu.clearLog();
    const read = await createStateRefAdapter(bed.client(), AT).read(REF);
    expect(read?.commit).toBe(made.commit);
    expect(Object.fromEntries(read!.files)).toEqual({
      'lease.json': '{"a":1}\n',
      'receipts.json': '[]\n',
    });
    expect(bed.emu.calls()).toBe(4); // ref, tree, 2 blobs
    bed.emu.clearLog();
    await state.read(REF); // this adapter wrote nothing it read: blobs fetched once, then cached
    bed.emu.clearLog();
    await state.read(REF);
    expect(bed.emu.calls()).toBe(2);
  });

  it('answers conflict when creating a ref that exists, and leaves it alone', async () => {
    const before = await refAt(REF);
    const again = await state.write(REF, null, files({ 'lease.json': '{}' }), 'rekey: create');
    expect(again).toEqual({ result: 'conflict' });
    expect(await refAt(REF)).toBe(before);
  });

  it('fast-forwards from the commit read; a stale parent is a conflict', async () => {
    const first = (await state.read(REF))!;
    const next = await state.write(REF, first.commit, files({ 'lease.json': '{"b":2}' }), 'm2');
    expect(next.result).toBe('written');
    if (next.result !== 'written') return;
    expect((await bed.emu.repo(REPO).git.readCommit(next.commit)).parents).toEqual([first.commit]);
    expect(Object.fromEntries((await state.read(REF))!.files)).toEqual({ 'lease.json': '{"b":2}' });

    // A second writer that read `first` too: its commit is a sibling, not a fast-forward.
    bed.emu.clearLog();
    const stale = await state.write(REF, first.commit, files({ 'lease.json': '{"c":3}' }), 'm3');
    expect(stale).toEqual({ result: 'conflict' });
    expect(bed.emu.calls('PATCH /repos/{owner}/{repo}/git/refs/{ref}')).toBe(1);
    expect(await refAt(REF)).toBe(next.commit);
  });

  it('a lost answer to our own create or update is written, not a conflict', async () => {
    const ref = 'refs/rekey/lost';
    bed.emu.inject({ route: 'POST /repos/{owner}/{repo}/git/refs', lost: true });
    const made = await state.write(ref, null, files({ 'lease.json': '{}' }), 'm');
    expect(made.result).toBe('written');
    if (made.result !== 'written') return;
    expect(await refAt(ref)).toBe(made.commit);
    // The retry met 422 "already exists"; one read showed the ref at our own commit.
    expect(bed.emu.calls('POST /repos/{owner}/{repo}/git/refs')).toBe(2);
    expect(bed.emu.calls('GET /repos/{owner}/{repo}/git/ref/{ref}')).toBe(1);

    bed.emu.inject({ route: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}', lost: true });
    const moved = await state.write(ref, made.commit, files({ 'lease.json': '{"x":1}' }), 'm');
    expect(moved.result).toBe('written');
    if (moved.result !== 'written') return;
    expect(await refAt(ref)).toBe(moved.commit);
  });

  it('a ref deleted meanwhile is a conflict for an update', async () => {
    const ref = 'refs/rekey/deleted';
    const made = await state.write(ref, null, files({ 'lease.json': '{}' }), 'm');
    if (made.result !== 'written') throw new Error('setup');
    expect(await bed.emu.repo(REPO).git.deleteRef(ref, made.commit)).toBe(true);
    expect(await state.write(ref, made.commit, files({ 'lease.json': '{"y":1}' }), 'm')).toEqual({
      result: 'conflict',
    });
  });

  it('vouches for a commit only the state ref holds, and reads who vouched (the creator login)', async () => {
    const ref = 'refs/rekey/vouched';
    const a = await state.write(ref, null, files({ 'lease.json': '{"n":1}\n' }), 'm1');
    if (a.result !== 'written') throw new Error('setup');
    const b = await state.write(ref, a.commit, files({ 'lease.json': '{"n":2}\n' }), 'm2');
    if (b.result !== 'written') throw new Error('setup');
    // Not on any branch: GitHub takes a status on any commit of the repository.
    const heads = await bed.emu.repo(REPO).git.listRefs('refs/heads/');
    expect(heads.map((h) => h.ref)).toEqual(['refs/heads/main']);

    bed.emu.clearLog();
    expect(await state.vouchers(b.commit, 'rekey/state')).toEqual([]);
    await state.vouch(b.commit, 'rekey/state', 'rekey stored 0 receipt(s)');
    expect(bed.emu.calls('POST /repos/{owner}/{repo}/statuses/{sha}')).toBe(1);
    // Another context, or a state other than success, vouches for nothing.
    await createStatusAdapter(bed.client(), AT).createStatus(b.commit, {
      state: 'success',
      context: 'rekey/distribution',
    });
    await createStatusAdapter(bed.client(), AT).createStatus(a.commit, {
      state: 'failure',
      context: 'rekey/state',
    });
    bed.emu.clearLog();
    expect(await state.vouchers(b.commit, 'rekey/state')).toEqual(['rekey[bot]']);
    expect(await state.vouchers(a.commit, 'rekey/state')).toEqual([]);
    expect(bed.emu.calls()).toBe(2);

    bed.emu.clearLog();
    expect(await state.parents(b.commit)).toEqual([a.commit]);
    expect(await state.parents(a.commit)).toEqual([]);
    expect(bed.emu.calls()).toBe(2);
    const old = await state.readCommit(a.commit);
    expect(old.commit).toBe(a.commit);
    expect(Object.fromEntries(old.files)).toEqual({ 'lease.json': '{"n":1}\n' });
  });

  it.each([
    ['a branch', 'refs/heads/rekey-state'],
    ['one slash', 'refs/rekey'],
    ['not fully qualified', 'rekey/distribution'],
    ['a dot-dot', 'refs/rekey/../heads/main'],
    ['an empty component', 'refs/rekey//x'],
  ])('refuses %s before any call', async (_n, ref) => {
    expect(() => assertStateRef(ref)).toThrow(RangeError);
    await expect(state.read(ref)).rejects.toThrow(/fully qualified outside refs\/heads/);
    await expect(state.write(ref, null, files({ a: '1' }), 'm')).rejects.toThrow(RangeError);
    expect(bed.emu.calls()).toBe(0);
  });

  it('refuses nested or empty file sets before any call', async () => {
    await expect(state.write(REF, null, files({ 'a/b.json': '{}' }), 'm')).rejects.toThrow(
      /plain top-level name/,
    );
    await expect(state.write(REF, null, new Map(), 'm')).rejects.toThrow(/at least one file/);
    expect(bed.emu.calls()).toBe(0);
  });

  it('passes other failures through as GitHubError', async () => {
    bed.emu.inject({ route: 'GET /repos/{owner}/{repo}/git/ref/{ref}', status: 403 });
    const e = await rejection(state.read(REF));
    expect(e).toBeInstanceOf(GitHubError);
    expect((e as GitHubError).code).toBe('forbidden');
  });
});

describe('the emulator serves refs outside refs/heads as GitHub does', () => {
  const req = () => bed.client().octokit.request;
  const head = async () => (await bed.emu.repo(REPO).git.readRef('refs/heads/main'))!;

  it('creates a fully qualified ref with two slashes, refuses one slash (422)', async () => {
    const r = await req()('POST /repos/{owner}/{repo}/git/refs', {
      ...AT,
      ref: 'refs/probe/one',
      sha: await head(),
    });
    expect(r.status).toBe(201);
    expect(r.data.ref).toBe('refs/probe/one');
    const bad = await rejection(
      req()('POST /repos/{owner}/{repo}/git/refs', { ...AT, ref: 'refs/probe', sha: await head() }),
    );
    expect((bad as GitHubError).status).toBe(422);
    const got = await req()('GET /repos/{owner}/{repo}/git/ref/{ref}', {
      ...AT,
      ref: 'probe/one',
    });
    expect(got.data.object.sha).toBe(await head());
    const listed = await req()('GET /repos/{owner}/{repo}/git/matching-refs/{ref}', {
      ...AT,
      ref: 'probe/',
    });
    expect(listed.data.map((x) => x.ref)).toEqual(['refs/probe/one']);
  });

  it('answers a non-fast-forward PATCH with 422 and a forced one with 200', async () => {
    const base = await head();
    const { commit } = await bed.emu
      .repo(REPO)
      .git.readCommit(base)
      .then((c) => ({ commit: c }));
    const sibling = await bed.emu.repo(REPO).git.writeCommit({
      tree: commit.tree,
      parents: commit.parents,
      author: commit.author,
      committer: commit.committer,
      message: 'a sibling of main',
    });
    await req()('POST /repos/{owner}/{repo}/git/refs', { ...AT, ref: 'refs/probe/ff', sha: base });
    const nonFf = await rejection(
      req()('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
        ...AT,
        ref: 'probe/ff',
        sha: sibling,
        force: false,
      }),
    );
    expect((nonFf as GitHubError).status).toBe(422);
    expect(await refAt('refs/probe/ff')).toBe(base);
    const forced = await req()('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
      ...AT,
      ref: 'probe/ff',
      sha: sibling,
      force: true,
    });
    expect(forced.status).toBe(200);
    expect(await refAt('refs/probe/ff')).toBe(sibling);
  });
});
