// `rekey audit` end to end: main() in-process over a real git repository, without a token and
// with one against the GitHub emulator (the origin remote points at it).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryFromRemote } from '../../src/cli/commands/audit.ts';
import { type Emulator, startEmulator } from '../../src/sandbox/emulator/index.ts';
import { GitRepo, keyYaml, material, POLICY } from '../core/audit/git-history.ts';
import { main } from '../../src/cli/main.ts';
import { rekey } from './harness.ts';
import { report } from './json-report.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rekey-cli-audit-'));
let repo: GitRepo;
const c: Record<string, string> = {};

beforeAll(async () => {
  repo = await GitRepo.init(join(tmp, 'repo'));
  await repo.write('policies/standard.yaml', POLICY);
  await repo.write('keys-manifest/pay/key.yaml', keyYaml('pay', [[1, 'active']]));
  await repo.write('keys-manifest/pay/v1.sops.yaml', material('pay', 1));
  c.init = await repo.commit('set up', '2026-01-01T00:00:00Z');
  await repo.write(
    'keys-manifest/pay/key.yaml',
    keyYaml('pay', [
      [2, 'active'],
      [1, 'deactivated'],
    ]),
  );
  await repo.write('keys-manifest/pay/v2.sops.yaml', material('pay', 2));
  c.rotate = await repo.commit('rekey: rotate pay to v2', '2026-05-01T00:00:00Z');
  await repo.write(
    'keys-manifest/pay/key.yaml',
    keyYaml('pay', [
      [2, 'active'],
      [1, 'destroyed'],
    ]),
  );
  c.revoke = await repo.commit('destroy v1 by hand', '2026-05-05T00:00:00Z');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('rekey audit', () => {
  it('writes all four formats and exits 1 with the findings listed', async () => {
    const out = join(tmp, 'out-all');
    const r = await rekey(repo.dir, ['audit', '--out', out, '--now', '2026-05-10T00:00:00Z']);
    expect(r.code).toBe(1);
    expect(readdirSync(out).sort()).toEqual(['audit.csv', 'audit.html', 'audit.json', 'audit.md']);
    expect(r.stdout).toContain(
      'audit/cryptoperiod-exceeded pay v1: v1 of pay was active from 2026-01-01T00:00:00Z to 2026-05-01T00:00:00Z, 30 d longer',
    );
    expect(r.stdout).toContain('audit/material-not-removed pay v1');
    expect(r.stdout).toMatch(/not checked: approvals .*no token/);
    const json = JSON.parse(readFileSync(join(out, 'audit.json'), 'utf8'));
    expect(json.schema).toBe('rekey.audit/v1');
    expect(json.head).toBe(c.revoke);
    expect(json.findings.map((f: { commits: { sha: string }[] }) => f.commits[0]!.sha)).toEqual([
      c.init,
      c.revoke,
    ]);
  });

  it('writes only the formats asked for; --since filters findings', async () => {
    const out = join(tmp, 'out-some');
    const r = await rekey(repo.dir, [
      'audit',
      '--out',
      out,
      '--format',
      'json,csv',
      '--since',
      '2026-05-02',
      '--now',
      '2026-05-10T00:00:00Z',
    ]);
    expect(readdirSync(out).sort()).toEqual(['audit.csv', 'audit.json']);
    expect(r.stdout).not.toContain('cryptoperiod-exceeded');
    expect(r.stdout).toContain('material-not-removed');
  });

  it('refuses a shallow clone (the check runs beside the history pass) and writes nothing', async () => {
    const clone = join(tmp, 'shallow');
    await repo.git(['clone', '-q', '--depth', '1', `file://${repo.dir}`, clone]);
    const out = join(tmp, 'out-shallow');
    const r = await rekey(clone, ['audit', '--out', out, '--now', '2026-05-10T00:00:00Z']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/shallow.*fetch-depth: 0/);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    [['--format', 'xml'], /--format is one of md, json, csv, html/],
    [['--since', 'yesterday'], /--since expects a date/],
    [['--max-calls', 'many'], /--max-calls expects a whole number/],
  ])('refuses %j with exit 2', async (args, message) => {
    const r = await rekey(repo.dir, ['audit', '--out', join(tmp, 'never'), ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });
});

describe('rekey audit with a token', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ now: () => new Date('2026-05-06T00:00:00Z') });
    const state = await emu.addRepo({ fullName: 'acme/infra', files: {} });
    // The emulator serves git read-only: the history goes straight into its bare repository.
    await repo.git(['push', '-q', state.git.dir, 'main']);
    await repo.git(['remote', 'add', 'origin', `${emu.serverUrl}/acme/infra.git`]);
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('reads GitHub through the token in the environment: every manifest commit was a direct push', async () => {
    const token = emu.addToken({
      kind: 'github-actions',
      permissions: { contents: 'read', pull_requests: 'read', statuses: 'read' },
    });
    const out = join(tmp, 'out-token');
    const r = await rekey(repo.dir, ['audit', '--out', out, '--now', '2026-05-10T00:00:00Z'], {
      GITHUB_TOKEN: token,
      GITHUB_API_URL: emu.apiUrl,
      GITHUB_SERVER_URL: emu.serverUrl,
      PATH: process.env.PATH ?? '',
    });
    const json = JSON.parse(readFileSync(join(out, 'audit.json'), 'utf8'));
    expect(json.repository).toBe('acme/infra');
    expect(json.github.enriched).toBe(true);
    const direct = json.findings.filter((f: { rule: string }) => f.rule === 'audit/direct-push');
    // The first commit created the repository; the two after it were pushed directly.
    expect(direct.map((f: { commits: { sha: string }[] }) => f.commits[0]!.sha)).toEqual([
      c.rotate,
      c.revoke,
    ]);
    // v1 was destroyed with no rekey/distribution status anywhere.
    expect(json.findings.map((f: { rule: string }) => f.rule)).toContain(
      'audit/destroyed-unproven',
    );
    // Statuses: only the rotation commit, between v2's activation and v1's destruction (1);
    // pull requests: one list per manifest commit, none merged (3).
    expect(json.github.calls).toBe(4);
    expect(r.stdout).toContain('GitHub calls: 4 of at most 300');
    expect(direct[0].commits[0].url).toBe(`${emu.serverUrl}/acme/infra/commit/${c.rotate}`);

    // --json: the same report on stdout (rekey.audit/v1, valid against its schema), prose on stderr.
    const j = await rekey(repo.dir, ['audit', '--json', '--now', '2026-05-10T00:00:00Z'], {
      GITHUB_TOKEN: token,
      GITHUB_API_URL: emu.apiUrl,
      GITHUB_SERVER_URL: emu.serverUrl,
      PATH: process.env.PATH ?? '',
    });
    expect(j.code).toBe(r.code);
    expect(report('audit', j.stdout)).toMatchObject({
      repository: 'acme/infra',
      findings: json.findings,
    });
    expect(j.stderr).toContain('GitHub calls: 4 of at most 300');
  });

  it('prints progress on stderr while GitHub is read per manifest commit; stdout stays JSON', async () => {
    const token = emu.addToken({
      kind: 'github-actions',
      permissions: { contents: 'read', pull_requests: 'read', statuses: 'read' },
    });
    // A clock that moves 5 s each time it is read: the lines come from the work, not a timer.
    let t = Date.parse('2026-05-10T00:00:00Z');
    let stdout = '';
    let stderr = '';
    const code = await main(['audit', '--json', '--dir', repo.dir], {
      cwd: repo.dir,
      env: {
        HOME: repo.dir,
        GITHUB_TOKEN: token,
        GITHUB_API_URL: emu.apiUrl,
        GITHUB_SERVER_URL: emu.serverUrl,
        PATH: process.env.PATH ?? '',
      },
      stdout: (x) => void (stdout += String(x)),
      stderr: (x) => void (stderr += x),
      stdin: async () => new Uint8Array(),
      now: () => new Date((t += 5_000)),
      isTty: false,
    });
    expect(code).toBe(1);
    expect(report('audit', stdout).github).toMatchObject({ enriched: true });
    const lines = stderr.split('\n').filter((l) => l.startsWith('audit: '));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines.slice(0, -1))
      expect(l).toMatch(
        /^audit: [0-3]\/3 manifest commits \(\d+%\), \d+s elapsed, (about \d+s left|no estimate yet)$/,
      );
    expect(lines.at(-1)).toMatch(/^audit: 3\/3 manifest commits in \d+s$/);
  });
});

describe('repositoryFromRemote', () => {
  it.each([
    ['https://github.com/acme/infra.git', 'acme/infra'],
    ['https://github.com/acme/infra', 'acme/infra'],
    ['git@github.com:acme/infra.git', 'acme/infra'],
    ['ssh://git@github.example.com/acme/infra.git', 'acme/infra'],
    ['http://127.0.0.1:4000/acme/infra.git', 'acme/infra'],
    ['/srv/git/infra.git', undefined],
    ['https://github.com/acme', undefined],
  ])('%s -> %s', (url, repo) => {
    expect(repositoryFromRemote(url)).toBe(repo);
  });
});
