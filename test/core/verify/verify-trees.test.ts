/**
 * verify/* content rules and the classification of whole changes, through verifyTrees over
 * in-memory trees shaped like the real files.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/core/diagnostics.ts';
import type { RevocationGate } from '../../../src/core/lifecycle/transitions.ts';
import { verifyTrees } from '../../../src/core/verify/verify-trees.ts';
import {
  ed25519Pem,
  enc,
  KEY,
  KEY_FILE,
  mat,
  materialYaml,
  NOW,
  OTHER_RECIPIENT,
  RECIPIENT,
  repo,
  setKey,
  SOPS_YAML,
  tree,
  type Files,
  type V,
} from '../lifecycle/fixtures.ts';

const open: RevocationGate = () => ({ open: true, reason: 'successor distributed' });
const B0: V[] = [
  { version: 2, state: 'active' },
  { version: 1, state: 'deactivated' },
];
const ROTATED: V[] = [
  { version: 3, state: 'active' },
  { version: 2, state: 'deactivated' },
  B0[1]!,
];
/** Line of `sops:` in a material file without / with a public field. */
const SOPS_LINE = 4;

function rotation(o: { type?: string } = {}): { base: Files; head: Files } {
  const base = repo(B0, o);
  return { base, head: setKey(new Map(base), KEY, ROTATED, o) };
}
function verify(base: Files, head: Files, gate?: RevocationGate) {
  return verifyTrees(tree(base), tree(head), { now: NOW, gate });
}
function rules(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => `${d.rule} ${d.file}:${d.line}`);
}

describe('verify/recipients-mismatch', () => {
  it.each([
    ['another recipient', [OTHER_RECIPIENT]],
    ['an extra recipient', [RECIPIENT, OTHER_RECIPIENT]],
  ])('reports new material wrapped to %s', (_, recipients) => {
    const { base, head } = rotation();
    head.set(mat(3), materialYaml(KEY, 3, { recipients }));
    expect(rules(verify(base, head).diagnostics)).toContain(
      `verify/recipients-mismatch ${mat(3)}:${SOPS_LINE}`,
    );
  });

  it("judges by the base branch's .sops.yaml, never the change's own", () => {
    const { base, head } = rotation();
    head.set('.sops.yaml', SOPS_YAML.replace(RECIPIENT, OTHER_RECIPIENT));
    head.set(mat(3), materialYaml(KEY, 3, { recipients: [OTHER_RECIPIENT] }));
    const r = verify(base, head);
    expect(rules(r.diagnostics)).toEqual([`verify/recipients-mismatch ${mat(3)}:${SOPS_LINE}`]);
    expect(r.diagnostics[0]!.message).toContain(`not in the rule: ${OTHER_RECIPIENT}`);
    expect(r.diagnostics[0]!.message).toContain(`missing: ${RECIPIENT}`);
  });

  it('checks re-wrapped (changed) material too, and leaves untouched files alone', () => {
    const base = repo(B0);
    const head = new Map(base);
    head.set(mat(2), materialYaml(KEY, 2, { recipients: [OTHER_RECIPIENT] }));
    expect(rules(verify(base, head).diagnostics)).toEqual([
      `verify/recipients-mismatch ${mat(2)}:${SOPS_LINE}`,
    ]);
    // The same files on both sides: nothing changed, nothing to judge.
    const b2 = new Map(head);
    expect(verify(b2, head).diagnostics).toEqual([]);
  });

  it('accepts material wrapped to exactly the rule, in any order', () => {
    const rule = `creation_rules:\n  - path_regex: ^keys-manifest/\n    encrypted_regex: ^secret$\n    age: ${RECIPIENT},${OTHER_RECIPIENT}\n`;
    const { base, head } = rotation();
    base.set('.sops.yaml', rule);
    head.set('.sops.yaml', rule);
    head.set(mat(3), materialYaml(KEY, 3, { recipients: [OTHER_RECIPIENT, RECIPIENT] }));
    expect(verify(base, head).diagnostics).toEqual([]);
  });
});

