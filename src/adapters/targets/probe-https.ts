/**
 * `ProbePort` over node:https: a GET with certificate verification (Node's default trust
 * store, or `ca` when given: tests pass their own CA explicitly), no redirects followed, a
 * timeout and a size bound. It sends no credentials: no Authorization or Cookie header, and
 * nothing but the URL key.yaml names; there is no parameter through which material could go.
 */
import { request } from 'node:https';
import type { ProbePort, ProbeResponse } from '../../core/targets/probe.ts';

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  readonly code: string;
  constructor(url: string, code: string, message: string) {
    super(`${url}: ${message}`);
    this.code = code;
  }
}

export interface HttpsProbeOptions {
  /** Extra trusted CA certificates (PEM), instead of Node's default store. */
  readonly ca?: string | readonly string[];
  readonly timeoutMs?: number;
  /** The most of a body read (default 256 KiB); a longer one fails the probe. */
  readonly maxBytes?: number;
}

export function createHttpsProbe(opts: HttpsProbeOptions = {}): ProbePort {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxBytes = opts.maxBytes ?? 256 * 1024;
  return {
    get(raw: string): Promise<ProbeResponse> {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return Promise.reject(new ProbeError(raw, 'INVALID_URL', 'not a URL'));
      }
      if (url.protocol !== 'https:' || url.username !== '' || url.password !== '')
        return Promise.reject(
          new ProbeError(raw, 'NOT_HTTPS', 'probes use https:// URLs without credentials only'),
        );
      return new Promise((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'GET',
            headers: { accept: 'application/json, text/plain;q=0.9', 'user-agent': 'rekey-probe' },
            // Explicit, so that no environment variable or global agent can turn it off.
            rejectUnauthorized: true,
            ...(opts.ca === undefined ? {} : { ca: opts.ca as string | string[] }),
            timeout: timeoutMs,
            agent: false,
          },
          (res) => {
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 299) {
              res.resume();
              resolve({ status, body: '' });
              return;
            }
            const chunks: Buffer[] = [];
            let size = 0;
            let over = false;
            res.on('data', (c: Buffer) => {
              if (over) return;
              size += c.length;
              if (size > maxBytes) {
                over = true;
                reject(
                  new ProbeError(raw, 'TOO_LARGE', `the answer is larger than ${maxBytes} bytes`),
                );
                req.destroy();
                return;
              }
              chunks.push(c);
            });
            res.on('end', () => {
              if (!over) resolve({ status, body: Buffer.concat(chunks).toString('utf8') });
            });
            res.on('error', (e) => reject(wrap(raw, e)));
          },
        );
        req.on('timeout', () =>
          req.destroy(new ProbeError(raw, 'TIMEOUT', `no answer within ${timeoutMs} ms`)),
        );
        req.on('error', (e) => reject(wrap(raw, e)));
        req.end();
      });
    },
  };
}

function wrap(url: string, e: Error): ProbeError {
  if (e instanceof ProbeError) return e;
  const code = (e as { code?: unknown }).code;
  const c = typeof code === 'string' ? code : 'ERROR';
  // Node's TLS and socket errors name the cause (certificate, refused, reset), not data.
  return new ProbeError(url, c, `${c}: ${e.message}`);
}
