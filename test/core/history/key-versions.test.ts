import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEY_STATES } from '../../../src/core/formats/key.ts';
import {
  parseVersionStates,
  readVersionStates,
  scanVersionStates,
  type VersionMemo,
} from '../../../src/core/history/key-versions.ts';

describe('readVersionStates', () => {
  it.each([
    [
      'flow entries with quoted fingerprints',
      'id: a\nversions:\n  - { version: 2, state: active, fingerprint: "kcv:state: destroyed" }\n  - { version: 1, state: deactivated }\ntargets: []\n',
      [
        [2, 'active'],
        [1, 'deactivated'],
      ],
    ],
    [
      'block entries with comments',
      'versions:\n- version: 3   # newest\n  state: pre-activation\n- version: 2\n  state: active\n',
      [
        [3, 'pre-activation'],
        [2, 'active'],
      ],
    ],
    ['no versions key', 'id: a\n', []],
    ['an empty list', 'id: a\nversions: []\n', []],
    ['an empty file', '', []],
    ['versions with nothing under it', 'versions:\nid: a\n', []],
    ['quoted state', 'versions:\n  - { version: 1, state: "active" }\n', [[1, 'active']]],
    ['CRLF line ends', 'versions:\r\n  - { version: 1, state: active }\r\n', [[1, 'active']]],
  ])('reads %s', (_name, text, expected) => {
    const r = readVersionStates(text);
    expect(r.ok && r.versions.map((v) => [v.version, v.state])).toEqual(expected);
  });

  it.each([
    ['broken YAML', 'versions: [ {version: 1\n'],
    ['a list document', '- a\n- b\n'],
    ['versions not a list', 'versions: 3\n'],
    ['an alias bomb', 'a: &a [x, x]\nb: &b [*a, *a]\nversions: *b\n'],
  ])('refuses %s without throwing', (_name, text) => {
    const r = readVersionStates(text);
    expect(r.ok).toBe(false);
  });

  it('skips entries it does not understand and says which', () => {
    const r = readVersionStates(
      'versions:\n  - { version: 2, state: retired }\n  - { version: 1, state: active }\n',
    );
    expect(r).toEqual({
      ok: true,
      versions: [{ version: 1, state: 'active' }],
      skipped: ['versions[0]: expected a version number >= 1 and a known state'],
    });
  });

  it('refuses files over the size cap', () => {
    expect(readVersionStates('#'.repeat(1024 * 1024 + 1)).ok).toBe(false);
  });

  it('a per-key memo answers as a fresh read does, and stays bounded by what the latest file lists', () => {
    const file = (states: string[]) =>
      'versions:\n' +
      states.map((s, i) => `  - { version: ${states.length - i}, state: ${s} }\n`).join('');
    const memo: VersionMemo = { items: new Map() };
    const files = [
      file(['active']),
      file(['active', 'deactivated']),
      file(['active', 'destroyed']),
      // An entry the memo saw, now in a file the scanner refuses: the parser decides.
      'versions:\n  - { version: 1, state: active }\n---\nversions: []\n',
      file(['active', 'deactivated', 'destroyed']),
      // Entries moved (reordered), and one the previous file had at this index changed.
      'versions:\n  - { version: 1, state: destroyed }\n  - { version: 3, state: active }\n  - { version: 2, state: destroyed }\n',
    ];
    for (const text of files)
      expect(readVersionStates(text, memo)).toEqual(readVersionStates(text));
    expect([...memo.items.keys()]).toEqual(
      expect.arrayContaining([
        ' { version: 1, state: destroyed }',
        ' { version: 3, state: active }',
        ' { version: 2, state: destroyed }',
      ]),
    );
    // A long history of one key: the memo holds twice the latest file's entries at most
    // (plus a slack of 16), never every entry the key's files ever listed.
    const states = ['active', 'deactivated', 'destroyed'] as const;
    for (let n = 1; n <= 300; n++) {
      const text =
        'versions:\n' +
        Array.from(
          { length: 3 },
          (_, i) => `  - { version: ${n + 2 - i}, state: ${states[i]!}, created: c${n} }\n`,
        ).join('');
      expect(readVersionStates(text, memo)).toEqual(readVersionStates(text));
      expect(memo.items.size).toBeLessThanOrEqual(2 * 3 + 16);
    }
  });

  it('uses the fast scanner for the shapes rekey writes', () => {
    expect(
      scanVersionStates('versions:\n  - { version: 1, state: active, fingerprint: "kcv:x" }\n'),
    ).toBeDefined();
    expect(scanVersionStates('versions:\n- version: 1\n  state: active\n')).toBeDefined();
  });
});

