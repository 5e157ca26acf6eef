/**
 * The chaos campaign (docs/reliability.md): worlds of K keys live through scheduled
 * rotation, verify, approval, merge, distribution, revocation and emergencies on a virtual
 * clock (one tick a day), through the real commands, with faults drawn from a seeded PRNG.
 * After every step the invariants (invariants.ts) are checked from the observed world and
 * everything the emulator received and every log line goes through the secret canary.
 *
 * A fresh world every `perWorld` lifecycles keeps the emulator's state (and the canary's
 * list of secrets) small; the world's seed is derived from the campaign's, so
 * `--seed S --world N` replays one world alone.
 */
import type { Pull } from '../emulator/state.ts';
import { faultHook, type Stuck } from './hook.ts';
import { Observer, type Violation } from './invariants.ts';
import { Prng } from './prng.ts';
import {
  distributeRun,
  dashboardRun,
  reviewRun,
  revokeRun,
  rotateRun,
  type RunEnd,
} from './runs.ts';
import { FAULT_CLASSES, RunWire, type FaultClass, type WirePlan } from './wire.ts';
import {
  KEYS_REPO,
  LEASE_TTL_MS,
  POLICY,
  TARGET_REPO,
  openWorld,
  type SecretCanary,
  type World,
} from './world.ts';

export interface CampaignOptions {
  readonly seed: number;
  readonly lifecycles: number;
  /** Wall-clock budget; the campaign stops after the world running when it is spent. */
  readonly minutes?: number;
  readonly keys?: number;
  readonly perWorld?: number;
  /** Run only this world (a replay). */
  readonly world?: number;
  /** Chance per request of a per-request fault. */
  readonly rate?: number;
  /** Worlds run at once (each its own emulator); the history does not depend on it. */
  readonly parallel?: number;
  readonly newCanary: () => SecretCanary;
  readonly progress?: (line: string) => void;
  /** Debugging a replay: called with the world at each violation, before it moves on. */
  readonly onViolation?: (world: World, violation: Violation) => void;
}

export interface FoundViolation extends Violation {
  readonly seed: number;
  readonly world: number;
  readonly step: string;
  readonly replay: string;
}

export interface CampaignReport {
  readonly seed: number;
  readonly worlds: number;
  readonly lifecycles: number;
  readonly steps: number;
  readonly runs: number;
  readonly faults: Record<FaultClass, number>;
  readonly outcomes: Record<string, number>;
  readonly violations: readonly FoundViolation[];
  /** Write requests the emulator served, per key version that reached its target. */
  readonly writesPerConverged: number;
  readonly secretWritesPerConverged: number;
  /** Longest virtual time from a fault to the next fully converged state, in hours. */
  readonly slowestConvergenceHours: number;
  /** One line per fault and run outcome, in order: same seed, same history. */
  readonly history: readonly string[];
  readonly wallSeconds: number;
}

const DAY = 86_400_000;
const START = new Date('2027-01-04T09:00:00Z');

