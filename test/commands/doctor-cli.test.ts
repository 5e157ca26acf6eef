// `rekey doctor` from the command line: a checkout on disk, the emulator as GitHub.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/sandbox/emulator/index.ts';
import { addWorkflowRun } from '../../src/sandbox/emulator/routes/actions.ts';
import { rekey } from '../cli/harness.ts';
import { openApiValidator } from '../support/openapi.ts';
import { goodRepo } from '../core/doctor/fixtures.ts';

let emu: Emulator;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  emu = await startEmulator({
    validator: openApiValidator(),
    now: () => new Date('2026-11-22T12:00:00Z'),
  });
  await emu.addRepo({ fullName: 'acme/infra', files: goodRepo() });
  emu.setBranchRules('acme/infra', 'main', [
    {
      type: 'pull_request',
      parameters: { required_approving_review_count: 1, require_code_owner_review: true },
    },
    {
      type: 'required_status_checks',
      parameters: {
        required_status_checks: [{ context: 'rekey verify' }],
        strict_required_status_checks_policy: true,
      },
    },
  ]);
  for (const wf of ['rotate', 'revoke'])
    addWorkflowRun(emu.repo('acme/infra'), `.github/workflows/${wf}.yml`, {
      event: 'schedule',
      createdAt: '2026-11-22T07:40:00Z',
    });
  dir = mkdtempSync(join(tmpdir(), 'rekey-doctor-'));
  for (const [path, text] of Object.entries(goodRepo())) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  env = {
    REKEY_TOKEN: emu.addToken({
      kind: 'app',
      permissions: { actions: 'read', administration: 'read' },
    }),
    GITHUB_API_URL: emu.apiUrl,
    GITHUB_SERVER_URL: emu.serverUrl,
    GITHUB_REPOSITORY: 'acme/infra',
  };
});
afterAll(async () => {
  emu.assertNoInvalidRequests();
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rekey doctor (CLI)', () => {
  it('exits 0 on a well set-up repository and says it ran every check', async () => {
    const r = await rekey(dir, ['doctor'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^checked: workflows, .*branch-protection, scheduled-workflows$/m);
    expect(r.stdout).toMatch(/^0 errors, 0 warnings$/m);
    expect(r.stderr).toMatch(/GitHub App installation token/);
    expect(r.stderr).not.toContain(env.REKEY_TOKEN!);
  });

  it('exits 1 on an error, with the finding, its place and its fix, as JSON too', async () => {
    writeFileSync(join(dir, '.github/CODEOWNERS'), '* @acme/all\n/keys-manifest/\n');
    try {
      const text = await rekey(dir, ['doctor'], env);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(
        /^error: \.github\/CODEOWNERS:2: keys-manifest\/ .* ha(?:s|ve) no code owner: line 2 .* \[doctor\/codeowners-uncovered\]\n {2}fix: /m,
      );
      const json = await rekey(dir, ['doctor', '--format', 'json'], env);
      expect(json.code).toBe(1);
      const out = JSON.parse(json.stdout);
      expect(out).toMatchObject({ rekey: 1, command: 'doctor', ok: false });
      expect(out.findings[0]).toMatchObject({
        rule: 'doctor/codeowners-uncovered',
        severity: 'error',
        file: '.github/CODEOWNERS',
        line: 2,
        fix: expect.stringMatching(/last matching line wins/),
      });
    } finally {
      writeFileSync(join(dir, '.github/CODEOWNERS'), goodRepo()['.github/CODEOWNERS']!);
    }
  });

  it('without a token runs the local checks and lists the skipped remote ones', async () => {
    const r = await rekey(dir, ['doctor', '--format', 'json'], {});
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.skipped.map((s: { check: string }) => s.check)).toEqual([
      'token-kind',
      'branch-protection',
      'scheduled-workflows',
      'reviewers',
    ]);
    expect(out.skipped[0].reason).toMatch(/no token/);
  });

  it('refuses an unknown format (exit 2)', async () => {
    const r = await rekey(dir, ['doctor', '--format', 'xml'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--format is text or json/);
  });
});