// The scanner may only ever be faster than the YAML parser, never different: whenever it
// answers, its answer equals the parser's.
const state = fc.constantFrom(...KEY_STATES, 'retired', 'Active');
const ws = fc.constantFrom('', ' ', '  ');
const fingerprint = fc.constantFrom(
  '"kcv:0011223344556677"',
  'kcv:0011223344556677',
  "'a # b'",
  '"state: active"',
  '"x, version: 9"',
);
const entry = fc.record({
  version: fc.integer({ min: 0, max: 30 }),
  state,
  fp: fingerprint,
  w: ws,
  comment: fc.boolean(),
  blockStyle: fc.boolean(),
});

describe('scanner agrees with the YAML parser', () => {
  it('on generated key.yaml texts', () => {
    let answered = 0;
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 6 }),
        fc.constantFrom(0, 2),
        fc.boolean(),
        (entries, indent, trailer) => {
          const pad = ' '.repeat(indent);
          const items = entries.map((e) =>
            e.blockStyle
              ? `${pad}- version: ${e.version}\n${pad}  state:${e.w || ' '}${e.state}${e.comment ? ' # c' : ''}\n${pad}  fingerprint: ${e.fp}\n`
              : `${pad}- {${e.w}version: ${e.version},${e.w}state: ${e.state}, fingerprint: ${e.fp}${e.w}}${e.comment ? ' # c' : ''}\n`,
          );
          const text = `id: a\nversions:\n${items.join('')}${trailer ? 'targets: []\n' : ''}`;
          const fast = scanVersionStates(text);
          if (fast !== undefined) {
            answered++;
            expect(fast).toEqual(parseVersionStates(text));
          }
        },
      ),
      { numRuns: 500 },
    );
    // Not vacuous: the scanner did answer on a fair share of the cases.
    expect(answered).toBeGreaterThan(50);
  });

  it('on texts with odd lines inserted anywhere', () => {
    const noise = fc.constantFrom(
      '# a comment',
      '  # an indented comment',
      '',
      '---',
      '...',
      '%YAML 1.2',
      'versions:',
      'versions: []',
      'versions-old: 1',
      'targets: []',
      '\tstate: active',
      '- { version: 9, state: active }',
      '    state: destroyed',
      '  - version: 7',
      'description: |',
      '  versions:',
      'x: "a # b"',
    );
    let answered = 0;
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), noise), { maxLength: 3 }),
        (entries, inserts) => {
          const lines = [
            'id: a',
            'versions:',
            ...entries.map(
              (e) => `  - { version: ${e.version}, state: ${e.state}, fingerprint: ${e.fp} }`,
            ),
            'owner: "@a/b"',
          ];
          for (const [at, line] of inserts) lines.splice(at % (lines.length + 1), 0, line);
          const text = lines.join('\n') + '\n';
          const fast = scanVersionStates(text);
          if (fast !== undefined) {
            answered++;
            // Whenever the YAML parser can read the text, both agree; the scanner does not
            // validate lines outside the list, so it may read a file broken elsewhere.
            const slow = parseVersionStates(text);
            if (slow.ok) expect(fast).toEqual(slow);
          }
        },
      ),
      { numRuns: 1000 },
    );
    expect(answered).toBeGreaterThan(100);
  });

  it('answers on most of what rekey writes (so the fast path is real)', () => {
    let answered = 0;
    for (let n = 1; n <= 50; n++) {
      const text = `id: a\nversions:\n  - { version: ${n}, state: active, created: 2026-01-01T00:00:00Z, fingerprint: "kcv:0011223344556677" }\n`;
      if (scanVersionStates(text) !== undefined) answered++;
    }
    expect(answered).toBe(50);
  });
});
