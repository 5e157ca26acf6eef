// Attack: ride a re-wrap. A re-wrap PR (rekey/rewrap, or `rekey sops rewrap` pushed by hand)
// looks mechanical: only age stanzas change, values and MAC stay. An attacker with write
// access adds a recipient of their own, either in the stanzas (the file becomes readable by
// them) or in .sops.yaml next to an honest re-wrap (the next re-wrap would then hand them the
// data keys, approved by a reviewer who thought they were approving a re-wrap). The verify
// action, run as the runner runs it, and `rekey verify` refuse both: stanzas for recipients
// the BASE branch's .sops.yaml does not name (`verify/recipients-mismatch`), and a re-wrap
// carrying anything else (`change/rewrap-not-pure`). The honest re-wrap passes as `rewrap`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTreeAtRef } from '../../src/adapters/git/tree.ts';
import { loadSopsConfig } from '../../src/cli/sops.ts';
import { findCreationRule } from '../../src/core/sops-config.ts';
import { BuiltinSopsCodec } from '../../src/crypto/sops/index.ts';
import { demoIdentityFile } from '../cli/harness.ts';
import {
  attackRepo,
  cliVerify,
  edit,
  git,
  verifyActionRunner,
  type AttackRepo,
} from './manifest-harness.ts';

const DEMO = 'age1w99ncydejtgjg26pxg76xr3660u6zvlhxknsywau24pt7nklf3pqupwy02';
const identities = readFileSync(demoIdentityFile, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('AGE-SECRET-KEY-'));

let repo: AttackRepo;
let action: Awaited<ReturnType<typeof verifyActionRunner>>;
let base: string;
let newcomer: string;
let attacker: string;
let materials: string[];
beforeAll(async () => {
  repo = attackRepo();
  action = await verifyActionRunner();
  newcomer = await identityToRecipient(await generateIdentity());
  attacker = await identityToRecipient(await generateIdentity());
  // The default branch: .sops.yaml names the demo recipient and a newcomer (PR 1 of the
  // runbook, merged). Its material still names only the demo recipient.
  edit(repo.dir, '.sops.yaml', (t) => t.replace(`age: ${DEMO}`, `age: ${DEMO},${newcomer}`));
  git(repo.dir, 'commit', '-qam', 'sops: add the newcomer');
  base = git(repo.dir, 'rev-parse', 'HEAD');
  const tree = await readTreeAtRef(repo.dir, base);
  materials = [...tree.keys()].filter((p) => /\/v\d+\.sops\.yaml$/.test(p)).sort();
}, 120_000);
afterAll(() => {
  repo?.cleanup();
  action?.close();
});

/** Every material file at `base` re-wrapped for `recipients`. */
async function rewrapped(recipients: readonly string[]): Promise<Map<string, Uint8Array>> {
  const tree = await readTreeAtRef(repo.dir, base);
  const rule = findCreationRule(loadSopsConfig(tree), materials[0]!)!;
  const codec = new BuiltinSopsCodec({ identities });
  const wanted = { ...rule, keyGroups: [{ ...rule.keyGroups[0]!, age: recipients }] };
  const out = new Map<string, Uint8Array>();
  for (const p of materials)
    out.set(p, (await codec.rewrap(p, tree.get(p)!, { rule: wanted })).bytes);
  return out;
}

/** A branch from `base` with `files` written (and .sops.yaml edited when `sops` is given). */
function branch(name: string, files: Map<string, Uint8Array>, sops?: (t: string) => string) {
  git(repo.dir, 'checkout', '-q', '-b', name, base);
  try {
    for (const [p, b] of files) writeFileSync(join(repo.dir, p), b);
    if (sops) edit(repo.dir, '.sops.yaml', sops);
    git(repo.dir, 'commit', '-qam', name);
    return git(repo.dir, 'rev-parse', 'HEAD');
  } finally {
    git(repo.dir, 'checkout', '-qf', base);
  }
}

/** The rule ids of the `::error title=<rule>,file=...` annotations. */
const rulesOf = (errors: readonly string[]) =>
  [...new Set(errors.flatMap((e) => /title=([a-z-]+\/[a-z-]+)/.exec(e)?.[1] ?? []))].sort();

describe('a re-wrap that lets an attacker read the keys', () => {
  it('control: the honest re-wrap for the base recipients passes as rewrap', async () => {
    const head = branch('honest', await rewrapped([DEMO, newcomer]));
    const ran = await action.run(repo.dir, base, head);
    expect(ran.errors).toEqual([]);
    expect(ran.code).toBe(0);
    expect(ran.outputs['kind']).toBe('rewrap');
    const cli = await cliVerify(repo.dir, base, head);
    expect(cli.run.code).toBe(0);
  });

  it('an attacker stanza next to the honest ones is refused', async () => {
    const head = branch('extra-stanza', await rewrapped([DEMO, newcomer, attacker]));
    const ran = await action.run(repo.dir, base, head);
    expect(ran.code).not.toBe(0);
    expect(rulesOf(ran.errors)).toContain('verify/recipients-mismatch');
    expect(ran.errors.join('\n')).toContain(attacker);
    const cli = await cliVerify(repo.dir, base, head);
    expect(cli.findings.filter((f) => f.rule === 'verify/recipients-mismatch')).toHaveLength(
      materials.length,
    );
  });

  it('the newcomer swapped for the attacker, in the stanzas and in the PR own .sops.yaml, is refused', async () => {
    const head = branch('swap', await rewrapped([DEMO, attacker]), (t) =>
      t.replace(newcomer, attacker),
    );
    const ran = await action.run(repo.dir, base, head);
    expect(ran.code).not.toBe(0);
    expect(rulesOf(ran.errors)).toEqual(
      expect.arrayContaining(['verify/recipients-mismatch', 'change/rewrap-not-pure']),
    );
  });

  it('an honest re-wrap that also adds the attacker to .sops.yaml is refused', async () => {
    // The stanzas are exactly the base branch's; only the PR's .sops.yaml is extended, so
    // the next re-wrap would be for the attacker too. Without change/rewrap-not-pure this
    // passed as an ordinary configuration change.
    const head = branch('rewrap-and-config', await rewrapped([DEMO, newcomer]), (t) =>
      t.replace(`${DEMO},${newcomer}`, `${DEMO},${newcomer},${attacker}`),
    );
    const ran = await action.run(repo.dir, base, head);
    expect(ran.code).not.toBe(0);
    expect(rulesOf(ran.errors)).toEqual(['change/rewrap-not-pure']);
    expect(ran.errors.join('\n')).toContain('.sops.yaml');
    const cli = await cliVerify(repo.dir, base, head);
    expect(cli.findings.map((f) => [f.rule, f.file])).toEqual([
      ['change/rewrap-not-pure', '.sops.yaml'],
    ]);
  });
});
