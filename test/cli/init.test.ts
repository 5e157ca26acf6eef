/**
 * `rekey init` through the real CLI on a temporary copy of the template: the identity written
 * once (0600) or printed once (stdout only); .sops.yaml, CODEOWNERS, pipeline.yaml and the App
 * manifest as doctor and the workflows need them; the example keys removed or re-wrapped; a
 * second run changes nothing; nothing it did not write is ever overwritten.
 */
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { identityToRecipient } from 'age-encryption';
import { afterEach, describe, expect, it } from 'vitest';
import { readWorkingTree } from '../../src/adapters/files/working-tree.ts';
import { appPermissions } from '../../src/cli/commands/init.ts';
import { checkLocal } from '../../src/core/doctor/local.ts';
import { DEMO_RECIPIENT } from '../../src/core/doctor/demo-recipient.ts';
import { canary } from '../support/canary.ts';
import { git, rekey, root, templateRepo } from './harness.ts';

const FLAGS = ['--owners', '@acme/security,@acme/platform', '--app', 'acme-rekey'];
let repo: ReturnType<typeof templateRepo> | undefined;
afterEach(() => repo?.cleanup());

function fresh(): string {
  repo = templateRepo();
  cpSync(join(root, 'demo'), join(repo.dir, 'demo'), { recursive: true });
  return repo.dir;
}
const read = (dir: string, p: string) => readFileSync(join(dir, p), 'utf8');
const identityOf = (text: string) => text.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!;

/** Every file init may write, with its bytes, to prove a refused or repeated run wrote nothing. */
function snapshot(dir: string): Record<string, string | null> {
  const paths = [
    '.sops.yaml',
    '.github/CODEOWNERS',
    'policies/pipeline.yaml',
    'rekey-app-manifest.json',
    '.rekey-init.json',
    'keys-manifest/payments/webhook-signing/v1.sops.yaml',
  ];
  return Object.fromEntries(paths.map((p) => [p, existsSync(join(dir, p)) ? read(dir, p) : null]));
}

