/**
 * The YAML store's two paths (yaml-events.ts, built from the deciding parser's events, and
 * the `yaml` package's comment-preserving one) must read every file the same way: same
 * trees, types, metadata, `reserved` flag, leaf locations, or the same refusal. Checked on
 * generated trees printed several ways (our emitter, the `yaml` package, js-yaml's dump, flow
 * style), on hand-picked awkward text, and on the files the codec writes, which must take the
 * fast path.
 */
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseYaml } from '../../../src/core/yaml/index.ts';
import { BuiltinSopsCodec } from '../../../src/crypto/sops/index.ts';
import type { LoadedFile } from '../../../src/crypto/sops/store.ts';
import type { Branch, Leaf, Value } from '../../../src/crypto/sops/tree.ts';
import { loadFromEvents } from '../../../src/crypto/sops/yaml-events.ts';
import { loadWithYamlPackage, yamlStore } from '../../../src/crypto/sops/yaml-store.ts';
import { bytes, materialRule, newIdentity, NOW, text, type TestIdentity } from './helpers.ts';

const FILE = 'f.sops.yaml';

function outcome(load: () => LoadedFile): LoadedFile | string {
  try {
    return load();
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** Every leaf of a tree with its location, in document order. */
function leaves(l: LoadedFile): [Leaf, unknown][] {
  const out: [Leaf, unknown][] = [];
  const visit = (v: Value | Branch) => {
    if (v.t === 'map') {
      for (const i of v.items) if (i.t === 'pair') visit(i.value);
    } else if (v.t === 'list') {
      for (const i of v.items) if (i.t !== 'comment') visit(i);
    }
    if (v.t !== 'map' && v.t !== 'list' && v.t !== 'null') out.push([v, l.locations.get(v)]);
  };
  l.branches.forEach(visit);
  return out;
}

/** The store (fast path when it applies) reads `t` exactly as the `yaml`-package path does. */
function samePaths(t: string): void {
  const slow = outcome(() => loadWithYamlPackage(FILE, t));
  const store = outcome(() => yamlStore.load(FILE, t));
  if (typeof store === 'string' || typeof slow === 'string') {
    // The deciding loader may refuse syntax as a whole before either path runs.
    if (typeof store === 'string' && store.includes('invalid YAML (yaml/')) return;
    expect(store, t).toEqual(slow);
    return;
  }
  expect(store.branches, t).toEqual(slow.branches);
  expect(store.metadata, t).toEqual(slow.metadata);
  expect(store.reserved, t).toBe(slow.reserved);
  expect(
    leaves(store).map(([, at]) => at),
    t,
  ).toEqual(leaves(slow).map(([, at]) => at));
}

/** Whether the fast path takes `t` (given the deciding loader accepts it without findings). */
function fast(t: string): boolean {
  const d = parseYaml(FILE, bytes(t), { maxBytes: t.length * 4 + 16 });
  if (d.diagnostics.length > 0) return false;
  return loadFromEvents(FILE, t, (d.value ?? {}) as Record<string, unknown>) !== undefined;
}

const key = fc.oneof(
  fc.string({ minLength: 1, maxLength: 10 }),
  fc.constantFrom('sops', 'a b', 'x:y', '1', '2024-01-01', 'true', '"q"', '__proto__', '#k'),
);
const scalar = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '0777',
    '0x1F',
    '1_000',
    '1e3',
    '.5',
    '2024-01-01',
    '2024-01-01 10:00:00',
    'yes',
    'True',
    '~',
    'null',
    '',
    ' lead',
    'trail ',
    'a: b',
    'a #b',
    'a#b',
    '# c',
    '- x',
    '|',
    'x\ny',
    'x\n\n',
    '\n',
    'ENC[AES256_GCM,data:abc=,iv:def=,tag:ghi=,type:str]',
    '-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n',
    '9223372036854775808',
    '18446744073709551616',
  ),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.double({ noDefaultInfinity: true, min: -1e20, max: 1e20 }),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4 }),
  ),
})).v;
const doc = fc.dictionary(key, value, { maxKeys: 6 });

