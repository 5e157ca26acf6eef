// Read-only git over HTTP (`git clone <serverUrl>/<owner>/<repo>.git`) through
// `git http-backend`, so a test or the demo can check out a repository and read its history the
// way actions/checkout and the audit do. Private repositories need a token with contents:read as
// the Basic-auth password (`x-access-token:<token>`), as on GitHub. Pushing is not served.
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { authorize, type Tokens } from './auth.ts';
import { ApiError } from './http.ts';
import type { EmulatorState } from './state.ts';

const GIT_PATH =
  /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/(?:info\/refs|git-upload-pack|HEAD|objects\/.*))$/;

export function isGitHttpPath(pathname: string): boolean {
  return GIT_PATH.test(pathname);
}

export async function serveGitHttp(
  state: EmulatorState,
  tokens: Tokens,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const m = GIT_PATH.exec(url.pathname);
  const repo = m ? state.repo(m[1] ?? '', m[2] ?? '') : undefined;
  if (!m || !repo) return plain(res, 404, 'Repository not found.');
  if (
    url.searchParams.get('service') === 'git-receive-pack' ||
    url.pathname.endsWith('receive-pack')
  )
    return plain(res, 403, 'The emulator serves git read-only; write through the REST API.');
  if (repo.private) {
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers['authorization'] ?? '');
    const password = basic
      ? Buffer.from(basic[1] ?? '', 'base64')
          .toString()
          .split(':')
          .slice(1)
          .join(':')
      : '';
    try {
      const identity = tokens.authenticate(password ? `token ${password}` : undefined);
      // Cloning is not a REST route: GitHub asks for contents read, as for reading a tree.
      authorize(identity, { anyOf: [[{ name: 'contents', access: 'read' }]] }, repo);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"' });
      res.end();
      return;
    }
  }
  const gitDir = repo.git.dir;
  const root = path.dirname(path.dirname(gitDir));
  const pathInfo = `/${path.basename(path.dirname(gitDir))}/${path.basename(gitDir)}${m[3] ?? ''}`;
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: pathInfo,
      REQUEST_METHOD: req.method ?? 'GET',
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_ADDR: '127.0.0.1',
    },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  req.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  const out: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  const all = Buffer.concat(out);
  const split = all.indexOf('\r\n\r\n');
  if (split === -1) return plain(res, 500, 'git http-backend failed');
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of all.subarray(0, split).toString().split('\r\n')) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    if (name === 'status') status = Number.parseInt(value, 10);
    else if (name) headers[name] = value;
  }
  res.writeHead(status, headers);
  res.end(all.subarray(split + 4));
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(`${text}\n`);
}
