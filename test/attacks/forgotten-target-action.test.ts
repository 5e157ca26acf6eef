// Attack: make rekey forget what it wrote, at the boundary the workflow runs: the bundled
// distribute action (esbuild bundle of src/actions/distribute.ts, started as the runner
// starts it, against the emulator). A key folder removed from the default branch: the next
// run deletes the secret it wrote, lists the removal in its summary and evidence file, and no
// value reaches stdout, the outputs, the summary or the evidence (canary).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  identity,
  manifest,
  secretOf,
  startBed,
  type Bed,
  type Checkout,
} from '../commands/rotate-bed.ts';
import { bundleAction, runOnPush, type Ran } from '../actions/runner.ts';
import { canary } from '../support/canary.ts';

let bed: Bed;
let bundle: string;
let token: string;

beforeAll(async () => {
  bed = await startBed();
  bundle = await bundleAction('distribute', bed.tmp);
  await bed.emu.addRepo({ fullName: 'acme/api', files: {} });
  token = bed.emu.addToken({
    kind: 'app',
    login: 'rekey',
    permissions: { contents: 'write', statuses: 'write', issues: 'write', secrets: 'write' },
  });
}, 120_000);
afterAll(async () => {
  await bed?.close();
});

function runBundle(c: Checkout): Promise<Ran> {
  return runOnPush(bed, bundle, c, { token }, { runId: '6161', env: { SOPS_AGE_KEY: identity } });
}

const scan = (r: Ran) =>
  canary.scan({
    stdout: r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n'),
    summary: r.summary,
    outputs: r.outputsText,
    evidence: readFileSync(r.outputs['evidence-path']!, 'utf8'),
  });

describe('the distribute action and a removed key folder', () => {
  it('deletes what the removed key wrote, and says so in the summary and the evidence', async () => {
    let c = await bed.repo('keys-forgotten', await manifest(['svc/stay', 'svc/gone']));
    const first = await runBundle(c);
    expect(first.code, first.stdout).toBe(0);
    expect(first.outputs.outcome).toBe('converged');
    scan(first);
    expect(bed.emu.secretNames({ repository: 'acme/api' }).sort()).toEqual(
      [secretOf('svc/gone'), secretOf('svc/stay')].sort(),
    );

    const gone = Object.fromEntries(
      [...c.tree.keys()]
        .filter((p) => p.startsWith('keys-manifest/svc/gone/'))
        .map((p) => [p, null]),
    );
    await bed.emu.commitFiles(c.fullName, 'main', gone, 'remove svc/gone');
    c = await bed.refresh(c);
    const r = await runBundle(c);
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.outcome).toBe('converged');
    expect(r.outputs.status).toBe('success');
    expect(bed.emu.secretNames({ repository: 'acme/api' })).toEqual([secretOf('svc/stay')]);
    expect(r.summary).toMatch(/Material no key claims any more/);
    expect(r.summary).toContain(`remove secret ${secretOf('svc/gone')}`);
    const evidence = JSON.parse(readFileSync(r.outputs['evidence-path']!, 'utf8')) as {
      removals: { key: string; outcome: string }[];
    };
    expect(evidence.removals).toEqual([
      expect.objectContaining({ key: 'svc/gone', outcome: 'removed' }),
    ]);
    scan(r);
    bed.emu.assertNoInvalidRequests();
  }, 180_000);
});