export async function runCampaign(opts: CampaignOptions): Promise<CampaignReport> {
  const began = Date.now();
  const faults = Object.fromEntries(FAULT_CLASSES.map((c) => [c, 0])) as Record<FaultClass, number>;
  const outcomes: Record<string, number> = {};
  const violations: FoundViolation[] = [];
  const history: string[] = [];
  let lifecycles = 0;
  let steps = 0;
  let runs = 0;
  let writes = 0;
  let secretWrites = 0;
  let converged = 0;
  let slowest = 0;
  const perWorld = opts.perWorld ?? 40;
  const keys = opts.keys ?? 8;
  const planned =
    opts.world !== undefined
      ? [opts.world]
      : Array.from({ length: Math.ceil(opts.lifecycles / perWorld) }, (_, i) => i);
  const results: (WorldResult | undefined)[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < planned.length) {
      if (opts.minutes !== undefined && Date.now() - began > opts.minutes * 60_000) return;
      const i = next++;
      const n = planned[i]!;
      // Each world's stream depends on the seed and its number only, so worlds may run in
      // parallel and one world replays alone.
      const r = await runWorld(n, new Prng(opts.seed).fork(`world ${n}`), {
        ...opts,
        keys,
        target:
          opts.world === undefined ? Math.min(perWorld, opts.lifecycles - i * perWorld) : perWorld,
      });
      results[i] = r;
      opts.progress?.(
        `world ${n}: ${r.lifecycles} lifecycles, ${r.steps} steps, ${r.violations.length} violations (${Math.round((Date.now() - began) / 1000)} s)`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel ?? 1) }, worker));
  let worlds = 0;
  for (const [i, r] of results.entries()) {
    if (r === undefined) continue;
    const n = planned[i]!;
    worlds++;
    lifecycles += r.lifecycles;
    steps += r.steps;
    runs += r.runs;
    writes += r.writes;
    secretWrites += r.secretWrites;
    converged += r.converged;
    slowest = Math.max(slowest, r.slowestMs);
    for (const [k, v] of Object.entries(r.faults)) faults[k as FaultClass] += v;
    for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
    for (const v of r.violations)
      violations.push({
        ...v,
        seed: opts.seed,
        world: n,
        replay: `npm run chaos -- --seed ${opts.seed} --world ${n} --per-world ${perWorld} --keys ${keys}${opts.rate === undefined ? '' : ` --rate ${opts.rate}`}`,
      });
    history.push(...r.history);
  }
  return {
    seed: opts.seed,
    worlds,
    lifecycles,
    steps,
    runs,
    faults,
    outcomes,
    violations,
    writesPerConverged: converged === 0 ? 0 : writes / converged,
    secretWritesPerConverged: converged === 0 ? 0 : secretWrites / converged,
    slowestConvergenceHours: slowest / 3_600_000,
    history,
    wallSeconds: (Date.now() - began) / 1000,
  };
}

interface WorldResult {
  lifecycles: number;
  steps: number;
  runs: number;
  writes: number;
  secretWrites: number;
  converged: number;
  slowestMs: number;
  faults: Partial<Record<FaultClass, number>>;
  outcomes: Record<string, number>;
  violations: (Violation & { step: string })[];
  history: string[];
}