describe('verify/no-creation-rule', () => {
  it('reports material no base rule covers', () => {
    const { base, head } = rotation();
    base.set('.sops.yaml', SOPS_YAML.replace('^keys-manifest/', '^elsewhere/'));
    head.set('.sops.yaml', SOPS_YAML);
    expect(rules(verify(base, head).diagnostics)).toEqual([
      `verify/no-creation-rule ${mat(3)}:${SOPS_LINE}`,
    ]);
  });
  it('reports material when the base branch has no .sops.yaml', () => {
    const { base, head } = rotation();
    base.delete('.sops.yaml');
    expect(rules(verify(base, head).diagnostics)).toEqual([
      `verify/no-creation-rule ${mat(3)}:${SOPS_LINE}`,
    ]);
  });
  it('passes when the base rule matches', () => {
    const { base, head } = rotation();
    expect(verify(base, head).diagnostics).toEqual([]);
  });
});

describe('verify/plaintext-private-key', () => {
  const age = 'AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQS';
  const pem = '-----BEGIN OPENSSH PRIVATE KEY-----';
  it.each([
    ['a policy comment', 'policies/standard.yaml', (t: string) => `${t}# ${age}\n`, 6, 3],
    [
      'a key description',
      KEY_FILE,
      (t: string) => t.replace('description: Signs', `description: ${pem} Signs`),
      2,
      14,
    ],
    ['a stray file', 'keys-manifest/notes.txt', () => `key:\n  ${pem}\n`, 2, 3],
  ])('reports a private key in %s at its line and column', (_, path, f, line, column) => {
    const base = repo(B0);
    const head = new Map(base);
    head.set(path, f(base.get(path) ?? ''));
    const found = verify(base, head).diagnostics.filter(
      (d) => d.rule === 'verify/plaintext-private-key',
    );
    expect(found).toEqual([expect.objectContaining({ file: path, line, column })]);
    // Where, never what: the finding does not quote the key.
    expect(found[0]!.message).not.toContain(age.slice(16));
  });
  it('finds a base64-encoded PEM private key', () => {
    const base = repo(B0);
    const head = new Map(base);
    const b64 = Buffer.from('-----BEGIN PRIVATE KEY-----\nMC4CAQA=\n').toString('base64');
    head.set('policies/standard.yaml', `${base.get('policies/standard.yaml')}# ${b64}\n`);
    expect(rules(verify(base, head).diagnostics)).toEqual([
      'verify/plaintext-private-key policies/standard.yaml:6',
    ]);
  });
  it('passes prose about private keys and public PEM blocks', () => {
    const { base, head } = rotation({ type: 'ed25519' });
    head.set(
      KEY_FILE,
      head.get(KEY_FILE)!.replace('Signs outbound', 'Private key that signs outbound'),
    );
    expect(verify(base, head).diagnostics).toEqual([]);
  });
});

describe('verify/public-not-public', () => {
  it('reports a public field on a random key', () => {
    const { base, head } = rotation();
    head.set(mat(3), materialYaml(KEY, 3, { public: 'c2VjcmV0' }));
    expect(rules(verify(base, head).diagnostics)).toEqual([`verify/public-not-public ${mat(3)}:4`]);
  });
  it('reports a private PEM in the public field of an ed25519 key (and the scan too)', () => {
    const { base, head } = rotation({ type: 'ed25519' });
    const priv =
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n';
    head.set(mat(3), materialYaml(KEY, 3, { public: priv }));
    expect(rules(verify(base, head).diagnostics)).toEqual([
      `verify/public-not-public ${mat(3)}:4`,
      `verify/plaintext-private-key ${mat(3)}:4`,
    ]);
  });
  it('reports a missing public part of an asymmetric key', () => {
    const { base, head } = rotation({ type: 'ed25519' });
    head.set(mat(3), materialYaml(KEY, 3));
    expect(rules(verify(base, head).diagnostics)).toEqual([`verify/public-not-public ${mat(3)}:1`]);
  });
  it('passes an SPKI PEM public key', () => {
    const { base, head } = rotation({ type: 'ed25519' });
    expect(head.get(mat(3))).toContain(JSON.stringify(ed25519Pem(KEY, 3)));
    expect(verify(base, head).diagnostics).toEqual([]);
  });
});

