/**
 * One failing and one passing change per lifecycle rule, through the same path the CLI
 * takes (verifyTrees over two in-memory trees). A failing case asserts the rule id and the
 * file and line a reviewer is sent to; a passing case asserts that nothing at all is reported.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/core/diagnostics.ts';
import { LIFECYCLE_RULES, type LifecycleRuleId } from '../../../src/core/lifecycle/rules.ts';
import type { RevocationGate } from '../../../src/core/lifecycle/transitions.ts';
import { verifyTrees } from '../../../src/core/verify/verify-trees.ts';
import {
  created,
  KEY,
  KEY_FILE,
  kcv,
  keyYaml,
  mat,
  materialYaml,
  NOW,
  repo,
  setKey,
  tree,
  TYPE_LINE,
  versionLine,
  VERSIONS_LINE,
  type Files,
  type V,
} from './fixtures.ts';

const open: RevocationGate = () => ({ open: true, reason: 'v3 distributed 9 d ago' });
const closed: RevocationGate = () => ({
  open: false,
  reason: 'grace of 7d has not passed since v3 was distributed (2 d ago)',
});

interface Change {
  base: Files;
  head: Files;
  gate?: RevocationGate;
}
interface Case {
  rule: LifecycleRuleId;
  fail: () => Change;
  at: { file: string; line: number };
  pass: () => Change;
}

const B0: V[] = [
  { version: 2, state: 'active' },
  { version: 1, state: 'deactivated' },
];
const B1: V[] = [
  { version: 3, state: 'active' },
  { version: 2, state: 'deactivated' },
  { version: 1, state: 'destroyed' },
];
const ROTATED: V[] = [
  { version: 3, state: 'active' },
  { version: 2, state: 'deactivated' },
  B0[1]!,
];

/** head = base with key.yaml (and live material) replaced. */
function change(base: V[], head: V[], o: { policy?: string; gate?: RevocationGate } = {}): Change {
  const b = repo(base, o);
  return { base: b, head: setKey(new Map(b), KEY, head, o), ...(o.gate ? { gate: o.gate } : {}) };
}
/** A snapshot checked against itself: only the invariants can fire. */
function same(files: Files): Change {
  return { base: files, head: files };
}
function edit(files: Files, path: string, f: (text: string) => string): Files {
  const out = new Map(files);
  out.set(path, f(files.get(path)!));
  return out;
}
function withKeyText(versions: V[], f: (text: string) => string): Files {
  return edit(repo(versions), KEY_FILE, f);
}

