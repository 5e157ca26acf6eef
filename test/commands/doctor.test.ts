// rekey doctor against the loopback emulator: a repository set up as DESIGN.md asks gets no
// error, and each way of getting it wrong is found, located and given its fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepoSettingsAdapter } from '../../src/adapters/github/repo-settings.ts';
import { createReviewerLookupAdapter } from '../../src/adapters/github/reviewers.ts';
import { doctor, REMOTE_CHECKS } from '../../src/commands/doctor.ts';
import { DEMO_RECIPIENT } from '../../src/core/doctor/demo-recipient.ts';
import { DOCTOR_RULES } from '../../src/core/doctor/findings.ts';
import type { DoctorReport } from '../../src/core/doctor/report.ts';
import { type Emulator, startEmulator } from '../../src/sandbox/emulator/index.ts';
import { addWorkflowRun, setWorkflowState } from '../../src/sandbox/emulator/routes/actions.ts';
import { createGitHubClient } from '../../src/adapters/github/client.ts';
import { openApiValidator } from '../support/openapi.ts';
import { goodRepo, KEY, mutating, SCHEDULE, tree } from '../core/doctor/fixtures.ts';

const NOW = new Date('2026-11-22T12:00:00Z');
let emu: Emulator;
const READ = {
  actions: 'read',
  administration: 'read',
  contents: 'read',
  members: 'read',
} as const;

const settings = (fullName: string, permissions: Record<string, 'read'> = READ) => {
  const [owner = '', repo = ''] = fullName.split('/');
  const client = createGitHubClient({
    token: emu.addToken({ kind: 'app', login: 'doctor', permissions }),
    apiUrl: emu.apiUrl,
    serverUrl: emu.serverUrl,
    fetch: globalThis.fetch,
    throttle: { enabled: false },
    retry: { enabled: false },
  });
  return {
    settings: createRepoSettingsAdapter(client, { owner, repo }),
    reviewers: createReviewerLookupAdapter(client, { owner, repo }),
  };
};

