/**
 * Properties of the lifecycle rules, over random histories of one key:
 * 1. every change a legal sequence of rekey operations makes passes verify, so the
 *    invariants hold after every step, and the change is classified as what it is;
 * 2. from any state such a history reaches, any single disallowed edit is caught, by the
 *    rule that names it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyState } from '../../../src/core/formats/index.ts';
import type { RevocationGate } from '../../../src/core/lifecycle/transitions.ts';
import { verifyTrees } from '../../../src/core/verify/verify-trees.ts';
import {
  enc,
  KEY,
  KEY_FILE,
  kcv,
  keyYaml,
  mat,
  materialYaml,
  NOW,
  OTHER_RECIPIENT,
  repo,
  setKey,
  tree,
  type Files,
  type V,
} from './fixtures.ts';

const open: RevocationGate = () => ({ open: true, reason: 'successor distributed' });
const OPS = ['rotate', 'prepublish', 'promote', 'revoke', 'compromise', 'describe'] as const;
type Op = (typeof OPS)[number];
type Kind = 'rotation' | 'promotion' | 'revocation' | 'emergency' | 'configuration';
interface Step {
  op: Op;
  pick: number;
}
interface State {
  policy: 'standard' | 'strict';
  versions: V[];
  description: number;
}

const max = (vs: readonly V[]) => Math.max(0, ...vs.map((v) => v.version));
const withState = (vs: readonly V[], n: number, state: KeyState): V[] =>
  vs.map((v) => (v.version === n ? { ...v, state } : v));
const deactivateActive = (vs: readonly V[]): V[] =>
  vs.map((v) => (v.state === 'active' ? { ...v, state: 'deactivated' as const } : v));
const add = (vs: readonly V[], state: KeyState): V[] => [{ version: max(vs) + 1, state }, ...vs];

/** The next state after a legal operation and its kind, or undefined when it does not apply. */
function apply(s: State, { op, pick }: Step): { next: State; kind: Kind } | undefined {
  const vs = s.versions;
  const pre = vs.find((v) => v.state === 'pre-activation');
  const choose = (pred: (v: V) => boolean) => {
    const c = vs.filter(pred);
    return c.length === 0 ? undefined : c[pick % c.length]!;
  };
  switch (op) {
    case 'rotate':
      if (pre) return undefined;
      return { next: { ...s, versions: add(deactivateActive(vs), 'active') }, kind: 'rotation' };
    case 'prepublish':
      if (pre || s.policy !== 'strict') return undefined;
      return { next: { ...s, versions: add(vs, 'pre-activation') }, kind: 'rotation' };
    case 'promote':
      if (!pre) return undefined;
      return {
        next: { ...s, versions: withState(deactivateActive(vs), pre.version, 'active') },
        kind: 'promotion',
      };
    case 'revoke': {
      const v = choose((v) => v.state === 'deactivated' || v.state === 'compromised');
      if (!v) return undefined;
      return {
        next: { ...s, versions: withState(vs, v.version, 'destroyed') },
        kind: 'revocation',
      };
    }
    case 'compromise': {
      const v = choose((v) => v.state !== 'destroyed' && v.state !== 'compromised');
      if (!v) return undefined;
      const marked = withState(vs, v.version, 'compromised');
      return {
        next: { ...s, versions: v.state === 'active' ? add(marked, 'active') : marked },
        kind: 'emergency',
      };
    }
    case 'describe':
      return { next: { ...s, description: s.description + 1 }, kind: 'configuration' };
  }
}

function files(s: State, from?: Files): Files {
  const f = setKey(from ? new Map(from) : repo([]), KEY, s.versions, { policy: s.policy });
  return f.set(
    KEY_FILE,
    f.get(KEY_FILE)!.replace('Signs outbound', `Signs (${s.description}) outbound`),
  );
}

const steps = fc.array(fc.record({ op: fc.constantFrom(...OPS), pick: fc.nat(20) }), {
  maxLength: 12,
});
const start = fc.constantFrom<State['policy']>('standard', 'strict').map((policy): State => ({
  policy,
  versions: [{ version: 1, state: 'active' }],
  description: 0,
}));