describe('rekey init', () => {
  it('sets the repository up for its own identity, App and owners', async () => {
    const dir = fresh();
    const r = await rekey(dir, ['init', ...FLAGS, '--identity-out', 'identity.txt']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const file = join(dir, 'identity.txt');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const identity = identityOf(readFileSync(file, 'utf8'));
    canary.register(identity, 'init identity');
    const recipient = await identityToRecipient(identity);
    expect(read(dir, '.sops.yaml')).toContain(`age: ${recipient}`);
    expect(read(dir, '.sops.yaml')).not.toContain(DEMO_RECIPIENT);
    expect(r.stdout).toContain(`age recipient: ${recipient}`);
    expect(read(dir, 'policies/pipeline.yaml')).toMatch(/pull-authors:\n\s+- acme-rekey\[bot\]/);
    expect(read(dir, 'policies/pipeline.yaml')).toMatch(/status-creators:\n\s+- acme-rekey\[bot\]/);
    expect(read(dir, 'policies/pipeline.yaml')).toContain('lease-ttl: 30m');

    // The App manifest: exactly the shared table's permissions, no webhook.
    const manifest = JSON.parse(read(dir, 'rekey-app-manifest.json'));
    expect(manifest).toMatchObject({
      name: 'acme-rekey',
      public: false,
      default_events: [],
      hook_attributes: { active: false },
    });
    expect(manifest.default_permissions).toEqual(appPermissions());
    expect(manifest.default_permissions).toMatchObject({
      contents: 'write',
      pull_requests: 'write',
      secrets: 'write',
      administration: 'write',
      members: 'read',
    });

    // The example keys are gone; doctor finds no demo recipient and no ownerless path.
    const tree = await readWorkingTree(dir, [
      'keys-manifest/',
      'policies/',
      '.sops.yaml',
      '.github/',
    ]);
    expect([...tree.keys()].filter((p) => p.startsWith('keys-manifest/'))).toEqual([]);
    const rules = checkLocal(tree).findings.map((f) => f.rule);
    expect(
      rules.filter(
        (x) =>
          x.startsWith('doctor/codeowners') ||
          x === 'doctor/demo-recipient' ||
          x.endsWith('-unpinned'),
      ),
    ).toEqual([]);
    expect((await rekey(dir, ['validate'])).code).toBe(0);
    canary.scan({ stdout: r.stdout, stderr: r.stderr, record: read(dir, '.rekey-init.json') });

    // A second run with the same flags changes nothing and says so.
    const before = snapshot(dir);
    const again = await rekey(dir, ['init', ...FLAGS, '--identity-out', 'identity.txt']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to do');
    expect(snapshot(dir)).toEqual(before);
    expect(identityOf(readFileSync(file, 'utf8'))).toBe(identity);
  });

  it('prints the identity once on stdout and nothing else there', async () => {
    const dir = fresh();
    const r = await rekey(dir, ['init', ...FLAGS, '--print-identity']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+$/);
    canary.register(lines[0]!, 'printed identity');
    expect(r.stderr).toContain('shown this once');
    canary.scan({
      stderr: r.stderr,
      record: read(dir, '.rekey-init.json'),
      sops: read(dir, '.sops.yaml'),
    });
    const recipient = await identityToRecipient(lines[0]!);
    expect(read(dir, '.sops.yaml')).toContain(recipient);
    const again = await rekey(dir, ['init', ...FLAGS, '--print-identity']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('nothing to do');
  });

  it('--keep-examples re-wraps the example keys for the new recipient', async () => {
    const dir = fresh();
    const r = await rekey(dir, ['init', ...FLAGS, '--identity-out', 'id.txt', '--keep-examples']);
    expect(r.code).toBe(0);
    const material = 'keys-manifest/payments/webhook-signing/v1.sops.yaml';
    expect(read(dir, material)).not.toContain(DEMO_RECIPIENT);
    const d = await rekey(dir, ['sops', 'decrypt', material], {
      SOPS_AGE_KEY_FILE: join(dir, 'id.txt'),
    });
    expect(d.code).toBe(0);
    expect((await rekey(dir, ['validate'])).code).toBe(0);
  });

  it('refuses an existing identity file, and a file it did not write; nothing is written', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'id.txt'), 'mine\n');
    const before = snapshot(dir);
    const r = await rekey(dir, ['init', ...FLAGS, '--identity-out', 'id.txt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('id.txt exists');
    expect(snapshot(dir)).toEqual(before);

    writeFileSync(
      join(dir, '.sops.yaml'),
      'creation_rules:\n  - age: age1ag56szufhk8zkc5klvj0cz3fxwuhj0eus65kc3aptjsh93jxcf2q0ar6hz\n',
    );
    const mine = snapshot(dir);
    const s = await rekey(dir, ['init', ...FLAGS, '--identity-out', 'new-id.txt']);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('refusing to overwrite .sops.yaml');
    expect(snapshot(dir)).toEqual(mine);
    expect(existsSync(join(dir, 'new-id.txt'))).toBe(false);
  });

  it('a run that stopped after writing the identity converges: the re-run adopts it', async () => {
    const dir = fresh();
    expect((await rekey(dir, ['init', ...FLAGS, '--identity-out', 'id.txt'])).code).toBe(0);
    const identity = identityOf(read(dir, 'id.txt'));
    canary.register(identity, 'init identity');
    // As if the first run had stopped right after the identity: no other file written.
    for (const p of ['.rekey-init.json', '.github/CODEOWNERS', 'rekey-app-manifest.json'])
      rmSync(join(dir, p));
    git(dir, 'checkout', '-q', '--', '.sops.yaml', 'policies/pipeline.yaml', 'keys-manifest');
    const r = await rekey(dir, ['init', ...FLAGS, '--identity-out', 'id.txt']);
    expect(r.code).toBe(0);
    expect(identityOf(read(dir, 'id.txt'))).toBe(identity);
    expect(read(dir, '.sops.yaml')).toContain(await identityToRecipient(identity));
    canary.scan({ stdout: r.stdout, stderr: r.stderr });
  });

  it('refuses to overwrite a file it wrote once it was edited', async () => {
    const dir = fresh();
    expect((await rekey(dir, ['init', ...FLAGS, '--identity-out', 'id.txt'])).code).toBe(0);
    git(dir, 'add', '-A');
    writeFileSync(join(dir, '.github/CODEOWNERS'), '* @someone\n');
    const before = snapshot(dir);
    const r = await rekey(dir, [
      'init',
      '--owners',
      '@acme/other',
      '--app',
      'acme-rekey',
      '--identity-out',
      'id.txt',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to overwrite .github/CODEOWNERS');
    expect(snapshot(dir)).toEqual(before);
  });

  it('needs exactly one way to hand over the identity', async () => {
    const dir = fresh();
    expect((await rekey(dir, ['init', ...FLAGS])).code).toBe(2);
    expect(
      (await rekey(dir, ['init', ...FLAGS, '--print-identity', '--identity-out', 'x'])).code,
    ).toBe(2);
    expect((await rekey(dir, ['init', '--app', 'acme-rekey', '--print-identity'])).code).toBe(2);
  });
});