describe('the YAML store: event path and yaml-package path', () => {
  it('read generated trees, printed four ways, identically', () => {
    let runs = 0;
    let onFastPath = 0;
    fc.assert(
      fc.property(doc, fc.integer({ min: 0, max: 3 }), (data, how) => {
        let t: string;
        try {
          t = [
            () => YAML.stringify(data),
            () => dump(data),
            () => YAML.stringify(data, { collectionStyle: 'flow' }),
            () => dump(data, { flowLevel: 1 }),
          ][how]!();
        } catch {
          return; // a printer that cannot print this tree
        }
        samePaths(t);
        runs++;
        if (fast(t)) onFastPath++;
      }),
      { numRuns: 1500 },
    );
    // Not vacuous: many generated files (about half) are read by the event path.
    expect(onFastPath / runs).toBeGreaterThan(0.3);
  });

  it('read awkward text identically (comments, markers, quoting, errors)', () => {
    const cases = [
      '',
      '---\n',
      '~\n',
      'a: 1\n',
      '---\na: 1\n',
      'a: 1\n...\n',
      'a: 1\n---\nb: 2\n',
      'a: 1 # c\n',
      '# head\na: 1\n',
      'a: "x # y"\n',
      "a: 'x # y'\n",
      'a: x#y\n',
      'a: |\n  x # y\n',
      'a: | # c\n  x\n',
      'a: >-\n  folded\n  text\n',
      'a: [1, 2, {b: c}]\n',
      '{a: 1, b: [x, y]}\n',
      'a:\n- 1\n- - 2\n  - 3\n- b: 1\n  c: 2\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: !!int "1"\n',
      'a: 1\na: 2\n',
      '<<: {a: 1}\n',
      '? [a]\n: 1\n',
      '1: x\n',
      'true: x\n',
      '2024-01-01: x\n',
      'a: 18446744073709551615\n',
      'a: 9223372036854775808\n',
      '- a\n- b\n',
      'just text\n',
      'a: "\\u0001\\t"\n',
      'a:\n',
      'a: \n  b: 1\n',
      'sops: {mac: x}\na: 1\n',
      'sops: 1\n',
      'sops:\n  age:\n    - recipient: r\n      enc: |\n        x\n  version: 3.13.2\n',
      'a: b: c\n',
      'a: "unterminated\n',
      '\ta: 1\n',
      'a:\r\n  b: 1\r\n',
      '\ufeffa: 1\n',
      'a: 0o17\nb: 0b101\nc: +1\nd: -.inf\ne: .NaN\n',
      'a: 2024-1-2\nb: 2024-01-02t10:00:00Z\n',
      // Implicit keys over 1024 characters: the `yaml` package refuses them, js-yaml does not.
      `${'k'.repeat(1100)}: v\n`,
      `"${'k'.repeat(1100)}": v\n`,
      `a: ${'v'.repeat(3000)}\n`,
      'a: [1, 2,]\n',
      'a: {b: 1,}\n',
      'a: 1\t\n',
      'a: x\u2028y\n',
      'a: x\u0085y\n',
      'a: x\u00a0\n',
      'a: {b}\n',
      'a: {b: }\n',
      'a: [? b : 1]\n',
      'a: x:y\n',
      '--- a: 1\n',
      'a: "\\x41\\/\\e\\N"\n',
      'a: |-\n\n',
      'a: >+\n  x\n\n',
      'a:\n  - 1\n  -\n',
      'a: 0.\nb: -0\nc: +.5\nd: 1e5\ne: 0x\nf: 1__0\n',
    ];
    for (const t of cases) samePaths(t);
  });

  describe('on the files the codec writes', () => {
    let alice: TestIdentity;
    let codec: BuiltinSopsCodec;
    beforeAll(async () => {
      alice = await newIdentity();
      codec = new BuiltinSopsCodec({ identities: [alice.identity] });
    });

    it('takes the event path, for the plaintext and the encrypted file alike', async () => {
      const plain = 'id: team/key\nversion: 1\nsecret: c2VjcmV0\npublic: "007"\n';
      const enc = text(
        await codec.encrypt('k/v1.sops.yaml', bytes(plain), {
          rule: materialRule([alice.recipient]),
          now: NOW,
        }),
      );
      expect(fast(plain)).toBe(true);
      expect(fast(enc)).toBe(true);
      samePaths(plain);
      samePaths(enc);
      // A comment sends a file to the comment-preserving path, which keeps it.
      expect(fast(`# note\n${plain}`)).toBe(false);
      const commented = yamlStore.load(FILE, `# note\n${plain}`);
      expect(commented.branches[0]?.items[0]).toEqual({
        t: 'comment',
        text: ' note',
        inline: false,
      });
    });
  });
});

describe('the YAML emitter', () => {
  const plainish = fc.stringMatching(/^[A-Za-z][A-Za-z0-9+/=_.,:[\]-]{0,40}$/);
  const leaf = fc.oneof(
    plainish.map((v) => ({ t: 'str' as const, v })),
    fc.string({ maxLength: 20 }).map((v) => ({ t: 'str' as const, v })),
    fc.constantFrom('null', 'True', 'FALSE', 'abc:', 'a:b', 'x: y').map((v) => ({
      t: 'str' as const,
      v,
    })),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => ({ t: 'int' as const, v })),
    fc.boolean().map((v) => ({ t: 'bool' as const, v })),
  );
  const branch = fc
    .uniqueArray(fc.tuple(plainish, leaf), { selector: ([k]) => k, minLength: 1, maxLength: 6 })
    .map((pairs) => ({
      t: 'map' as const,
      items: pairs.map(([key, value]) => ({ t: 'pair' as const, key, value })),
    }));

  it('writes what both read paths read back as exactly the same tree', () => {
    fc.assert(
      fc.property(branch, (b) => {
        const t = yamlStore.emit([b], undefined, { indent: 4 });
        expect(yamlStore.load(FILE, t).branches, t).toEqual([b]);
        expect(loadWithYamlPackage(FILE, t).branches, t).toEqual([b]);
        for (const item of b.items)
          if (item.value.t === 'str' && /^[A-Za-z][A-Za-z0-9+/=_.,[\]-]{5,}$/.test(item.value.v))
            expect(t).toContain(`: ${item.value.v}\n`);
      }),
      { numRuns: 500 },
    );
  });
});
