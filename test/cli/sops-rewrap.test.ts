/**
 * `rekey sops rewrap` from a clone, through the real CLI: .sops.yaml gains a recipient on
 * main, the operator re-wraps with the identity that opens the files today, `rekey verify`
 * classifies the branch as a `rewrap`, the new identity decrypts, a second run changes
 * nothing, and no decrypted value or identity reaches the output.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canary } from '../support/canary.ts';
import { demoIdentityFile, edit, git, rekey, templateRepo } from './harness.ts';

const DEMO_RECIPIENT = 'age1w99ncydejtgjg26pxg76xr3660u6zvlhxknsywau24pt7nklf3pqupwy02';
const MATERIAL = 'keys-manifest/payments/webhook-signing/v1.sops.yaml';

let repo: ReturnType<typeof templateRepo>;
let fresh: { identity: string; recipient: string };
const demoEnv = () => ({ SOPS_AGE_KEY_FILE: demoIdentityFile });
beforeAll(async () => {
  repo = templateRepo();
  const identity = await generateIdentity();
  fresh = { identity, recipient: await identityToRecipient(identity) };
  canary.register(identity, 'new age identity');
  for (const l of readFileSync(demoIdentityFile, 'utf8').split('\n'))
    if (l.startsWith('AGE-SECRET-KEY-')) canary.register(l, 'demo age identity');
  // The decrypted secrets of the template's live material, to prove none is printed.
  const plain = await rekey(repo.dir, ['sops', 'decrypt', MATERIAL], demoEnv());
  const secret = /^secret: (.+)$/m.exec(plain.stdout)?.[1];
  expect(secret).toBeDefined();
  canary.register(secret!, 'webhook-signing v1');
  // main: .sops.yaml names the demo recipient and the new one.
  edit(repo.dir, '.sops.yaml', (t) =>
    t.replace(`age: ${DEMO_RECIPIENT}`, `age: ${DEMO_RECIPIENT},${fresh.recipient}`),
  );
  git(repo.dir, 'commit', '-qam', 'sops: add a recipient');
});
afterAll(() => repo.cleanup());

describe('rekey sops rewrap', () => {
  it('re-wraps every live file in place; verify sees a rewrap; the new identity decrypts', async () => {
    git(repo.dir, 'checkout', '-qb', 'rewrap');
    const before = readFileSync(join(repo.dir, MATERIAL), 'utf8');
    const dry = await rekey(repo.dir, ['sops', 'rewrap', '--dry-run'], demoEnv());
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain(`would re-wrap ${MATERIAL} (+${fresh.recipient})`);
    expect(readFileSync(join(repo.dir, MATERIAL), 'utf8')).toBe(before);

    const r = await rekey(repo.dir, ['sops', 'rewrap'], demoEnv());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`re-wrapped ${MATERIAL} (+${fresh.recipient})`);
    expect(r.stdout).toMatch(
      /\b[2-9]\d* files re-wrapped, 0 already wrapped for \.sops\.yaml, 0 failed/,
    );
    const after = readFileSync(join(repo.dir, MATERIAL), 'utf8');
    const encLines = (t: string) => t.split('\n').filter((l) => l.includes('ENC['));
    expect(encLines(after)).toEqual(encLines(before));
    expect(/lastmodified: .*/.exec(after)?.[0]).toBe(/lastmodified: .*/.exec(before)?.[0]);

    git(repo.dir, 'commit', '-qam', 'rewrap');
    const v = await rekey(repo.dir, ['verify', '--base', 'main', '--head', 'rewrap', '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).kind).toBe('rewrap');

    const keyFile = join(repo.dir, 'new-identity.txt');
    writeFileSync(keyFile, `${fresh.identity}\n`, { mode: 0o600 });
    const d = await rekey(repo.dir, ['sops', 'decrypt', MATERIAL], { SOPS_AGE_KEY_FILE: keyFile });
    expect(d.code).toBe(0);

    const again = await rekey(repo.dir, ['sops', 'rewrap'], demoEnv());
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^0 files re-wrapped, \d+ already wrapped/m);
    canary.scan({ dry: dry.stdout + dry.stderr, run: r.stdout + r.stderr, again: again.stdout });
  });

  it('fails without an identity that opens the files, and writes nothing', async () => {
    git(repo.dir, 'checkout', '-qf', 'main');
    const before = readFileSync(join(repo.dir, MATERIAL), 'utf8');
    const r = await rekey(repo.dir, ['sops', 'rewrap', 'keys-manifest/payments'], {
      SOPS_AGE_KEY: fresh.identity,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${MATERIAL}: no identity for this file`);
    expect(readFileSync(join(repo.dir, MATERIAL), 'utf8')).toBe(before);
    canary.scan({ stdout: r.stdout, stderr: r.stderr });
  });

  it('refuses a path that holds no live material', async () => {
    const r = await rekey(repo.dir, ['sops', 'rewrap', 'policies'], demoEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('policies holds no live material file');
  });
});