describe('a secret in clear', () => {
  it.each([
    ['plaintext', 'q9Jx2mY6pS1cH0vT4nB8wZ3rL7aF5eKd'],
    ['a non-string sops value', enc('x').replace('type:str', 'type:int')],
  ])('is reported (by the material schema) at its line, without quoting it: %s', (_, secret) => {
    const { base, head } = rotation();
    head.set(mat(3), materialYaml(KEY, 3, { secret }));
    const all = verify(base, head).diagnostics;
    // The file exists, so v3 is not reported as missing its material.
    expect(all.filter((d) => d.rule.startsWith('lifecycle/'))).toEqual([]);
    const ds = all.filter((d) => d.file === mat(3));
    expect(ds).toEqual([expect.objectContaining({ line: 3 })]);
    expect(ds[0]!.rule).toMatch(/^schema\//);
    expect(ds[0]!.message).not.toContain(secret);
  });
});

describe('classification', () => {
  const keyB = 'ci/deploy-token';
  const cases: [string, () => { base: Files; head: Files }, string, string[][]][] = [
    [
      'no manifest change',
      () => {
        const base = repo(B0);
        return { base, head: new Map(base).set('README.md', '# changed\n') };
      },
      'none',
      [],
    ],
    ['a rotation', () => rotation(), 'rotation', [[KEY, 'rotation']]],
    [
      'a prepublished rotation',
      () => {
        const base = repo(B0, { policy: 'strict' });
        return {
          base,
          head: setKey(new Map(base), KEY, [{ version: 3, state: 'pre-activation' }, ...B0], {
            policy: 'strict',
          }),
        };
      },
      'rotation',
      [[KEY, 'rotation']],
    ],
    [
      'a promotion',
      () => {
        const before: V[] = [{ version: 3, state: 'pre-activation' }, ...B0];
        const base = repo(before, { policy: 'strict' });
        return { base, head: setKey(new Map(base), KEY, ROTATED, { policy: 'strict' }) };
      },
      'promotion',
      [[KEY, 'promotion']],
    ],
    [
      'a revocation',
      () => {
        const base = repo(B0);
        return {
          base,
          head: setKey(new Map(base), KEY, [B0[0]!, { version: 1, state: 'destroyed' }]),
        };
      },
      'revocation',
      [[KEY, 'revocation']],
    ],
    [
      'an emergency',
      () => {
        const base = repo(B0);
        return {
          base,
          head: setKey(new Map(base), KEY, [
            { version: 3, state: 'active' },
            { version: 2, state: 'compromised' },
            B0[1]!,
          ]),
        };
      },
      'emergency',
      [[KEY, 'emergency']],
    ],
    [
      'a compromised deactivated version',
      () => {
        const base = repo(B0);
        return {
          base,
          head: setKey(new Map(base), KEY, [B0[0]!, { version: 1, state: 'compromised' }]),
        };
      },
      'emergency',
      [[KEY, 'emergency']],
    ],
    [
      'a new key',
      () => {
        const base = repo(B0);
        return { base, head: setKey(new Map(base), keyB, [{ version: 1, state: 'active' }]) };
      },
      'new-key',
      [[keyB, 'new-key']],
    ],
    [
      'a description edit',
      () => {
        const base = repo(B0);
        return {
          base,
          head: new Map(base).set(KEY_FILE, base.get(KEY_FILE)!.replace('Signs', 'Signs all')),
        };
      },
      'configuration',
      [[KEY, 'configuration']],
    ],
    [
      'a policy edit',
      () => {
        const base = repo(B0);
        return {
          base,
          head: new Map(base).set(
            'policies/standard.yaml',
            base.get('policies/standard.yaml')!.replace('grace: 7d', 'grace: 5d'),
          ),
        };
      },
      'configuration',
      [],
    ],
    [
      'a re-wrap (sops updatekeys)',
      () => {
        const base = repo(B0);
        return { base, head: new Map(base).set(mat(2), materialYaml(KEY, 2, { wrap: 'again ' })) };
      },
      'rewrap',
      [[KEY, 'configuration']],
    ],
    [
      'removing a fully destroyed key',
      () => {
        const base = repo(B0);
        setKey(base, keyB, [{ version: 1, state: 'destroyed' }]);
        const head = new Map(base);
        head.delete(`keys-manifest/${keyB}/key.yaml`);
        return { base, head };
      },
      'configuration',
      [[keyB, 'removal']],
    ],
    [
      'a rotation and a revocation of another key',
      () => {
        const base = repo(B0);
        setKey(base, keyB, [
          { version: 2, state: 'active' },
          { version: 1, state: 'deactivated' },
        ]);
        const head = setKey(new Map(base), KEY, ROTATED);
        setKey(head, keyB, [
          { version: 2, state: 'active' },
          { version: 1, state: 'destroyed' },
        ]);
        return { base, head };
      },
      'mixed',
      [
        [keyB, 'revocation'],
        [KEY, 'rotation'],
      ],
    ],
    [
      'a rotation with a description edit',
      () => {
        const { base, head } = rotation();
        head.set(KEY_FILE, head.get(KEY_FILE)!.replace('Signs', 'Signs all'));
        return { base, head };
      },
      'mixed',
      [[KEY, 'configuration', 'rotation']],
    ],
  ];
  it.each(cases.map(([name, make, kind, keys]) => ({ name, make, kind, keys })))(
    '$name is $kind',
    ({ make, kind, keys }) => {
      const { base, head } = make();
      const r = verify(base, head, open);
      expect(r.diagnostics).toEqual([]);
      expect(r.kind).toBe(kind);
      expect(r.keys.map((k) => [k.keyId, ...k.kinds])).toEqual(keys);
    },
  );

  it('lists the moves of each key, newest first', () => {
    const { base, head } = rotation();
    expect(verify(base, head).keys[0]!.moves).toEqual([
      { version: 3, from: undefined, to: 'active' },
      { version: 2, from: 'active', to: 'deactivated' },
    ]);
  });
});

describe('verifyTrees', () => {
  it('reports load errors of the head with the rule violations, and not those of the base', () => {
    const base = repo(B0);
    base.set('policies/broken.yaml', 'name: [\n');
    const head = setKey(new Map(base), KEY, [
      { version: 3, state: 'active' },
      { version: 2, state: 'destroyed' },
      B0[1]!,
    ]);
    head.set(KEY_FILE.replace(KEY, 'ci/other'), 'id: ci/other\nbogus: 1\n');
    const r = verify(base, head, open);
    const found = rules(r.diagnostics);
    expect(found).toContain(`lifecycle/skipped-state ${KEY_FILE}:13`);
    expect(found.some((f) => f.startsWith('schema/') && f.includes('ci/other'))).toBe(true);
    expect(found.filter((f) => f.includes('policies/broken.yaml'))).toHaveLength(1);
    // sorted by file then line
    expect(r.diagnostics).toEqual(
      [...r.diagnostics].sort((a, b) =>
        a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line,
      ),
    );
  });

  it('does not call a key whose key.yaml no longer loads "removed"', () => {
    const base = repo(B0);
    const head = new Map(base).set(
      KEY_FILE,
      base.get(KEY_FILE)!.replace('type: random', 'type: nope'),
    );
    const found = rules(verify(base, head).diagnostics);
    expect(found.some((f) => f.startsWith('schema/'))).toBe(true);
    expect(found.filter((f) => f.startsWith('lifecycle/'))).toEqual([]);
  });
});
