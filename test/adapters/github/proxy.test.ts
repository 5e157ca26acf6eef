// Production clients (no injected fetch) go through the proxy named by https_proxy/http_proxy,
// as runners behind a corporate proxy need. A loopback API URL bypasses proxies, so the API is
// addressed as http://github.test and the proxy tunnels every request to the emulator.
import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../src/adapters/github/client.ts';
import { createGitDataAdapter } from '../../../src/adapters/github/git-data.ts';
import { AT, type Bed, startBed } from './harness.ts';

let bed: Bed;
const seen: string[] = [];
const proxy = createServer((req, res) => {
  // Absolute-form request (plain HTTP through a proxy): forward it to the emulator.
  seen.push(`forward ${req.method} ${new URL(req.url ?? '/').pathname}`);
  const target = new URL(bed.emu.url);
  const fwd = httpRequest(
    {
      host: '127.0.0.1',
      port: target.port,
      method: req.method,
      path: new URL(req.url ?? '/').pathname + new URL(req.url ?? '/').search,
      headers: req.headers,
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  req.pipe(fwd);
});
proxy.on('connect', (req, socket, head) => {
  seen.push(`connect ${req.url}`);
  const up = connect(Number(new URL(bed.emu.url).port), '127.0.0.1', () => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    up.write(head);
    up.pipe(socket);
    socket.pipe(up);
  });
  up.on('error', () => socket.destroy());
  socket.on('error', () => up.destroy());
});
const saved = { http: process.env['http_proxy'], no: process.env['no_proxy'] };

beforeAll(async () => {
  bed = await startBed();
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  if (saved.http === undefined) delete process.env['http_proxy'];
  else process.env['http_proxy'] = saved.http;
  if (saved.no === undefined) delete process.env['no_proxy'];
  else process.env['no_proxy'] = saved.no;
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  bed.emu.assertNoInvalidRequests();
  await bed.emu.close();
});

describe('the default fetch', () => {
  it('works without a proxy (Node fetch) against a loopback API', async () => {
    delete process.env['http_proxy'];
    const client = createGitHubClient({
      token: bed.token,
      apiUrl: bed.emu.apiUrl,
      throttle: { enabled: false },
    });
    expect(await createGitDataAdapter(client, AT).getBranchHead('main')).not.toBeNull();
  });

  it('goes through http_proxy when one is set', async () => {
    process.env['http_proxy'] = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    delete process.env['no_proxy'];
    const port = new URL(bed.emu.url).port;
    const client = createGitHubClient({
      token: bed.token,
      apiUrl: `http://github.test:${port}/api/v3`,
      serverUrl: `http://github.test:${port}`,
      throttle: { enabled: false },
      retry: { enabled: false },
    });
    const head = await createGitDataAdapter(client, AT).getBranchHead('main');
    expect(head?.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatch(/github\.test|\/api\/v3\/repos\/acme\/infra\/branches\/main/);
  });
});
