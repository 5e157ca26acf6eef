// Proves a GitHub setup in minutes: calls each REST route rekey uses once against a scratch
// repository, prints what GitHub answered (status and `x-accepted-github-permissions`, never a
// secret value) and removes what it made. Never run in CI (it needs a real token and network).
//
//   REKEY_SMOKE_TOKEN=ghs_... node scripts/smoke-github.ts --repo acme/rekey-scratch \
//     [--environment production] [--org acme] [--reviewer octocat] [--team security] \
//     [--api-url https://ghe.example.com/api/v3]
//
// Exit 0 when every call answered as expected, 1 when any did not (a 403 names the missing
// permission), 2 on bad arguments. What it cannot undo through the API is printed: a closed
// pull request and its closed issue stay, as does the label `rekey-smoke`.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { sealSecret } from '../src/adapters/targets/secrets.ts';
import { SecretValue } from '../src/core/targets/secret-value.ts';

export interface SmokeOptions {
  apiUrl: string;
  token: string;
  /** `owner/name` of a scratch repository the token may write to. */
  repo: string;
  environment?: string;
  org?: string;
  reviewer?: string;
  team?: string;
  fetch?: typeof fetch;
  log: (line: string) => void;
  /** Distinguishes the names this run creates (default: random). */
  runId?: string;
  /** The value each secret is written with (default: 24 random bytes); tests pass a canary. */
  secretValue?: () => SecretValue;
}

export interface SmokeCall {
  method: string;
  route: string;
  status: number;
  accepted: string | null;
  ok: boolean;
}

type Json = Record<string, unknown>;

/** A public key nobody holds, to seal for when the scope's own key was refused. */
function throwawayKey(): string {
  const x = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }).x ?? '';
  return Buffer.from(x, 'base64url').toString('base64');
}

/** Parameters GitHub reads with literal slashes (`git/ref/heads/a/b`, `contents/a/b.txt`). */
const SLASHED = new Set(['ref', 'path', 'basehead']);

