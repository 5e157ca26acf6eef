// The audit action as the runner runs it: the esbuild bundle of src/actions/audit.ts in a child
// process, with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and INPUT_*, in a real git checkout.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitRepo, keyYaml, material, POLICY } from '../core/audit/git-history.ts';
import { bundleAction, runBundle } from './runner.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rekey-audit-action-'));
let bundle: string;
let repo: GitRepo;
let head: string;

beforeAll(async () => {
  bundle = await bundleAction('audit', tmp);
  repo = await GitRepo.init(join(tmp, 'work'));
  await repo.write('policies/standard.yaml', POLICY);
  await repo.write('keys-manifest/pay/key.yaml', keyYaml('pay', [[1, 'active']]));
  await repo.write('keys-manifest/pay/v1.sops.yaml', material('pay', 1));
  // Active since 2020: far past its 90-day cryptoperiod whenever the test runs.
  head = await repo.commit('set up', '2020-01-01T00:00:00Z');
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (inputs: Record<string, string>) =>
  runBundle({
    bundle,
    tmp,
    workspace: repo.dir,
    eventName: 'schedule',
    event: { repository: { default_branch: 'main' } },
    env: {
      GITHUB_REPOSITORY: 'acme/infra',
      GITHUB_SHA: head,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SERVER_URL: 'https://github.com',
    },
    inputs,
  });

describe('the audit action bundle', () => {
  it('writes the report, the Markdown with a gantt to the summary, and the outputs; passes by default', async () => {
    const dir = join(tmp, 'report-default');
    const r = await run({ token: '', 'report-dir': dir });
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ findings: '1', 'report-dir': dir });
    expect(readdirSync(dir).sort()).toEqual(['audit.csv', 'audit.html', 'audit.json', 'audit.md']);
    expect(r.summary).toContain('```mermaid\ngantt');
    expect(r.summary).toContain('audit/cryptoperiod-exceeded');
    expect(r.summary).toMatch(/approvals .*the token input is empty/);
    expect(r.stdout).toContain('::warning title=audit/cryptoperiod-exceeded::');
    expect(readFileSync(join(dir, 'audit.md'), 'utf8')).toContain(
      `https://github.com/acme/infra/commit/${head}`,
    );
  });

  it('fails when fail-on-findings asks it to, and writes only the formats asked for', async () => {
    const dir = join(tmp, 'report-fail');
    const r = await run({
      token: '',
      'report-dir': dir,
      'fail-on-findings': 'true',
      formats: 'json',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::rekey audit: 1 finding/);
    expect(readdirSync(dir)).toEqual(['audit.json']);
  });

  it('refuses an unknown format before writing anything', async () => {
    const dir = join(tmp, 'report-bad');
    const r = await run({ token: '', 'report-dir': dir, formats: 'pdf' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::formats: one or more of md, json, csv, html, not pdf/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('the audit action inputs', () => {
  it('refuses a since that is not a real date', async () => {
    const r = await run({
      token: '',
      'report-dir': join(tmp, 'report-since'),
      since: '2026-13-45',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::invalid inputs: since: not a real date/);
  });
});
