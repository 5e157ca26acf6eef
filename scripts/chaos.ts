/**
 * `npm run chaos -- [--seed S] [--lifecycles N] [--minutes M] [--world W] [--keys K] [--parallel P] [--rate R]`: the
 * seeded chaos campaign (src/sandbox/chaos, docs/reliability.md). Prints the report; exits 1
 * when any invariant was violated. The canary is the tests' (test/support/canary.ts).
 */
import { parseArgs } from 'node:util';
import { runCampaign } from '../src/sandbox/chaos/campaign.ts';
import { renderReport } from '../src/sandbox/chaos/report.ts';
import { Canary } from '../test/support/canary.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    lifecycles: { type: 'string', default: '100' },
    minutes: { type: 'string' },
    world: { type: 'string' },
    keys: { type: 'string' },
    parallel: { type: 'string', default: '1' },
    'per-world': { type: 'string' },
    rate: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const int = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${v}`);
  return n;
};
const seed = int('seed', values.seed);
const report = await runCampaign({
  seed,
  lifecycles: int('lifecycles', values.lifecycles),
  ...(values.minutes === undefined ? {} : { minutes: Number(values.minutes) }),
  ...(values.world === undefined ? {} : { world: int('world', values.world) }),
  ...(values.keys === undefined ? {} : { keys: int('keys', values.keys) }),
  parallel: int('parallel', values.parallel),
  ...(values['per-world'] === undefined ? {} : { perWorld: int('per-world', values['per-world']) }),
  ...(values.rate === undefined ? {} : { rate: Number(values.rate) }),
  newCanary: () => new Canary(),
  ...(values.quiet ? {} : { progress: (l: string) => console.error(l) }),
});
console.log(renderReport(report, `npm run chaos -- ${process.argv.slice(2).join(' ')}`));
process.exitCode = report.violations.length > 0 ? 1 : 0;