async function runWorld(
  n: number,
  rng: Prng,
  opts: CampaignOptions & { target: number; keys: number },
): Promise<WorldResult> {
  const canary = opts.newCanary();
  const received: { path: string; body: string }[] = [];
  const res: WorldResult = {
    lifecycles: 0,
    steps: 0,
    runs: 0,
    writes: 0,
    secretWrites: 0,
    converged: 0,
    slowestMs: 0,
    faults: {},
    outcomes: {},
    violations: [],
    history: [],
  };
  const w = await openWorld({
    keys: opts.keys,
    // Made one rotation period before the campaign starts: every key is due on day 0.
    start: new Date(START.getTime() - (POLICY.cryptoperiodDays - POLICY.rotateBeforeDays) * DAY),
    canary,
    received: (path, body) => {
      if (body.length > 0) received.push({ path, body: body.toString('utf8') });
    },
  });
  const stuck: Stuck = { until: null };
  w.emu.setFaultHook(faultHook(TARGET_REPO, stuck, () => w.now()));
  const obs = new Observer(w);
  const rate = opts.rate ?? 0.02;
  let faultSince: number | null = null;
  let step = '';
  const count = (k: FaultClass, detail = '') => {
    res.faults[k] = (res.faults[k] ?? 0) + 1;
    res.history.push(`w${n} ${step} fault ${k}${detail ? ` ${detail}` : ''}`);
    faultSince ??= w.now().getTime();
  };
  const violate = (vs: readonly Violation[]) => {
    for (const v of vs) {
      res.violations.push({ ...v, step });
      opts.onViolation?.(w, v);
      res.history.push(`w${n} ${step} VIOLATION ${v.invariant}: ${v.detail}`);
    }
  };
  const logs: string[] = [];

  /** One run with its own wire; its faults and outcome are counted. */
  const go = async (
    label: string,
    body: (wire: RunWire, log: string[]) => Promise<RunEnd>,
    plan: Partial<WirePlan> = {},
  ): Promise<RunEnd> => {
    const runRng = rng.fork(`${step} ${label}`);
    const dieAt = plan.dieAt ?? (runRng.chance(0.08) ? runRng.int(30) : undefined);
    const wire = new RunWire(runRng, { rate, ...plan, ...(dieAt === undefined ? {} : { dieAt }) });
    const end = await body(wire, logs);
    for (const e of wire.events) count(e.kind, `${label}@${e.index} ${e.detail}`);
    res.runs++;
    res.outcomes[`${label.split(' ')[0]}:${end.outcome}`] =
      (res.outcomes[`${label.split(' ')[0]}:${end.outcome}`] ?? 0) + 1;
    res.history.push(
      `w${n} ${step} ${label} -> ${end.outcome}${end.error ? ` (${end.error})` : ''}`,
    );
    if (end.error) logs.push(end.error);
    if (
      end.outcome.startsWith('aborted:') &&
      !end.outcome.includes('GitHubError') &&
      !end.outcome.includes('LeaseLost')
    )
      violate([{ invariant: 'named-outcome', detail: `${label} threw ${end.outcome.slice(8)}` }]);
    const d = end.distribution;
    if (d && !wire.dead && d.outcome === 'converged') violate(await obs.compromisedGone(d.commit));
    if (d && !wire.dead && d.outcome === 'failed')
      violate(
        obs.failureRecorded(
          d.commit,
          d.keys.filter((k) => k.outcome === 'failed' || k.outcome === 'halted').map((k) => k.key),
        ),
      );
    return end;
  };

  const openPulls = (): Pull[] => {
    const r = w.emu.repo(KEYS_REPO);
    return [...r.pulls.values()].filter(
      (p) => r.issues.get(p.number)?.state === 'open' && p.headRef.startsWith('rekey/'),
    );
  };
  /** Reviews and merges every open rekey PR; `hold` keeps the last one back (for the lease). */
  const review = async (hold = false): Promise<Pull | undefined> => {
    const pulls = openPulls();
    const held = hold && pulls.length > 0 ? pulls.pop() : undefined;
    for (const p of pulls)
      await go(`review #${p.number}`, (wire, log) => reviewRun(w, wire, log, p), {
        rate: rate / 2,
      });
    return held;
  };
  const pushToMain = async (why: string) => {
    await w.emu.commitFiles(
      KEYS_REPO,
      'main',
      { [`notes/${why}.md`]: `${why}\n` },
      `docs: ${why}\n`,
      {
        name: 'carol',
        email: 'carol@example.com',
      },
    );
  };
  const distributeHead = async (held?: Pull) => {
    const head = await obs.head();
    if (obs.statusOf(head.sha)?.state === 'success' && held === undefined) return;
    const roll = held === undefined ? rng.int(10) : 2;
    if (roll === 0) {
      count('race', 'distribute vs distribute');
      await Promise.all([
        go('distribute A', (wire, log) => distributeRun(w, wire, log, head.sha)),
        go('distribute B', (wire, log) => distributeRun(w, wire, log, head.sha)),
      ]);
    } else if (roll === 1) {
      // The lease expires mid-run: the clock jumps past the TTL and a second run takes over.
      const index = 3 + rng.int(12);
      await go('distribute', (wire, log) => distributeRun(w, wire, log, head.sha), {
        at: {
          index,
          kind: 'lease-expired',
          act: async () => {
            w.setClock(new Date(w.now().getTime() + LEASE_TTL_MS + 60_000));
            await go(
              'distribute takeover',
              (wire2, log2) => distributeRun(w, wire2, log2, head.sha),
              { rate: 0, dieAt: 10_000 },
            );
          },
        },
      });
    } else if (roll === 2 && held !== undefined) {
      // A person merges a PR while this run holds the lease: its push distributes later.
      const pull = held;
      await go('distribute', (wire, log) => distributeRun(w, wire, log, head.sha), {
        at: {
          index: 2 + rng.int(10),
          kind: 'merged-under-lease',
          act: async () =>
            void (await go(
              `review #${pull.number}`,
              (wire2, log2) => reviewRun(w, wire2, log2, pull),
              { rate: 0, dieAt: 10_000 },
            )),
        },
      });
    } else if (roll === 3) {
      await go('distribute', (wire, log) => distributeRun(w, wire, log, head.sha), {
        at: {
          index: rng.int(15),
          kind: 'branch-moved',
          act: () => pushToMain(`moved-${res.steps}`),
        },
      });
    } else {
      await go('distribute', (wire, log) => distributeRun(w, wire, log, head.sha));
    }
  };
  /** Checks the world; counts lifecycles; scans what was received and logged. */
  const settle = async () => {
    res.steps++;
    const head = await obs.head();
    const before = obs.destroyed.size;
    violate(await obs.check(head));
    res.lifecycles += obs.destroyed.size - before;
    for (const r of received.splice(0)) violate(leaks(canary, r.body, `request ${r.path}`));
    for (const l of logs.splice(0)) violate(leaks(canary, l, 'log line'));
    const status = obs.statusOf(head.sha)?.state;
    const halted = [...w.emu.repo(KEYS_REPO).issues.values()].some(
      (i) => i.state === 'open' && i.labels.includes('rekey:halted'),
    );
    if (status === 'success' && !halted && faultSince !== null) {
      res.slowestMs = Math.max(res.slowestMs, w.now().getTime() - faultSince);
      faultSince = null;
    }
  };

  try {
    for (let day = 0; res.lifecycles < opts.target && day < opts.target * 12; day++) {
      w.setClock(new Date(START.getTime() + day * DAY));
      step = `day ${day} rotate`;
      const roll = rng.int(12);
      if (roll === 0) {
        count('race', 'rotate vs rotate');
        await Promise.all([
          go('rotate A', (wire, log) => rotateRun(w, wire, log)),
          go('rotate B', (wire, log) => rotateRun(w, wire, log)),
        ]);
      } else if (roll === 1) {
        count('race', 'rotate vs revoke');
        await Promise.all([
          go('rotate', (wire, log) => rotateRun(w, wire, log)),
          go('revoke', (wire, log) => revokeRun(w, wire, log)),
        ]);
      } else if (roll === 2) {
        await go('rotate', (wire, log) => rotateRun(w, wire, log), {
          at: {
            index: rng.int(6),
            kind: 'branch-moved',
            act: () => pushToMain(`moved-${res.steps}`),
          },
        });
      } else await go('rotate', (wire, log) => rotateRun(w, wire, log));
      await settle();
      step = `day ${day} merge`;
      const held = await review(rng.chance(0.2));
      await settle();
      step = `day ${day} distribute`;
      await distributeHead(held);
      await settle();

      w.setClock(new Date(START.getTime() + day * DAY + 2 * 3_600_000));
      step = `day ${day} revoke`;
      await go('revoke', (wire, log) => revokeRun(w, wire, log));
      await review();
      await distributeHead();
      await settle();

      if (rng.chance(0.06)) {
        const key = rng.pick(w.keyIds);
        step = `day ${day} emergency`;
        w.setClock(new Date(START.getTime() + day * DAY + 4 * 3_600_000));
        await go('emergency', (wire, log) =>
          rotateRun(w, wire, log, {
            key,
            reason: 'chaos: the secret was pasted into a log',
            compromised: true,
          }),
        );
        await review();
        await distributeHead();
        await settle();
      }
      if (stuck.until === null && rng.chance(0.04)) {
        count('stuck-target', TARGET_REPO);
        stuck.until = new Date(w.now().getTime() + (2 + rng.int(3)) * DAY);
      }
      if (stuck.until !== null && w.now() >= stuck.until) stuck.until = null;
      const halted = [...w.emu.repo(KEYS_REPO).issues.values()].filter(
        (i) => i.state === 'open' && i.labels.includes('rekey:halted'),
      );
      if (halted.length > 0 && stuck.until === null && rng.chance(0.7)) {
        step = `day ${day} resume`;
        const keys = w.keyIds.filter((k) => halted.some((i) => (i.body ?? '').includes(k)));
        count('resume', keys.join(','));
        const head = await obs.head();
        await go('resume', (wire, log) => distributeRun(w, wire, log, head.sha, keys));
        await settle();
      }
      w.setClock(new Date(START.getTime() + day * DAY + 6 * 3_600_000));
      step = `day ${day} retry`;
      await distributeHead();
      if (rng.chance(0.15)) await go('dashboard', (wire, log) => dashboardRun(w, wire, log));
      await settle();
    }
    for (const e of w.emu.requestLog) {
      if (e.method === 'GET') continue;
      res.writes++;
      if (e.method === 'PUT' && /\/actions\/secrets\/[^/]+$/.test(e.path)) res.secretWrites++;
    }
    res.converged = obs.destroyed.size + w.keyIds.length;
  } finally {
    await w.close();
  }
  return res;
}

function leaks(canary: SecretCanary, text: string, where: string): Violation[] {
  return canary
    .findLeaks(text, where)
    .map((l) => ({ invariant: 'canary', detail: `${l.where}: ${l.form}` }));
}
