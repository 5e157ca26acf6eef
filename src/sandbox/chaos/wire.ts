/**
 * A run's wire: the fetch every client of one run goes through. It is where the campaign
 * injects what happens on the client's side of the connection, drawn from the run's own
 * PRNG stream and the index of the request in the run (so one run's faults never depend on
 * how another run's requests interleave with it):
 *
 * - process death: before request `dieAt` the process is gone; that request and every later
 *   one of the run throw, so the run writes nothing more (a crash at the await between two
 *   writes, whichever await that is);
 * - a timeout: the request never reaches GitHub and the client sees a TimeoutError;
 * - the world moving at request `at.index` (a push to main, a merge, a lease taken over):
 *   `at.act` runs first, then the request goes out;
 * - server-side faults (5xx, 429, secondary rate limits, a response lost after the write was
 *   applied) are asked for with a header the emulator's fault hook reads (hook.ts).
 */
import type { Prng } from './prng.ts';

export const FAULT_HEADER = 'x-chaos-fault';

/** The fault classes the campaign injects and counts. */
export const FAULT_CLASSES = [
  '5xx',
  '429',
  'secondary-rate-limit',
  'timeout',
  'lost-response',
  'process-death',
  'race',
  'branch-moved',
  'merged-under-lease',
  'lease-expired',
  'stuck-target',
  'resume',
] as const;
export type FaultClass = (typeof FAULT_CLASSES)[number];

const PER_REQUEST: readonly FaultClass[] = [
  '5xx',
  '429',
  'secondary-rate-limit',
  'timeout',
  'lost-response',
];

export class ProcessDeath extends Error {
  override readonly name = 'ProcessDeath';
}

export interface WirePlan {
  /** Requests of the run after which the process dies (before request `dieAt`). */
  readonly dieAt?: number;
  /** Chance per request of a per-request fault. */
  readonly rate: number;
  /** Something the world does just before request `index` of this run. */
  readonly at?: { readonly index: number; readonly kind: FaultClass; act(): Promise<void> };
}

export interface WireEvent {
  readonly kind: FaultClass;
  readonly index: number;
  readonly detail: string;
}

export class RunWire {
  requests = 0;
  dead = false;
  readonly events: WireEvent[] = [];
  readonly #rng: Prng;
  readonly #plan: WirePlan;

  constructor(rng: Prng, plan: WirePlan) {
    this.#rng = rng;
    this.#plan = plan;
  }

  readonly fetch = async (
    input: Parameters<typeof fetch>[0],
    init?: RequestInit,
  ): Promise<Response> => {
    if (this.dead) throw new ProcessDeath('the process is gone');
    const i = this.requests++;
    const method = (init?.method ?? 'GET').toUpperCase();
    if (this.#plan.dieAt === i) {
      this.dead = true;
      this.events.push({ kind: 'process-death', index: i, detail: `before ${method}` });
      throw new ProcessDeath('the process is gone');
    }
    const at = this.#plan.at;
    if (at?.index === i) {
      this.events.push({ kind: at.kind, index: i, detail: `before ${method}` });
      await at.act();
    }
    const headers = new Headers(init?.headers);
    if (this.#rng.chance(this.#plan.rate)) {
      const kind = this.#rng.pick(PER_REQUEST);
      const detail =
        kind === '5xx'
          ? this.#rng.pick(['500', '502', '503'])
          : kind === 'secondary-rate-limit'
            ? this.#rng.pick(['60', '600'])
            : method;
      this.events.push({ kind, index: i, detail });
      if (kind === 'timeout')
        throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      headers.set(FAULT_HEADER, `${kind}:${detail}`);
    }
    return fetch(input, { ...init, headers });
  };
}
