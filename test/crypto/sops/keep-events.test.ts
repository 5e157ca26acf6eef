/**
 * parseYaml's `keepEvents` (src/core/yaml/parse-yaml.ts), which the YAML store uses so a
 * material file is parsed once: the events are the deciding parser's own over the decoded
 * text, the value and findings are the same as without the option, nothing is kept for a
 * refused file, and the tree built from the kept events is the one built from a fresh parse.
 */
import { parseEvents } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_YAML_LIMITS, parseYaml } from '../../../src/core/yaml/index.ts';
import { loadFromEvents } from '../../../src/crypto/sops/yaml-events.ts';
import { bytes } from './helpers.ts';

const FILE = 'f.sops.yaml';
const TEXT =
  'id: team/key\nversion: 1\nsecret: "ENC[x]"\nlist:\n    - a\n    - {b: 2}\nsops:\n    age:\n        - recipient: age1x\n          enc: |\n            line\n';

describe('parseYaml keepEvents', () => {
  it("returns the deciding parser's events and text, and the same value and findings", () => {
    const kept = parseYaml(FILE, bytes(TEXT), {}, { keepEvents: true });
    const plain = parseYaml(FILE, bytes(TEXT));
    expect(kept.text).toBe(TEXT);
    expect(kept.events).toEqual(parseEvents(TEXT, { maxDepth: DEFAULT_YAML_LIMITS.maxDepth + 2 }));
    expect(kept.value).toEqual(plain.value);
    expect(kept.diagnostics).toEqual(plain.diagnostics);
    expect('events' in plain).toBe(false);
  });

  it('keeps nothing for a file the parser refuses', () => {
    for (const t of ['a: [1\n', 'a: 1\n---\nb: 2\n', '%YAML 1.2\n---\na: 1\n']) {
      const kept = parseYaml(FILE, bytes(t), {}, { keepEvents: true });
      expect(kept.value, t).toBeUndefined();
      expect(kept.events, t).toBeUndefined();
    }
  });

  it('builds the same tree from the kept events as from a fresh parse', () => {
    const kept = parseYaml(FILE, bytes(TEXT), {}, { keepEvents: true });
    const decided = kept.value as Record<string, unknown>;
    const fromKept = loadFromEvents(FILE, TEXT, decided, kept.events);
    const fresh = loadFromEvents(FILE, TEXT, decided);
    expect(fromKept).toBeDefined();
    expect(fromKept?.branches).toEqual(fresh?.branches);
    expect(fromKept?.metadata).toEqual(fresh?.metadata);
    // Every leaf at the same place (`b: 2` in the second `list` item: line 6, column 11).
    const leavesOf = (l: typeof fresh) =>
      (l?.branches[0]?.items ?? []).flatMap((p) =>
        p.t === 'pair' && p.value.t === 'list'
          ? p.value.items.flatMap((x) =>
              x.t === 'map' ? x.items.map((y) => (y.t === 'pair' ? y.value : y)) : [x],
            )
          : p.t === 'pair'
            ? [p.value]
            : [],
      );
    const at = (l: typeof fresh) =>
      leavesOf(l).map((v) => l?.locations.get(v as Parameters<typeof l.locations.get>[0]));
    expect(at(fromKept)).toEqual(at(fresh));
    expect(at(fromKept)).toContainEqual({ file: FILE, line: 6, column: 11 });
  });
});
