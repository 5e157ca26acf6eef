// `--json` through the real CLI (main() over a real git repository): every report validates
// against its committed JSON Schema (schemas/rekey.<command>.v1.schema.json) with ajv, carries
// no field its zod schema does not document, keeps the exit code of the text form, prints
// prose only on stderr, and never a secret.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReportCommand } from '../../src/core/reports/index.ts';
import { canary } from '../support/canary.ts';
import { demoIdentityFile, edit, git, rekey, templateRepo } from './harness.ts';
import { report } from './json-report.ts';

const repo = templateRepo();
afterAll(() => repo.cleanup());
beforeEach(() => {
  git(repo.dir, 'checkout', '-q', '--', '.');
  git(repo.dir, 'clean', '-qfd');
});
const PAY = 'keys-manifest/payments/webhook-signing/key.yaml';
const NOW = ['--now', '2026-12-10T10:00:00Z'];

describe('--json reports validate against their schemas', () => {
  it('validate: clean, then with problems (file, line, column, rule, severity, message)', async () => {
    const clean = await rekey(repo.dir, ['validate', '--json']);
    expect(clean.code).toBe(0);
    expect(report('validate', clean.stdout)).toMatchObject({ ok: true, keys: 3, diagnostics: [] });

    edit(repo.dir, PAY, (t) => t.replace('policy: standard', 'policy: nope'));
    const bad = await rekey(repo.dir, ['validate', '--json']);
    expect(bad.code).toBe((await rekey(repo.dir, ['validate'])).code);
    expect(bad.code).toBe(1);
    const out = report('validate', bad.stdout);
    expect(out.ok).toBe(false);
    expect(out.diagnostics).toContainEqual({
      file: PAY,
      line: expect.any(Number),
      column: expect.any(Number),
      rule: 'policy/unknown',
      severity: 'error',
      message: expect.any(String),
    });
    expect(bad.stderr).toBe('');
  });

  it('plan: every step kind the template yields, and the invalid form', async () => {
    const r = await rekey(repo.dir, ['plan', ...NOW, '--json']);
    expect(r.code).toBe(0);
    const out = report('plan', r.stdout);
    expect(out).toMatchObject({ ok: true, now: '2026-12-10T10:00:00Z', diagnostics: [] });
    const kinds = (out.steps as { kind: string }[]).map((s) => s.kind);
    expect(kinds).toContain('rotate');

    // Outside git, plan says ages come from `created`: prose, so on stderr; stdout stays JSON.
    const plain = mkdtempSync(join(tmpdir(), 'rekey-json-'));
    try {
      for (const p of ['.sops.yaml', 'policies', 'keys-manifest'])
        cpSync(join(repo.dir, p), join(plain, p), { recursive: true });
      const nogit = await rekey(plain, ['plan', ...NOW, '--json']);
      expect(nogit.code).toBe(0);
      expect(nogit.stderr).toMatch(/^note: .* ages come from `created` times/);
      expect(report('plan', nogit.stdout).ok).toBe(true);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }

    // plan reads HEAD (its history), so the invalid manifest is committed, then taken back.
    edit(repo.dir, PAY, (t) => t.replace('policy: standard', 'policy: nope'));
    git(repo.dir, 'commit', '-qam', 'invalid');
    const bad = await rekey(repo.dir, ['plan', ...NOW, '--json']);
    git(repo.dir, 'reset', '-q', '--hard', 'HEAD~1');
    expect(bad.code).toBe(1);
    const invalid = report('plan', bad.stdout);
    expect(invalid).toMatchObject({ ok: false });
    expect(invalid).not.toHaveProperty('steps');
  });

  it('verify: a change with moves (new versions have from: null) and violations', async () => {
    edit(repo.dir, 'keys-manifest/infra/deploy-ssh/key.yaml', (t) =>
      t.replace('version: 2, state: deactivated', 'version: 2, state: destroyed'),
    );
    const r = await rekey(repo.dir, ['verify', '--base', 'main', ...NOW, '--json']);
    const text = await rekey(repo.dir, ['verify', '--base', 'main', ...NOW]);
    expect(r.code).toBe(text.code);
    const out = report('verify', r.stdout);
    expect(out).toMatchObject({ base: 'main', head: 'working tree' });
    expect((out.keys as { keyId: string }[]).map((k) => k.keyId)).toContain('infra/deploy-ssh');
    expect(out.ok).toBe(r.code === 0);

    const same = await rekey(repo.dir, ['verify', '--base', 'main', '--head', 'main', '--json']);
    expect(same.code).toBe(0);
    expect(report('verify', same.stdout)).toMatchObject({ ok: true, kind: 'none', keys: [] });
  });

  it('doctor: --json and --format json print the same report; findings carry file and line', async () => {
    const a = await rekey(repo.dir, ['doctor', ...NOW, '--json']);
    const b = await rekey(repo.dir, ['doctor', ...NOW, '--format', 'json']);
    const text = await rekey(repo.dir, ['doctor', ...NOW]);
    expect(a.stdout).toBe(b.stdout);
    expect(a.code).toBe(text.code);
    const out = report('doctor', a.stdout);
    const findings = out.findings as { file: string | null; severity: string }[];
    expect(findings.length).toBeGreaterThan(0);
    expect(out.ok).toBe(!findings.some((f) => f.severity === 'error'));
    expect(findings.some((f) => typeof f.file === 'string')).toBe(true);
    expect(out.skipped).toEqual(
      expect.arrayContaining([expect.objectContaining({ check: expect.any(String) })]),
    );
  });

  it('audit: --json prints rekey.audit/v1 on stdout, the summary on stderr, and writes no file', async () => {
    const r = await rekey(repo.dir, ['audit', ...NOW, '--json']);
    const out = report('audit', r.stdout);
    expect(r.code).toBe((out.findings as unknown[]).length === 0 ? 0 : 1);
    expect(r.stderr).toMatch(/^audit of .* at HEAD: 3 keys, 1 manifest commit/);
    expect(r.stderr).not.toMatch(/wrote /);
    expect(git(repo.dir, 'status', '--porcelain')).toBe('');
  });

  it('audit: --out - prints the one format asked for; more than one, or --json with --out DIR, is a usage error', async () => {
    const md = await rekey(repo.dir, ['audit', ...NOW, '--format', 'md', '--out', '-']);
    expect(md.stdout).toMatch(/^# /);
    expect(md.stderr).toMatch(/^audit of /);
    const json = await rekey(repo.dir, ['audit', ...NOW, '--format', 'json', '--out', '-']);
    expect(json.stdout).toBe((await rekey(repo.dir, ['audit', ...NOW, '--json'])).stdout);
    for (const args of [
      ['--out', '-'],
      ['--out', '-', '--format', 'md,csv'],
      ['--json', '--out', 'dir'],
      ['--json', '--format', 'md'],
    ]) {
      const r = await rekey(repo.dir, ['audit', ...NOW, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
    }
    expect(git(repo.dir, 'status', '--porcelain')).toBe('');
  });
});

describe('no secret in any --json report', () => {
  it('a decrypted value pasted into key.yaml and a material file is flagged, never echoed', async () => {
    const material = 'keys-manifest/payments/webhook-signing/v2.sops.yaml';
    const plain = await rekey(repo.dir, ['sops', 'decrypt', material], {
      SOPS_AGE_KEY_FILE: demoIdentityFile,
    });
    expect(plain.code).toBe(0);
    const secret = /secret: "?([^"\n]+)"?/.exec(plain.stdout)![1]!;
    canary.register(secret, 'webhook-signing v2');
    // The mistakes a person makes: the value in a description, the material decrypted in place.
    edit(repo.dir, PAY, (t) =>
      t.replace(/^description: .*$/m, `description: ${JSON.stringify(secret)}`),
    );
    edit(repo.dir, material, () => plain.stdout);
    // The canary sees the value where it was pasted (so a report echoing it would fail).
    expect(() => canary.assertAbsent(readFileSync(join(repo.dir, PAY), 'utf8'), PAY)).toThrow();
    const runs = {
      validate: await rekey(repo.dir, ['validate', '--json']),
      plan: await rekey(repo.dir, ['plan', ...NOW, '--json']),
      verify: await rekey(repo.dir, ['verify', '--base', 'main', ...NOW, '--json']),
      doctor: await rekey(repo.dir, ['doctor', ...NOW, '--json']),
    };
    expect(runs.validate.code).toBe(1);
    expect(runs.verify.code).toBe(1);
    for (const [command, r] of Object.entries(runs)) {
      report(command as ReportCommand, r.stdout);
      canary.scan({ [`${command} stdout`]: r.stdout, [`${command} stderr`]: r.stderr });
    }
    // Committed, so the audit's history holds it too.
    git(repo.dir, 'commit', '-qam', 'oops');
    try {
      const audit = await rekey(repo.dir, ['audit', ...NOW, '--json']);
      report('audit', audit.stdout);
      canary.scan({ 'audit stdout': audit.stdout, 'audit stderr': audit.stderr });
    } finally {
      git(repo.dir, 'reset', '-q', '--hard', 'HEAD~1');
    }
  });
});