const cases: Case[] = [
  {
    rule: 'lifecycle/version-order',
    fail: () => same(withKeyText(B0, () => keyYaml([...B0].reverse()))),
    at: { file: KEY_FILE, line: versionLine(1) },
    pass: () => same(repo(B0)),
  },
  {
    rule: 'lifecycle/version-duplicate',
    fail: () => same(withKeyText(B0, () => keyYaml([...B0, B0[1]!]))),
    at: { file: KEY_FILE, line: versionLine(2) },
    pass: () => same(repo(B1)),
  },
  {
    rule: 'lifecycle/version-gap',
    fail: () => same(repo([{ version: 3, state: 'active' }, B0[1]!])),
    at: { file: KEY_FILE, line: versionLine(0) },
    pass: () => same(repo(B1)),
  },
  {
    rule: 'lifecycle/multiple-active',
    fail: () => change(B0, [{ version: 3, state: 'active' }, ...B0]),
    at: { file: KEY_FILE, line: versionLine(1) },
    pass: () => change(B0, ROTATED),
  },
  {
    rule: 'lifecycle/multiple-pre-activation',
    fail: () =>
      change(
        [{ version: 3, state: 'pre-activation' }, ...B0],
        [{ version: 4, state: 'pre-activation' }, { version: 3, state: 'pre-activation' }, ...B0],
        { policy: 'strict' },
      ),
    at: { file: KEY_FILE, line: versionLine(1) },
    pass: () => change(B0, [{ version: 3, state: 'pre-activation' }, ...B0], { policy: 'strict' }),
  },
  {
    rule: 'lifecycle/created-in-future',
    fail: () =>
      change(B0, [
        { version: 3, state: 'active', created: '2026-11-22T04:00:01Z' },
        ...ROTATED.slice(1),
      ]),
    at: { file: KEY_FILE, line: versionLine(0) },
    pass: () =>
      change(B0, [
        { version: 3, state: 'active', created: '2026-11-22T04:00:00Z' },
        ...ROTATED.slice(1),
      ]),
  },
  {
    rule: 'lifecycle/material-missing',
    fail: () => {
      const c = change(B0, ROTATED);
      c.head.delete(mat(3));
      return c;
    },
    at: { file: KEY_FILE, line: versionLine(0) },
    pass: () => change(B0, ROTATED),
  },
  {
    rule: 'lifecycle/material-for-destroyed',
    fail: () => {
      const c = change(
        B1,
        B1.map((v) => (v.version === 2 ? { ...v, state: 'destroyed' } : v)),
        { gate: open },
      );
      c.head.set(mat(2), c.base.get(mat(2))!);
      return c;
    },
    at: { file: KEY_FILE, line: versionLine(1) },
    pass: () =>
      change(
        B1,
        B1.map((v) => (v.version === 2 ? { ...v, state: 'destroyed' } : v)),
        { gate: open },
      ),
  },
  {
    rule: 'lifecycle/material-orphan',
    fail: () => same(edit(repo(B0), mat(7), () => materialYaml(KEY, 7))),
    at: { file: mat(7), line: 1 },
    pass: () => same(repo(B0)),
  },
  {
    rule: 'lifecycle/skipped-state',
    fail: () =>
      change(B0, [{ version: 3, state: 'active' }, { version: 2, state: 'destroyed' }, B0[1]!]),
    at: { file: KEY_FILE, line: versionLine(1) },
    pass: () => change(B0, ROTATED),
  },
  {
    rule: 'lifecycle/resurrection',
    fail: () => change(B1, [...B1.slice(0, 2), { version: 1, state: 'deactivated' }]),
    at: { file: KEY_FILE, line: versionLine(2) },
    pass: () => same(repo(B1)),
  },
  {
    rule: 'lifecycle/version-removed',
    fail: () => change(B1, B1.slice(0, 2)),
    at: { file: KEY_FILE, line: VERSIONS_LINE },
    pass: () => same(repo(B1)),
  },
  {
    rule: 'lifecycle/new-version-number',
    fail: () =>
      change(B0, [{ version: 4, state: 'active', created: created(3) }, ...ROTATED.slice(1)]),
    at: { file: KEY_FILE, line: versionLine(0) },
    pass: () => change(B0, ROTATED),
  },
  {
    rule: 'lifecycle/new-version-state',
    fail: () => change(B0, [{ version: 3, state: 'deactivated' }, ...B0]),
    at: { file: KEY_FILE, line: versionLine(0) },
    pass: () => change(B0, ROTATED),
  },
  {
    rule: 'lifecycle/prepublish-disabled',
    fail: () => change(B0, [{ version: 3, state: 'pre-activation' }, ...B0]),
    at: { file: KEY_FILE, line: versionLine(0) },
    pass: () => change(B0, [{ version: 3, state: 'pre-activation' }, ...B0], { policy: 'strict' }),
  },
  {
    rule: 'lifecycle/active-without-successor',
    fail: () => change(B0, [{ version: 2, state: 'deactivated' }, B0[1]!]),
    at: { file: KEY_FILE, line: versionLine(0) },
    pass: () =>
      change(
        [{ version: 3, state: 'pre-activation' }, ...B0],
        [{ version: 3, state: 'active' }, { version: 2, state: 'deactivated' }, B0[1]!],
        { policy: 'strict' },
      ),
  },
  {
    rule: 'lifecycle/revocation-gate-closed',
    fail: () => change(B1, [B1[0]!, { version: 2, state: 'destroyed' }, B1[2]!], { gate: closed }),
    at: { file: KEY_FILE, line: versionLine(1) },
    pass: () => change(B1, [B1[0]!, { version: 2, state: 'destroyed' }, B1[2]!], { gate: open }),
  },
  {
    rule: 'lifecycle/revocation-gate-unchecked',
    fail: () => change(B1, [B1[0]!, { version: 2, state: 'destroyed' }, B1[2]!]),
    at: { file: KEY_FILE, line: versionLine(1) },
    pass: () => change(B1, [B1[0]!, { version: 2, state: 'destroyed' }, B1[2]!], { gate: open }),
  },
  {
    rule: 'lifecycle/material-edited',
    fail: () => {
      const base = repo(B0);
      return {
        base,
        head: edit(base, mat(2), () =>
          materialYaml(KEY, 2, { secret: materialYaml('x', 1).split('\n')[2]!.slice(8) }),
        ),
      };
    },
    at: { file: mat(2), line: 3 },
    // sops updatekeys: same data key re-wrapped, so only the age stanza changes.
    pass: () => {
      const base = repo(B0);
      return {
        base,
        head: edit(base, mat(2), () => materialYaml(KEY, 2, { wrap: 'updatekeys ' })),
      };
    },
  },
  {
    rule: 'lifecycle/created-changed',
    fail: () => change(B0, [{ ...B0[0]!, created: created(3) }, B0[1]!]),
    at: { file: KEY_FILE, line: versionLine(0) },
    pass: () => same(repo(B0)),
  },
  {
    rule: 'lifecycle/fingerprint-changed',
    fail: () => change(B0, [{ ...B0[0]!, fingerprint: 'kcv:0123456789abcdef' }, B0[1]!]),
    at: { file: KEY_FILE, line: versionLine(0) },
    pass: () => same(repo(B0)),
  },
  {
    rule: 'lifecycle/fingerprint-reused',
    fail: () =>
      change(B0, [{ version: 3, state: 'active', fingerprint: kcv(1) }, ...ROTATED.slice(1)]),
    at: { file: KEY_FILE, line: versionLine(0) },
    pass: () => change(B0, ROTATED),
  },
  {
    rule: 'lifecycle/type-changed',
    fail: () => {
      const base = repo([]);
      return {
        base,
        head: edit(base, KEY_FILE, (t) =>
          t.replace('type: random', 'type: ed25519').replace(/^options: .*$/m, '# no options'),
        ),
      };
    },
    at: { file: KEY_FILE, line: TYPE_LINE },
    pass: () => {
      const base = repo([]);
      return { base, head: edit(base, KEY_FILE, (t) => t.replace('bytes: 32', 'bytes: 64')) };
    },
  },
  {
    rule: 'lifecycle/created-before-newest',
    fail: () =>
      change(B0, [{ version: 3, state: 'active', created: created(1) }, ...ROTATED.slice(1)]),
    at: { file: KEY_FILE, line: versionLine(0) },
    pass: () =>
      change(B0, [{ version: 3, state: 'active', created: created(2) }, ...ROTATED.slice(1)]),
  },
  {
    rule: 'lifecycle/key-removed',
    fail: () => {
      const base = repo(B0);
      return { base, head: new Map([...base].filter(([p]) => !p.startsWith('keys-manifest/'))) };
    },
    at: { file: KEY_FILE, line: versionLine(0) },
    pass: () => {
      const base = repo([{ version: 1, state: 'destroyed' }]);
      return { base, head: new Map([...base].filter(([p]) => !p.startsWith('keys-manifest/'))) };
    },
  },
  {
    rule: 'lifecycle/new-key-versions',
    fail: () => {
      const base = repo([]);
      base.delete(KEY_FILE);
      return { base, head: repo([{ version: 1, state: 'deactivated' }]) };
    },
    at: { file: KEY_FILE, line: versionLine(0) },
    pass: () => {
      const base = repo([]);
      base.delete(KEY_FILE);
      return { base, head: repo([{ version: 1, state: 'active' }]) };
    },
  },
];

