// Fault injection: the next N requests matching a route get a chosen failure. The one that
// matters most for rekey is `lost`: the change is applied, then the connection is destroyed
// before any response, which is how a client sees a timeout after a write that did happen.

export interface FaultSpec {
  /** `'POST /repos/{owner}/{repo}/git/refs'` (an OpenAPI template) or a method and a regex on the path. */
  route?: string;
  method?: string;
  path?: RegExp;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Answer with this status instead of running the handler. */
  status?: number;
  /** Adds `retry-after` (seconds); with 429 or 403 it models GitHub's secondary rate limit. */
  retryAfter?: number;
  /** 403 "You have exceeded a secondary rate limit" with `retry-after`. */
  secondaryRateLimit?: boolean;
  /** Milliseconds to wait before handling (or failing). */
  delayMs?: number;
  /** Apply the request, then destroy the socket without answering. */
  lost?: boolean;
}

export interface FaultAction {
  kind: 'status' | 'lost' | 'delay';
  status?: number;
  body?: unknown;
  headers: Record<string, string>;
  delayMs: number;
  label: string;
}

/** What a fault hook sees of a request (chaos campaigns choose faults per request). */
export interface FaultRequest {
  readonly method: string;
  readonly template: string | null;
  readonly path: string;
  /** A request header (lower-case name). */
  header(name: string): string | undefined;
}

/** Chooses a fault for a request, or null; consulted when no armed fault matches. */
export type FaultHook = (req: FaultRequest) => FaultSpec | null;

interface Armed {
  spec: FaultSpec;
  remaining: number;
}

export class Faults {
  readonly #armed: Armed[] = [];
  #hook: FaultHook | null = null;

  /** Installs (or, with null, removes) a hook that may fail any request no armed fault takes. */
  setHook(hook: FaultHook | null): void {
    this.#hook = hook;
  }

  inject(spec: FaultSpec): void {
    if (!spec.route && !spec.path) throw new Error('a fault needs a route or a path');
    const nothing =
      spec.status === undefined && !spec.lost && !spec.secondaryRateLimit && !spec.delayMs;
    if (nothing) throw new Error('a fault needs a status, secondaryRateLimit, lost or delayMs');
    this.#armed.push({ spec, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.#armed.length = 0;
  }

  /** The fault for this request, consuming one of its uses, or null. */
  take(
    method: string,
    template: string | null,
    path: string,
    headers: Readonly<Record<string, string | string[] | undefined>> = {},
  ): FaultAction | null {
    const hit = this.#armed.find((a) => a.remaining > 0 && matches(a.spec, method, template, path));
    if (hit) {
      hit.remaining--;
      return actionOf(hit.spec);
    }
    const chosen =
      this.#hook?.({
        method,
        template,
        path,
        header: (name) => {
          const v = headers[name];
          return Array.isArray(v) ? v[0] : v;
        },
      }) ?? null;
    return chosen ? actionOf(chosen) : null;
  }
}

function actionOf(s: FaultSpec): FaultAction {
  const headers: Record<string, string> = {};
  if (s.retryAfter !== undefined) headers['retry-after'] = String(s.retryAfter);
  const delayMs = s.delayMs ?? 0;
  if (s.lost) return { kind: 'lost', headers, delayMs, label: 'lost' };
  if (s.secondaryRateLimit) {
    headers['retry-after'] ??= '1';
    const message =
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
    return {
      kind: 'status',
      status: 403,
      body: { message },
      headers,
      delayMs,
      label: 'secondary-rate-limit',
    };
  }
  if (s.status !== undefined) {
    const message = s.status === 429 ? 'Too Many Requests' : `Injected ${s.status}`;
    return {
      kind: 'status',
      status: s.status,
      body: { message },
      headers,
      delayMs,
      label: `status ${s.status}`,
    };
  }
  return { kind: 'delay', headers, delayMs, label: `delay ${delayMs}ms` };
}

function matches(spec: FaultSpec, method: string, template: string | null, path: string): boolean {
  if (spec.route) return template !== null && spec.route === `${method} ${template}`;
  if (spec.method && spec.method.toUpperCase() !== method) return false;
  return spec.path?.test(path) ?? false;
}