/** Runs a history; returns the last state and its files. Asserts every step passes verify. */
function history(s0: State, ss: readonly Step[], check: boolean): { s: State; f: Files } {
  let s = s0;
  let f = files(s);
  for (const step of ss) {
    const r = apply(s, step);
    if (!r) continue;
    const nf = files(r.next, f);
    if (check) {
      const result = verifyTrees(tree(f), tree(nf), { now: NOW, gate: open });
      expect(result.diagnostics).toEqual([]);
      expect(result.kind).toBe(r.kind);
    }
    s = r.next;
    f = nf;
  }
  return { s, f };
}

/**
 * The moves DESIGN.md forbids, written out independently of src/core/lifecycle/states.ts so
 * the test does not inherit a bug from the code under test: target state -> expected rule.
 */
const SKIP = 'lifecycle/skipped-state';
const BACK = 'lifecycle/resurrection';
const ILLEGAL: Record<KeyState, Partial<Record<KeyState, string>>> = {
  'pre-activation': { deactivated: SKIP, destroyed: SKIP },
  active: { 'pre-activation': BACK, destroyed: SKIP },
  deactivated: { 'pre-activation': BACK, active: BACK },
  compromised: { 'pre-activation': BACK, active: BACK, deactivated: BACK },
  destroyed: { 'pre-activation': BACK, active: BACK, deactivated: BACK, compromised: BACK },
};