export async function smokeGitHub(o: SmokeOptions): Promise<SmokeCall[]> {
  const doFetch = o.fetch ?? globalThis.fetch;
  const [owner = '', repo = ''] = o.repo.split('/');
  const id = o.runId ?? randomBytes(4).toString('hex');
  const calls: SmokeCall[] = [];
  const base: Record<string, string> = { owner, repo, org: o.org ?? owner };

  /** One call; `expect` lists the statuses that count as a pass besides 2xx. */
  async function call(
    method: string,
    route: string,
    params: Record<string, string | number> = {},
    body?: unknown,
    expect: number[] = [],
  ): Promise<{ status: number; data: Json }> {
    const all = { ...base, ...params };
    const path = route.replace(/\{(\w+)\}/g, (_, n: string) =>
      encodeURIComponent(String(all[n] ?? '')).replace(/%2F/g, SLASHED.has(n) ? '/' : '%2F'),
    );
    const query = method === 'GET' && all['query'] ? `?${all['query']}` : '';
    let status = 0;
    let accepted: string | null = null;
    let data: Json = {};
    try {
      const res = await doFetch(`${o.apiUrl}${path}${query}`, {
        method,
        headers: {
          authorization: `Bearer ${o.token}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      status = res.status;
      accepted = res.headers.get('x-accepted-github-permissions');
      const text = await res.text();
      data = text ? (JSON.parse(text) as Json) : {};
    } catch (e) {
      data = { message: e instanceof Error ? e.message : String(e) };
    }
    const ok = (status >= 200 && status < 300) || expect.includes(status);
    calls.push({ method, route, status, accepted, ok });
    const why = ok ? '' : `  ${String(data['message'] ?? '')}`.replace(/\s+/g, ' ').slice(0, 300);
    o.log(
      `${ok ? 'ok  ' : 'FAIL'} ${status} ${method} ${route}${accepted ? `  [accepts: ${accepted}]` : ''}${why}`,
    );
    return { status, data };
  }
  const str = (v: unknown): string => (typeof v === 'string' ? v : String(v ?? ''));
  /** A property of GitHub's answers that rekey relies on, counted like a call. */
  function check(what: string, ok: boolean, detail = ''): void {
    calls.push({ method: 'CHECK', route: what, status: 0, accepted: null, ok });
    o.log(`${ok ? 'ok  ' : 'FAIL'} CHECK ${what}${detail ? `  (${detail})` : ''}`);
  }

  const R = '/repos/{owner}/{repo}';
  const meta = await call('GET', R);
  const main = str(meta.data['default_branch'] || 'main');
  const repoId = Number(meta.data['id'] ?? 0);
  await call('GET', `${R}/branches/{branch}`, { branch: main });
  await call('GET', `${R}/rules/branches/{branch}`, { branch: main });
  await call('GET', `${R}/branches/{branch}/protection`, { branch: main }, undefined, [404]);
  // What doctor asks of each owner and reviewer: the org's teams (404 for a user account),
  // and a person's role on the repository.
  await call('GET', '/orgs/{org}/teams', { query: 'per_page=100' }, undefined, [404]);
  await call('GET', `${R}/collaborators/{username}/permission`, {
    username: o.reviewer ?? owner,
  });
  const head = await call('GET', `${R}/git/ref/{ref}`, { ref: `heads/${main}` });
  const sha = str((head.data['object'] as Json | undefined)?.['sha']);
  await call('GET', `${R}/git/matching-refs/{ref}`, { ref: 'rekey/' });
  const commit = await call('GET', `${R}/git/commits/{commit_sha}`, { commit_sha: sha });
  const tree = str((commit.data['tree'] as Json | undefined)?.['sha']);
  await call('GET', `${R}/git/trees/{tree_sha}`, { tree_sha: tree, query: 'recursive=1' });
  await call('GET', `${R}/commits/{ref}`, { ref: sha });

  // A branch with one commit, made the way rekey makes it (blob, tree, commit, ref).
  const path = `.rekey-smoke/${id}.txt`;
  const blob = await call('POST', `${R}/git/blobs`, {}, { content: `rekey smoke ${id}\n` });
  await call('GET', `${R}/git/blobs/{file_sha}`, { file_sha: str(blob.data['sha']) });
  const newTree = await call(
    'POST',
    `${R}/git/trees`,
    {},
    {
      base_tree: tree,
      tree: [{ path, mode: '100644', type: 'blob', sha: str(blob.data['sha']) }],
    },
  );
  const made = await call(
    'POST',
    `${R}/git/commits`,
    {},
    {
      message: `rekey smoke test ${id} (safe to delete)`,
      tree: str(newTree.data['sha']),
      parents: [sha],
    },
  );
  const next = str(made.data['sha']);
  const branch = `rekey-smoke/${id}`;
  await call('POST', `${R}/git/refs`, {}, { ref: `refs/heads/${branch}`, sha: next });
  await call(
    'PATCH',
    `${R}/git/refs/{ref}`,
    { ref: `heads/${branch}` },
    { sha: next, force: false },
  );
  await call('GET', `${R}/contents/{path}`, { path, query: `ref=${branch}` });
  await call('GET', `${R}/compare/{basehead}`, { basehead: `${main}...${branch}` });
  // refs/rekey/distribution is created only when absent, so a real marker is never moved.
  const dist = await call(
    'GET',
    `${R}/git/ref/{ref}`,
    { ref: 'rekey/distribution' },
    undefined,
    [404],
  );
  const createdDist = dist.status === 404;
  if (createdDist)
    await call('POST', `${R}/git/refs`, {}, { ref: 'refs/rekey/distribution', sha: next });
  else o.log('note refs/rekey/distribution exists: read, left alone');

  // Statuses
  await call(
    'POST',
    `${R}/statuses/{sha}`,
    { sha: next },
    { state: 'success', context: 'rekey/smoke' },
  );
  await call('GET', `${R}/commits/{ref}/statuses`, { ref: next });
  await call('GET', `${R}/commits/{ref}/status`, { ref: next });

  // The distribution state's commits are reachable from refs/rekey/* alone, and rekey vouches
  // for each with a status on its sha (docs/distribute-state.md "Who wrote the state"). So
  // GitHub must take, and list with its creator, a status on such a commit: a root commit
  // that only a scratch ref under refs/rekey/ reaches, read back as findVouched reads it.
  const stateTree = await call(
    'POST',
    `${R}/git/trees`,
    {},
    { tree: [{ path: 'smoke.txt', mode: '100644', type: 'blob', sha: str(blob.data['sha']) }] },
  );
  const stateCommit = await call(
    'POST',
    `${R}/git/commits`,
    {},
    {
      message: `rekey smoke test ${id}: a commit only refs/rekey/ reaches (safe to delete)`,
      tree: str(stateTree.data['sha']),
      parents: [],
    },
  );
  const stateSha = str(stateCommit.data['sha']);
  const stateRef = `rekey/smoke-${id}`;
  await call('POST', `${R}/git/refs`, {}, { ref: `refs/${stateRef}`, sha: stateSha });
  await call('GET', `${R}/git/commits/{commit_sha}`, { commit_sha: stateSha });
  await call(
    'POST',
    `${R}/statuses/{sha}`,
    { sha: stateSha },
    { state: 'success', context: 'rekey/smoke' },
  );
  const vouchers = await call('GET', `${R}/commits/{ref}/statuses`, { ref: stateSha });
  const listed = Array.isArray(vouchers.data)
    ? (vouchers.data as Json[]).filter((v) => v['context'] === 'rekey/smoke')
    : [];
  const creator = str((listed[0]?.['creator'] as Json | undefined)?.['login'] ?? '');
  check(
    'a status on a commit only refs/rekey/* reach is listed, with its creator',
    listed.length > 0 && creator !== '',
    creator && `creator ${creator}`,
  );
  await call('DELETE', `${R}/git/refs/{ref}`, { ref: stateRef });

  // Pull request, labels, comments, reviewers, reviews
  const pr = await call(
    'POST',
    `${R}/pulls`,
    {},
    {
      head: branch,
      base: main,
      title: `rekey smoke test ${id} (safe to close)`,
      body: 'Opened by scripts/smoke-github.ts; it closes this pull request itself.',
    },
  );
  const n = Number(pr.data['number'] ?? 0);
  const pn = { pull_number: n, issue_number: n };
  await call('GET', `${R}/pulls`, { query: `state=open&head=${owner}:${branch}` });
  await call('GET', `${R}/pulls/{pull_number}`, pn);
  await call('PATCH', `${R}/pulls/{pull_number}`, pn, { body: 'rekey smoke test: updated' });
  await call('GET', `${R}/pulls/{pull_number}/files`, pn);
  await call('GET', `${R}/pulls/{pull_number}/commits`, pn);
  await call('GET', `${R}/commits/{commit_sha}/pulls`, { commit_sha: next });
  await call('POST', `${R}/labels`, {}, { name: 'rekey-smoke', color: 'ededed' }, [422]);
  await call('GET', `${R}/labels`);
  await call('GET', `${R}/labels/{name}`, { name: 'rekey-smoke' });
  await call('POST', `${R}/issues/{issue_number}/labels`, pn, { labels: ['rekey-smoke'] });
  await call('PUT', `${R}/issues/{issue_number}/labels`, pn, { labels: ['rekey-smoke'] });
  await call('GET', `${R}/issues/{issue_number}/labels`, pn);
  await call('DELETE', `${R}/issues/{issue_number}/labels/{name}`, { ...pn, name: 'rekey-smoke' });
  await call('POST', `${R}/issues/{issue_number}/comments`, pn, { body: 'rekey smoke comment' });
  await call('GET', `${R}/issues/{issue_number}/comments`, pn);
  if (o.reviewer)
    await call('POST', `${R}/pulls/{pull_number}/requested_reviewers`, pn, {
      reviewers: [o.reviewer],
    });
  if (o.team)
    await call('POST', `${R}/pulls/{pull_number}/requested_reviewers`, pn, {
      team_reviewers: [o.team],
    });
  await call('GET', `${R}/pulls/{pull_number}/requested_reviewers`, pn);
  await call('POST', `${R}/pulls/{pull_number}/reviews`, pn, {
    event: 'COMMENT',
    body: 'rekey smoke review',
  });
  await call('GET', `${R}/pulls/{pull_number}/reviews`, pn);

  // Issues (rekey files audit findings as issues)
  const issue = await call(
    'POST',
    `${R}/issues`,
    {},
    { title: `rekey smoke test ${id} (safe to ignore)` },
  );
  const inum = { issue_number: Number(issue.data['number'] ?? 0) };
  await call('GET', `${R}/issues`, { query: 'state=open&labels=rekey-smoke' });
  await call('GET', `${R}/issues/{issue_number}`, inum);
  await call('PATCH', `${R}/issues/{issue_number}`, inum, { state: 'closed' });

  // Secrets in every scope: a random value, sealed, written, read back by name, deleted.
  const name = `REKEY_SMOKE_${id.toUpperCase()}`;
  async function secretScope(
    label: string,
    at: string,
    params: Record<string, string> = {},
    org = false,
  ) {
    const key = await call('GET', `${at}/public-key`, params);
    await call('GET', at, params);
    const value = o.secretValue?.() ?? SecretValue.fromBytes(randomBytes(24));
    // Without the scope's key (the call above was refused) the writes still show their answer.
    const sealFor = key.status === 200 ? str(key.data['key']) : throwawayKey();
    const encrypted = await sealSecret(value, sealFor);
    const body: Json = { encrypted_value: encrypted, key_id: str(key.data['key_id']) };
    if (org) Object.assign(body, { visibility: 'selected', selected_repository_ids: [repoId] });
    await call('PUT', `${at}/{secret_name}`, { ...params, secret_name: name }, body);
    await call('GET', `${at}/{secret_name}`, { ...params, secret_name: name });
    if (org) {
      const one = { secret_name: name, repository_id: String(repoId) };
      await call('GET', `${at}/{secret_name}/repositories`, one);
      await call('PUT', `${at}/{secret_name}/repositories`, one, {
        selected_repository_ids: [repoId],
      });
      await call('DELETE', `${at}/{secret_name}/repositories/{repository_id}`, one);
      await call('PUT', `${at}/{secret_name}/repositories/{repository_id}`, one);
    }
    await call('DELETE', `${at}/{secret_name}`, { ...params, secret_name: name });
    o.log(`note ${label} secret ${name}: written and deleted (value never printed)`);
  }
  await secretScope('repository', `${R}/actions/secrets`);
  await secretScope('Dependabot', `${R}/dependabot/secrets`);
  if (o.environment) {
    const env = { environment_name: o.environment };
    await call('GET', `${R}/environments/{environment_name}`, env);
    await secretScope('environment', `${R}/environments/{environment_name}/secrets`, env);
  }
  if (o.org) {
    await secretScope('organization', '/orgs/{org}/actions/secrets', {}, true);
    await secretScope('organization Dependabot', '/orgs/{org}/dependabot/secrets', {}, true);
  }

  // Deploy keys: a fresh ed25519 public key, added read-only, read, removed.
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const field = (b: Buffer) => Buffer.concat([Buffer.alloc(3), Buffer.from([b.length]), b]);
  const line = `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]).toString('base64')}`;
  await call('GET', `${R}/keys`);
  const dk = await call(
    'POST',
    `${R}/keys`,
    {},
    { key: line, title: `rekey smoke ${id}`, read_only: true },
  );
  const kid = { key_id: String(dk.data['id'] ?? 0) };
  await call('GET', `${R}/keys/{key_id}`, kid);
  await call('DELETE', `${R}/keys/{key_id}`, kid);

  // Merging (PUT pulls/{n}/merge) is left to people: rekey opens pull requests, it never merges.

  // Actions workflows (doctor)
  const wf = await call('GET', `${R}/actions/workflows`);
  const first = (wf.data['workflows'] as Json[] | undefined)?.[0];
  if (first) {
    // By file name, as doctor asks for rotate.yml (GitHub takes the id or the file name).
    const file = { workflow_id: str(first['path']).split('/').pop() ?? '' };
    await call('GET', `${R}/actions/workflows/{workflow_id}`, file);
    await call('GET', `${R}/actions/workflows/{workflow_id}/runs`, file);
  }

  // Clean up what the API can undo.
  await call('PATCH', `${R}/pulls/{pull_number}`, pn, { state: 'closed' });
  await call('DELETE', `${R}/git/refs/{ref}`, { ref: `heads/${branch}` }, undefined, [422]);
  if (createdDist) await call('DELETE', `${R}/git/refs/{ref}`, { ref: 'rekey/distribution' });
  o.log(
    `note left behind: closed pull request #${n}, closed issue #${inum.issue_number}, label rekey-smoke`,
  );
  return calls;
}

async function main(argv: string[]): Promise<number> {
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const token = process.env['REKEY_SMOKE_TOKEN'] ?? process.env['GITHUB_TOKEN'];
  const repo = arg('repo');
  if (!token || !repo || !/^[\w.-]+\/[\w.-]+$/.test(repo)) {
    console.error(
      'usage: REKEY_SMOKE_TOKEN=... node scripts/smoke-github.ts --repo owner/name [--environment e] [--org o] [--reviewer login] [--team slug] [--api-url url]',
    );
    return 2;
  }
  const calls = await smokeGitHub({
    apiUrl: (arg('api-url') ?? process.env['GITHUB_API_URL'] ?? 'https://api.github.com').replace(
      /\/$/,
      '',
    ),
    token,
    repo,
    environment: arg('environment'),
    org: arg('org'),
    reviewer: arg('reviewer'),
    team: arg('team'),
    log: (l) => console.log(l),
  });
  const failed = calls.filter((c) => !c.ok);
  console.log(`${calls.length} calls, ${failed.length} not as expected`);
  return failed.length === 0 ? 0 : 1;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