function run(c: Change): Diagnostic[] {
  return [...verifyTrees(tree(c.base), tree(c.head), { now: NOW, gate: c.gate }).diagnostics];
}

describe('version-gap on a hostile number', () => {
  it('keeps the message short', () => {
    const files = repo([{ version: 1_000_000, state: 'active', created: created(1) }]);
    const gap = run(same(files)).filter((d) => d.rule === 'lifecycle/version-gap');
    expect(gap).toHaveLength(1);
    expect(gap[0]!.message).toMatch(/^v1, v2, v3, v4, v5 and 999994 more are missing/);
  });
});

describe('lifecycle rules', () => {
  it('has a failing and a passing case for every lifecycle/* rule', () => {
    const lifecycle = Object.keys(LIFECYCLE_RULES).filter((r) => r.startsWith('lifecycle/'));
    expect(cases.map((c) => c.rule).sort()).toEqual(lifecycle.sort());
  });

  describe.each(cases)('$rule', ({ rule, fail, at, pass }) => {
    it('reports the violation at its file and line', () => {
      const found = run(fail());
      expect(found.filter((d) => d.rule === rule)).toContainEqual(
        expect.objectContaining({ rule, file: at.file, line: at.line }),
      );
    });
    it('accepts the allowed counterpart', () => {
      expect(run(pass())).toEqual([]);
    });
  });
});