describe('lifecycle properties', () => {
  it('every legal history passes verify at every step and is classified as what it is', () => {
    fc.assert(
      fc.property(start, steps, (s0, ss) => {
        history(s0, ss, true);
      }),
      { numRuns: 200 },
    );
  });

  /** One disallowed edit: the rule it must trip, and the edited files (undefined: not applicable). */
  type Mutation = (
    s: State,
    f: Files,
    pick: number,
  ) => { rule: string; head: Files; gate?: RevocationGate } | undefined;
  const keyWith = (s: State, f: Files, versions: V[]) =>
    setKey(new Map(f), KEY, versions, { policy: s.policy });
  const nth = (vs: readonly V[], pred: (v: V) => boolean, pick: number) => {
    const c = vs.filter(pred);
    return c.length === 0 ? undefined : c[pick % c.length]!;
  };
  const mutations: Record<string, Mutation> = {
    'illegal state move': (s, f, pick) => {
      const v = s.versions[pick % s.versions.length]!;
      const targets = Object.entries(ILLEGAL[v.state]);
      if (targets.length === 0) return undefined;
      const [to, rule] = targets[pick % targets.length]!;
      return {
        rule,
        head: keyWith(s, f, withState(s.versions, v.version, to as KeyState)),
        gate: open,
      };
    },
    'entry removed': (s, f, pick) => {
      const n = s.versions[pick % s.versions.length]!.version;
      const head = new Map(f).set(
        KEY_FILE,
        keyYaml(
          s.versions.filter((v) => v.version !== n),
          { policy: s.policy },
        ),
      );
      return { rule: 'lifecycle/version-removed', head };
    },
    'fingerprint edited': (s, f, pick) => {
      const i = pick % s.versions.length;
      const vs = s.versions.map((v, j) =>
        j === i ? { ...v, fingerprint: 'kcv:00000000000000ff' } : v,
      );
      return { rule: 'lifecycle/fingerprint-changed', head: keyWith(s, f, vs) };
    },
    'created edited': (s, f, pick) => {
      const i = pick % s.versions.length;
      const vs = s.versions.map((v, j) =>
        j === i ? { ...v, created: '2025-12-31T23:59:59Z' } : v,
      );
      return { rule: 'lifecycle/created-changed', head: keyWith(s, f, vs) };
    },
    'number skipped': (s, f) => ({
      rule: 'lifecycle/new-version-number',
      head: keyWith(s, f, [
        { version: max(s.versions) + 2, state: 'active' },
        ...deactivateActive(s.versions),
      ]),
    }),
    'new version not starting active': (s, f, pick) => {
      const state = (['deactivated', 'compromised', 'destroyed'] as const)[pick % 3]!;
      return { rule: 'lifecycle/new-version-state', head: keyWith(s, f, add(s.versions, state)) };
    },
    'active deactivated alone': (s, f) =>
      s.versions.some((v) => v.state === 'active')
        ? {
            rule: 'lifecycle/active-without-successor',
            head: keyWith(s, f, deactivateActive(s.versions)),
          }
        : undefined,
    'destroyed without the gate': (s, f, pick) => {
      const v = nth(
        s.versions,
        (v) => v.state === 'deactivated' || v.state === 'compromised',
        pick,
      );
      return (
        v && {
          rule: 'lifecycle/revocation-gate-unchecked',
          head: keyWith(s, f, withState(s.versions, v.version, 'destroyed')),
        }
      );
    },
    'secret edited in place': (s, f, pick) => {
      const v = nth(s.versions, (v) => v.state !== 'destroyed', pick);
      return (
        v && {
          rule: 'lifecycle/material-edited',
          head: new Map(f).set(
            mat(v.version),
            materialYaml(KEY, v.version, { secret: enc('replaced') }),
          ),
        }
      );
    },
    'material deleted': (s, f, pick) => {
      const v = nth(s.versions, (v) => v.state !== 'destroyed', pick);
      if (!v) return undefined;
      const head = new Map(f);
      head.delete(mat(v.version));
      return { rule: 'lifecycle/material-missing', head };
    },
    'material kept for a destroyed version': (s, f, pick) => {
      const v = nth(s.versions, (v) => v.state === 'destroyed', pick);
      return (
        v && {
          rule: 'lifecycle/material-for-destroyed',
          head: new Map(f).set(mat(v.version), materialYaml(KEY, v.version)),
        }
      );
    },
    'material re-wrapped to another recipient': (s, f, pick) => {
      const v = nth(s.versions, (v) => v.state !== 'destroyed', pick);
      return (
        v && {
          rule: 'verify/recipients-mismatch',
          head: new Map(f).set(
            mat(v.version),
            materialYaml(KEY, v.version, { recipients: [OTHER_RECIPIENT] }),
          ),
        }
      );
    },
    'created in the future': (s, f) => ({
      rule: 'lifecycle/created-in-future',
      head: keyWith(s, f, [
        { version: max(s.versions) + 1, state: 'active', created: '2027-01-01T00:00:00Z' },
        ...deactivateActive(s.versions),
      ]),
    }),
    'new version reusing a fingerprint': (s, f, pick) => {
      const old = s.versions[pick % s.versions.length]!;
      const next = {
        version: max(s.versions) + 1,
        state: 'active' as const,
        fingerprint: kcv(old.version),
      };
      return {
        rule: 'lifecycle/fingerprint-reused',
        head: keyWith(s, f, [next, ...deactivateActive(s.versions)]),
      };
    },
    'order swapped': (s, f) =>
      s.versions.length < 2
        ? undefined
        : {
            rule: 'lifecycle/version-order',
            head: new Map(f).set(
              KEY_FILE,
              keyYaml([...s.versions].reverse(), { policy: s.policy }),
            ),
          },
  };

  // One property per kind of edit, so each is exercised on every run: a kind that applies to
  // few histories (a destroyed version must exist) once went untried among 200 shared runs.
  // fast-check fails a property whose precondition skips too often, so none is vacuous.
  it.each(Object.keys(mutations))('catches a single disallowed edit (%s) by its rule', (name) => {
    fc.assert(
      fc.property(start, steps, fc.nat(20), (s0, ss, pick) => {
        const { s, f } = history(s0, ss, false);
        const m = mutations[name]!(s, f, pick);
        fc.pre(m !== undefined);
        const r = verifyTrees(tree(f), tree(m!.head), { now: NOW, gate: m!.gate });
        expect(r.diagnostics.map((d) => d.rule)).toContain(m!.rule);
      }),
      { numRuns: 30 },
    );
  });

  it('reaches every state in its histories (the generator is not trivially narrow)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(start, steps, (s0, ss) => {
        history(s0, ss, false).s.versions.forEach((v) => seen.add(v.state));
      }),
      { numRuns: 200 },
    );
    expect([...seen].sort()).toEqual([
      'active',
      'compromised',
      'deactivated',
      'destroyed',
      'pre-activation',
    ]);
  });
});
