// The campaign's checker must see a broken world: each test breaks one promise by hand (as
// a buggy rekey or a person would) and expects the observer to name the invariant. Without
// these, a campaign reporting "0 violations" could be a checker that never looks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Observer } from '../../src/sandbox/chaos/invariants.ts';
import { Prng } from '../../src/sandbox/chaos/prng.ts';
import { distributeRun, reviewRun, rotateRun } from '../../src/sandbox/chaos/runs.ts';
import { RunWire } from '../../src/sandbox/chaos/wire.ts';
import {
  KEYS_REPO,
  TARGET_REPO,
  openWorld,
  secretName,
  type World,
} from '../../src/sandbox/chaos/world.ts';
import { Canary } from '../support/canary.ts';

let w: World;
let obs: Observer;
const quiet = () => new RunWire(new Prng(1), { rate: 0 });

beforeEach(async () => {
  w = await openWorld({
    keys: 1,
    start: new Date('2027-01-01T09:00:00Z'),
    canary: new Canary(),
    received: () => {},
  });
  obs = new Observer(w);
});
afterEach(() => w.close());

describe('the chaos observer', () => {
  it('finds nothing wrong in a world rekey distributed', async () => {
    const head = await obs.head();
    const end = await distributeRun(w, quiet(), [], head.sha);
    expect(end.outcome).toBe('converged');
    expect(await obs.check(await obs.head())).toEqual([]);
  });

  it('sees a target that lost its secret after a success', async () => {
    const head = await obs.head();
    await distributeRun(w, quiet(), [], head.sha);
    const c = w.clients(quiet().fetch, { debug() {}, info() {}, warn() {}, error() {} });
    const [owner, repo] = TARGET_REPO.split('/') as [string, string];
    await c.dist.targets.octokit.request(
      'DELETE /repos/{owner}/{repo}/actions/secrets/{secret_name}',
      {
        owner,
        repo,
        secret_name: secretName(w.keyIds[0]!),
      },
    );
    const found = (await obs.check(await obs.head())).map((v) => v.invariant);
    expect(found).toContain('active-on-target');
    expect(found).toContain('converged-on-success');
  });

  it('sees material changed in place on main', async () => {
    await obs.check(await obs.head());
    const path = `keys-manifest/${w.keyIds[0]}/v1.sops.yaml`;
    const before = (await obs.head()).tree.get(path)!;
    const edited = new TextDecoder().decode(before).replace('version: 1', 'version: 1 # edited');
    await w.emu.commitFiles(KEYS_REPO, 'main', { [path]: edited }, 'edit in place\n');
    const found = (await obs.check(await obs.head())).map((v) => v.invariant);
    expect(found).toContain('material-immutable');
  });

  it('sees a version destroyed before its successor was proven distributed', async () => {
    w.setClock(new Date('2027-01-03T09:00:00Z'));
    expect((await rotateRun(w, quiet(), [])).outcome).toBe('opened');
    const pull = [...w.emu.repo(KEYS_REPO).pulls.values()][0]!;
    expect((await reviewRun(w, quiet(), [], pull)).outcome).toBe('merged');
    await obs.check(await obs.head());
    const id = w.keyIds[0]!;
    const keyYaml = new TextDecoder().decode(
      (await obs.head()).tree.get(`keys-manifest/${id}/key.yaml`)!,
    );
    const destroyed = keyYaml.replace(/(version: 1,\s*state: )deactivated/, '$1destroyed');
    expect(destroyed).not.toBe(keyYaml);
    await w.emu.commitFiles(
      KEYS_REPO,
      'main',
      { [`keys-manifest/${id}/key.yaml`]: destroyed, [`keys-manifest/${id}/v1.sops.yaml`]: null },
      'destroy v1 by hand\n',
    );
    const found = (await obs.check(await obs.head())).map((v) => v.invariant);
    expect(found).toContain('destroy-gate');
  });

  it('registers the material a target holds with the canary', async () => {
    const canary = new Canary();
    await w.close();
    w = await openWorld({
      keys: 1,
      start: new Date('2027-01-01T09:00:00Z'),
      canary,
      received: () => {},
    });
    obs = new Observer(w);
    await distributeRun(w, quiet(), [], (await obs.head()).sha);
    const value = w.emu.openSecret(
      { app: 'actions', repository: TARGET_REPO },
      secretName(w.keyIds[0]!),
    );
    expect(canary.findLeaks(`log: ${value}`, 'a log line')).toHaveLength(1);
  });

  it('sees a failed distribution that left no status or issue', () => {
    const found = obs.failureRecorded('0'.repeat(40), [w.keyIds[0]!]).map((v) => v.invariant);
    expect(found).toEqual(['failure-recorded', 'failure-recorded']);
  });
});