beforeAll(async () => {
  emu = await startEmulator({ validator: openApiValidator(), now: () => NOW });

  // Well set up: rulesets require the check and a review, schedules ran this morning.
  await emu.addRepo({ fullName: 'acme/good', files: goodRepo() });
  emu.addTeam('acme', 'payments', { 'acme/good': 'write' });
  emu.setBranchRules('acme/good', 'main', [
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
    addWorkflowRun(emu.repo('acme/good'), `.github/workflows/${wf}.yml`, {
      event: 'schedule',
      createdAt: '2026-11-22T07:40:00Z',
    });

  // Badly set up, remotely: no protection, rotate disabled, revoke never ran.
  await emu.addRepo({ fullName: 'acme/bad', files: goodRepo() });
  setWorkflowState(emu.repo('acme/bad'), '.github/workflows/rotate.yml', 'disabled_inactivity');
});
afterAll(async () => {
  emu.assertNoInvalidRequests();
  await emu.close();
});

/** Every rule any test here saw: the last test checks that each doctor rule was triggered. */
const seen = new Set<string>();
const rulesOf = (r: DoctorReport) => {
  const rules = r.findings.map((f) => f.rule);
  for (const rule of rules) seen.add(rule);
  return rules;
};

describe('rekey doctor', () => {
  it('finds no error (and no warning) in a well set-up repository', async () => {
    emu.clearLog();
    const r = await doctor(
      { tree: tree(goodRepo()), now: NOW, token: { kind: 'app-installation' } },
      settings('acme/good'),
    );
    expect(r.findings).toEqual([]);
    expect(r.errors).toBe(0);
    expect(r.skipped).toEqual([]);
    expect(r.checked).toEqual(expect.arrayContaining([...REMOTE_CHECKS]));
    // repo, rules, protection, workflows, runs of the two scheduled ones, the org's teams;
    // all reads.
    expect(emu.requestLog.every((e) => e.method === 'GET')).toBe(true);
    expect(emu.calls()).toBe(7);
  });

  it('accepts classic protection instead of rulesets', async () => {
    await emu.addRepo({ fullName: 'acme/classic', files: goodRepo() });
    emu.setBranchProtection('acme/classic', 'main', {
      required_approving_review_count: 1,
      require_code_owner_reviews: true,
      required_status_checks: ['rekey verify'],
      strict: true,
    });
    for (const wf of ['rotate', 'revoke'])
      addWorkflowRun(emu.repo('acme/classic'), `.github/workflows/${wf}.yml`, {
        event: 'schedule',
        createdAt: '2026-11-22T07:40:00Z',
      });
    const r = await doctor(
      { tree: tree(goodRepo()), now: NOW, token: { kind: 'app-installation' } },
      settings('acme/classic'),
    );
    expect(rulesOf(r)).toEqual([]);
    expect(r.errors).toBe(0);
  });

  it('requires code owner review, and up-to-date branches or a merge queue, as errors', async () => {
    await emu.addRepo({ fullName: 'acme/loose', files: goodRepo() });
    emu.setBranchProtection('acme/loose', 'main', {
      required_approving_review_count: 1,
      required_status_checks: ['rekey verify'],
    });
    const r = await doctor(
      { tree: tree(goodRepo()), now: NOW, token: { kind: 'app-installation' } },
      settings('acme/loose'),
    );
    expect(rulesOf(r).filter((x) => x.startsWith('doctor/protection'))).toEqual([
      'doctor/protection-code-owners',
      'doctor/protection-stale-verdict',
    ]);
    expect(r.findings.every((f) => f.severity === 'error' || f.rule.includes('schedule'))).toBe(
      true,
    );
  });

  it('finds every remote problem of a badly set-up repository, each with its fix', async () => {
    const local = goodRepo();
    // A scheduled workflow that exists only in the checkout, not on GitHub's default branch.
    local['.github/workflows/audit.yml'] = mutating('audit', SCHEDULE('0 5 * * 1'));
    const r = await doctor(
      { tree: tree(local), now: NOW, token: { kind: 'personal-access-token' } },
      settings('acme/bad'),
    );
    expect(rulesOf(r).sort()).toEqual(
      [
        'doctor/protection-missing',
        'doctor/schedule-disabled',
        'doctor/schedule-never-ran',
        'doctor/schedule-not-on-default-branch',
        'doctor/token-classic-pat',
      ].sort(),
    );
    for (const f of r.findings)
      expect(f).toMatchObject(DOCTOR_RULES[f.rule as keyof typeof DOCTOR_RULES]);
    expect(r.findings.find((f) => f.rule === 'doctor/schedule-disabled')?.message).toMatch(
      /rotate\.yml is disabled inactivity/,
    );
    expect(r.errors).toBe(3);
  });

  it('finds a stale and a failing schedule, and rulesets that require neither check nor review', async () => {
    await emu.addRepo({ fullName: 'acme/stale', files: goodRepo() });
    emu.setBranchRules('acme/stale', 'main', [{ type: 'deletion' }]);
    const repo = emu.repo('acme/stale');
    addWorkflowRun(repo, '.github/workflows/rotate.yml', {
      event: 'schedule',
      createdAt: '2026-11-10T06:17:00Z',
    });
    addWorkflowRun(repo, '.github/workflows/revoke.yml', {
      event: 'schedule',
      createdAt: '2026-11-22T07:37:00Z',
      conclusion: 'failure',
    });
    const r = await doctor(
      { tree: tree(goodRepo()), now: NOW, token: { kind: 'app-installation' } },
      settings('acme/stale'),
    );
    expect(rulesOf(r).sort()).toEqual([
      'doctor/protection-reviews',
      'doctor/protection-verify-check',
      'doctor/schedule-failing',
      'doctor/schedule-stale',
    ]);
    expect(r.findings.find((f) => f.rule === 'doctor/schedule-stale')?.message).toMatch(
      /12 days ago/,
    );
  });

  it('says which checks it skipped, and why, when the token may not read them', async () => {
    await emu.addRepo({ fullName: 'acme/narrow', files: goodRepo() });
    emu.setBranchRules('acme/narrow', 'main', [
      {
        type: 'pull_request',
        parameters: { required_approving_review_count: 1, require_code_owner_review: true },
      },
    ]);
    const r = await doctor(
      { tree: tree(goodRepo()), now: NOW, token: { kind: 'app-installation' } },
      settings('acme/narrow', { contents: 'read' }),
    );
    expect(rulesOf(r)).toEqual(['doctor/protection-unreadable']);
    expect(r.findings[0]!.message).toMatch(/403 forbidden; the token needs administration=read/);
    expect(r.skipped).toEqual([
      { check: 'scheduled-workflows', reason: '403 forbidden; the token needs actions=read' },
      {
        check: 'reviewers',
        reason:
          'the teams of acme could not be listed: 403 forbidden; the token needs members=read',
      },
    ]);
  });

  it('runs the local checks only without a token, and lists the remote ones as skipped', async () => {
    const r = await doctor({
      tree: tree(goodRepo()),
      now: NOW,
      token: { missing: 'no token given' },
    });
    expect(r.findings).toEqual([]);
    expect(r.skipped).toEqual(REMOTE_CHECKS.map((check) => ({ check, reason: 'no token given' })));
    expect(r.checked).not.toContain('branch-protection');
  });

  // The local ways to get it wrong, each on the badly set-up repository: together with the
  // remote cases above, every doctor rule is triggered against the emulator, with its fix.
  const rotate = '.github/workflows/rotate.yml';
  const LOCAL: readonly [string, (f: Record<string, string>) => void][] = [
    ['no verify workflow', (f) => delete f['.github/workflows/verify.yml']],
    [
      'rotate unpinned, outside the group, given GITHUB_TOKEN',
      (f) =>
        (f[rotate] = mutating('rotate', SCHEDULE('17 6 * * *'), '${{ github.token }}')
          .replace('group: rekey-mutations', 'group: x')
          .replace(/checkout@[0-9a-f]{40}/, 'checkout@v7')),
    ],
    [
      'revoke given a PAT',
      (f) =>
        (f['.github/workflows/revoke.yml'] = mutating(
          'revoke',
          SCHEDULE('37 7 * * *'),
          '${{ secrets.PAT }}',
        )),
    ],
    [
      'no CODEOWNERS, no .sops.yaml',
      (f) => (delete f['.github/CODEOWNERS'], delete f['.sops.yaml']),
    ],
    [
      'CODEOWNERS gaps and a skipped line, .sops.yaml misread',
      (f) => {
        f['.github/CODEOWNERS'] = '* @acme/all\n/keys-manifest/\n/.github/\n[ab] @x\n';
        f['.sops.yaml'] =
          'creation_rules:\n  - path_regexp: ^keys-manifest/\n    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n';
      },
    ],
    [
      'no rule for keys-manifest',
      (f) => (f['.sops.yaml'] = f['.sops.yaml']!.replace('^keys-manifest/', '^elsewhere/')),
    ],
    [
      'everything encrypted',
      (f) => (f['.sops.yaml'] = f['.sops.yaml']!.replace('    encrypted_regex: ^secret$\n', '')),
    ],
    ['distribution statuses from anyone', (f) => delete f['policies/pipeline.yaml']],
    [
      'one owner-wide token for the keys repository and the targets',
      (f) =>
        (f['.github/workflows/distribute.yml'] = f['.github/workflows/distribute.yml']!.replace(
          '          targets-token: ${{ steps.targets-app.outputs.token }}\n',
          '',
        ).replace(
          '          permission-contents: write\n',
          '          owner: acme\n          permission-contents: write\n',
        )),
    ],
    [
      'an OIDC token no target uses',
      (f) =>
        (f['.github/workflows/distribute.yml'] = f['.github/workflows/distribute.yml']!.replace(
          '      contents: read\n',
          '      contents: read\n      id-token: write\n',
        )),
    ],
    [
      'an aws-secret target without the OIDC token',
      (f) =>
        (f['keys-manifest/payments/webhook/key.yaml'] = f[
          'keys-manifest/payments/webhook/key.yaml'
        ]!.replace(
          'targets: []',
          'targets:\n  - kind: aws-secret\n    secret-id: prod/webhook\n    region: eu-central-1',
        )),
    ],
  ];
  it.each(LOCAL)('finds a local problem: %s', async (_what, change) => {
    const files = goodRepo();
    change(files);
    const r = await doctor(
      { tree: tree(files), now: NOW, token: { kind: 'app-installation' } },
      settings('acme/good'),
    );
    expect(rulesOf(r).length).toBeGreaterThan(0);
    for (const f of r.findings) {
      expect(f.fix.length).toBeGreaterThan(20);
      if (f.file) expect(f.where.startsWith(f.file)).toBe(true);
    }
  });

  it('finds a merge queue waiting for a verify workflow that does not run on merge_group', async () => {
    await emu.addRepo({ fullName: 'acme/queue', files: goodRepo() });
    emu.setBranchRules('acme/queue', 'main', [
      {
        type: 'pull_request',
        parameters: { required_approving_review_count: 1, require_code_owner_review: true },
      },
      {
        type: 'required_status_checks',
        parameters: { required_status_checks: [{ context: 'rekey verify' }] },
      },
      { type: 'merge_queue', parameters: { merge_method: 'SQUASH' } },
    ]);
    const files = goodRepo();
    files['.github/workflows/verify.yml'] = files['.github/workflows/verify.yml']!.replace(
      '  merge_group:\n',
      '',
    );
    const r = await doctor(
      { tree: tree(files), now: NOW, token: { kind: 'app-installation' } },
      settings('acme/queue'),
    );
    expect(rulesOf(r).filter((x) => !x.includes('schedule'))).toEqual([
      'doctor/verify-merge-group',
    ]);
  });

  it('reports the published demo recipient in .sops.yaml as an error', async () => {
    const files = goodRepo();
    files['.sops.yaml'] = files['.sops.yaml']!.replace(/age: age1\S+/, `age: ${DEMO_RECIPIENT}`);
    const r = await doctor(
      { tree: tree(files), now: NOW, token: { kind: 'app-installation' } },
      settings('acme/good'),
    );
    expect(rulesOf(r)).toEqual(['doctor/demo-recipient']);
    expect(r.errors).toBe(1);
  });

  it('finds owners and reviewers GitHub would refuse in a review request, each located', async () => {
    const files = {
      ...goodRepo(),
      'keys-manifest/payments/webhook/key.yaml': KEY.replace('"@acme/payments"', '"@ghost"'),
      'keys-manifest/payments/api/key.yaml': KEY.replace('"@acme/payments"', '"@acme/gone"'),
      'policies/standard.yaml': [
        'name: standard',
        'cryptoperiod: 90d',
        'rotate-before: 14d',
        'grace: 7d',
        'approvals: 1',
        'reviewers: ["@reader", "@writer", "@elsewhere/security", "@outsider"]',
        'emergency: { reviewers: ["@acme/security"], approvals: 1 }',
        '',
      ].join('\n'),
    };
    await emu.addRepo({ fullName: 'acme/people', files });
    emu.clearLog();
    emu.addTeam('acme', 'security', { 'acme/people': 'write' });
    emu.setCollaborator('acme/people', 'reader', 'read');
    emu.setCollaborator('acme/people', 'writer', 'maintain');
    emu.setCollaborator('acme/people', 'outsider', null);
    const r = await doctor(
      { tree: tree(files), now: NOW, token: { kind: 'app-installation' } },
      settings('acme/people'),
    );
    const about = r.findings
      .filter((f) => f.rule.startsWith('doctor/reviewer-'))
      .map((f) => [f.rule, f.where, f.message]);
    // Errors first, then warnings (doctorReport's order).
    expect(about).toEqual([
      [
        'doctor/reviewer-unresolvable',
        'keys-manifest/payments/api/key.yaml:3:1',
        expect.stringMatching(/@acme\/gone is not a team of acme/),
      ],
      [
        'doctor/reviewer-unresolvable',
        'keys-manifest/payments/webhook/key.yaml:3:1',
        '@ghost: GitHub knows no such user',
      ],
      [
        'doctor/reviewer-unresolvable',
        'policies/standard.yaml:6:35',
        expect.stringMatching(/team of elsewhere, but the repository belongs to acme/),
      ],
      [
        'doctor/reviewer-unresolvable',
        'policies/standard.yaml:6:58',
        '@outsider has no access to the repository',
      ],
      [
        'doctor/reviewer-cannot-approve',
        'policies/standard.yaml:6:13',
        expect.stringMatching(/@reader has read access only/),
      ],
    ]);
    for (const f of r.findings) rulesOf({ ...r, findings: [f] });
    expect(r.checked).toContain('reviewers');
    // One teams listing for the organization, one lookup per distinct user.
    expect(emu.calls('GET /orgs/{org}/teams')).toBe(1);
    expect(emu.calls('GET /repos/{owner}/{repo}/collaborators/{username}/permission')).toBe(4);
  });

  it('reports a mutating workflow whose group does not queue, once, as an error', async () => {
    const files = goodRepo();
    files['.github/workflows/revoke.yml'] = files['.github/workflows/revoke.yml']!.replace(
      '  queue: max\n',
      '',
    );
    const r = await doctor(
      { tree: tree(files), now: NOW, token: { kind: 'app-installation' } },
      settings('acme/good'),
    );
    // doctor's own rule, not also the linter's workflow/rekey-queue at the same place.
    expect(rulesOf(r).filter((x) => !x.includes('schedule'))).toEqual(['doctor/mutations-queue']);
    expect(r.findings.find((f) => f.rule === 'doctor/mutations-queue')).toMatchObject({
      severity: 'error',
      file: '.github/workflows/revoke.yml',
      message: expect.stringContaining('rekey revoke'),
    });
  });

  it('has triggered every doctor rule, and a workflow rule', () => {
    const missing = Object.keys(DOCTOR_RULES).filter((rule) => !seen.has(rule));
    expect(missing).toEqual([]);
    expect(seen).toContain('workflow/unpinned-action');
  });
});
