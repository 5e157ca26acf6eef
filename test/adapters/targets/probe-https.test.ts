// Probes against a loopback HTTPS server whose certificate is signed by a CA generated for
// this test (openssl, in a temporary folder) and passed to the prober explicitly; a prober
// without that CA must refuse the server. The server records every request it sees, which the
// canary scans: a probe never sends a secret.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpsProbe } from '../../../src/adapters/targets/probe-https.ts';
import type { KeyDocument } from '../../../src/core/formats/key.ts';
import { runHttpProbes } from '../../../src/core/targets/probe.ts';
import { canary } from '../../support/canary.ts';

const V1 = 'sha256:' + '1'.repeat(64);
const V2 = 'sha256:' + '2'.repeat(64);
const SECRET = 'probe-canary-private-material-0123456789abcdef';

let dir: string;
let ca: string;
let server: Server;
let base: string;
const seen: string[] = [];
const routes: Record<string, [number, string]> = {
  '/jwks-new': [
    200,
    JSON.stringify({
      keys: [
        { kid: V2, kty: 'OKP' },
        { kid: V1, kty: 'OKP' },
      ],
    }),
  ],
  '/jwks-old': [200, JSON.stringify({ keys: [{ kid: V1, kty: 'OKP' }] })],
  '/health': [200, `ok; signing key ${V2}\n`],
  '/health-prefix': [200, `ok; signing key ${V2}ff\n`],
  '/moved': [302, ''],
  '/down': [503, ''],
  '/not-json': [200, '<html>'],
  '/big': [200, 'x'.repeat(4096)],
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rekey-probe-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=rekey test CA',
  );
  run(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  );
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '1',
    '-extfile',
    'ext.cnf',
  );
  ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
  server = createServer(
    { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) },
    (req, res) => {
      seen.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}`);
      req.resume();
      if (req.url === '/slow') return; // never answers
      const [status, body] = routes[req.url ?? ''] ?? [404, ''];
      res.writeHead(status, status === 302 ? { location: '/jwks-new' } : {});
      res.end(body);
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  canary.register(SECRET);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function key(paths: string[], expect: 'jwks-kid' | 'fingerprint' = 'jwks-kid'): KeyDocument {
  return {
    id: 'auth/signing',
    description: 'test',
    owner: '@acme/auth',
    policy: 'standard',
    type: 'ed25519',
    targets: paths.map((p) => ({
      kind: 'file' as const,
      path: 'jwks.json',
      format: 'jwks' as const,
      probe: { url: `${base}${p}`, expect },
    })),
    versions: [
      { version: 2, state: 'active', created: '2026-11-01T00:00:00Z', fingerprint: V2 },
      { version: 1, state: 'deactivated', created: '2026-08-01T00:00:00Z', fingerprint: V1 },
    ],
  };
}

describe('https probes', () => {
  it('a JWKS that lists the new kid confirms it; one that does not refutes it', async () => {
    const results = await runHttpProbes(key(['/jwks-new', '/jwks-old']), createHttpsProbe({ ca }));
    expect(results).toEqual([
      {
        target: 0,
        version: 2,
        fingerprint: V2,
        probe: `GET ${base}/jwks-new (jwks-kid)`,
        outcome: 'confirmed',
        shows: [2, 1],
        detail: 'shows v2, v1',
      },
      expect.objectContaining({
        target: 1,
        outcome: 'refuted',
        shows: [1],
        detail: `shows v1, not v2 ${V2}`,
      }),
    ]);
  });

  it('a health endpoint confirms by the fingerprint, as a whole token only', async () => {
    const results = await runHttpProbes(
      key(['/health', '/health-prefix'], 'fingerprint'),
      createHttpsProbe({ ca }),
    );
    expect(results.map((r) => r.outcome)).toEqual(['confirmed', 'refuted']);
  });

  it('redirects, errors and non-JWKS answers fail, saying why', async () => {
    const results = await runHttpProbes(
      key(['/moved', '/down', '/not-json']),
      createHttpsProbe({ ca }),
    );
    expect(results.map((r) => [r.outcome, r.detail])).toEqual([
      ['failed', 'HTTP 302: probes follow no redirects; point the probe at the final URL'],
      ['failed', 'HTTP 503'],
      ['failed', 'the answer is not a JWKS ({"keys": [...]})'],
    ]);
  });

  it('refuses a certificate it cannot verify: no request reaches the server', async () => {
    const before = seen.length;
    const results = await runHttpProbes(key(['/jwks-new']), createHttpsProbe());
    expect(results[0]).toMatchObject({ outcome: 'failed' });
    expect(results[0]!.detail).toMatch(
      /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY|unable to verify|self[- ]signed/i,
    );
    expect(seen.length).toBe(before);
  });

  it('bounds what a hostile endpoint can cost: the body size and the time', async () => {
    const small = createHttpsProbe({ ca, maxBytes: 1024, timeoutMs: 300 });
    await expect(small.get(`${base}/big`)).rejects.toMatchObject({ code: 'TOO_LARGE' });
    const started = Date.now();
    await expect(small.get(`${base}/slow`)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses http:// and URLs with credentials before any request', async () => {
    const probe = createHttpsProbe({ ca });
    await expect(probe.get(base.replace('https:', 'http:') + '/jwks-new')).rejects.toMatchObject({
      code: 'NOT_HTTPS',
    });
    await expect(
      probe.get(base.replace('https://', 'https://u:p@') + '/jwks-new'),
    ).rejects.toMatchObject({ code: 'NOT_HTTPS' });
  });

  it('sends no secret and no credential header (canary over every request the server saw)', async () => {
    await runHttpProbes(key(['/jwks-new', '/health']), createHttpsProbe({ ca }));
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) expect(r).not.toMatch(/authorization|cookie/i);
    canary.scan({ requests: seen.join('\n') });
  });
});
