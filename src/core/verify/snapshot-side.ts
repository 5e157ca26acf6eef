/**
 * A loaded snapshot plus its tree -> what the lifecycle rules read. The loader
 * (load-snapshot.ts) leaves out every file with a finding; verify still needs to know such a
 * file exists (a key.yaml that no longer parses is not a removed key; a material file that
 * fails its schema is not a missing one), so those are read from the tree as plain YAML.
 */
import { durationMs } from '../duration.ts';
import {
  loadDocument,
  materialDocument,
  parseKeyFilePath,
  parseMaterialPath,
} from '../formats/index.ts';
import type { KeyFacts, ManifestFacts, MaterialFacts } from '../lifecycle/model.ts';
import { materialFacts } from '../lifecycle/facts.ts';
import type { SourceLocation } from '../diagnostics.ts';
import type { DocPath, FileTree, Located, ManifestSnapshot } from '../snapshot.ts';
import { parseSopsConfig, type SopsConfig } from '../sops-config.ts';
import { parseYaml } from '../yaml/index.ts';

export interface ChangeSide {
  readonly snapshot: ManifestSnapshot;
  /** The tree the snapshot was loaded from. */
  readonly tree: FileTree;
  /**
   * Material files the loader accepted whose documents the snapshot does not hold
   * (verify's loadSides lets go of the ones a change leaves alone): loaded, and read again
   * from the tree, through the same loader, only if a rule asks.
   */
  readonly released?: ReadonlySet<string>;
}

/** Whether two material facts come from byte-identical files. */
export function sameMaterialBytes(a: MaterialFacts, b: MaterialFacts): boolean {
  if (!(a instanceof FileFacts) || !(b instanceof FileFacts)) return a.text === b.text;
  const x = a.bytes;
  const y = b.bytes;
  return x === y || Buffer.from(x.buffer, x.byteOffset, x.length).equals(y);
}

export function manifestFactsOf({ snapshot, tree, released }: ChangeSide): ManifestFacts {
  const unreadableKeys = new Set<string>();
  for (const path of tree.keys()) {
    const id = parseKeyFilePath(path);
    if (id !== undefined && !snapshot.keys.has(id)) unreadableKeys.add(id);
  }
  const keys = new Map<string, KeyFacts & { materials: Map<number, MaterialFacts> }>();
  for (const [id, doc] of snapshot.keys) {
    const policy = snapshot.policies.get(doc.value.policy);
    keys.set(id, {
      id,
      doc,
      materials: new Map(),
      prepublishMs: policy === undefined ? undefined : durationMs(policy.value.prepublish),
    });
  }
  for (const [path, bytes] of tree) {
    const where = parseMaterialPath(path);
    if (where === undefined) continue;
    const key = keys.get(where.id);
    // Material without a loadable key.yaml is the loader's finding (manifest/orphan-material).
    if (key === undefined) continue;
    const loaded = snapshot.materials.get(path);
    const doc = loaded ?? (released?.has(path) ? () => reload(path, bytes) : located(path, bytes));
    key.materials.set(
      where.version,
      new FileFacts(path, doc, bytes, loaded !== undefined || released?.has(path) === true),
    );
  }
  return { keys, unreadableKeys };
}

/** A material file the loader left out (it has findings), read as plain located YAML. */
function located(path: string, bytes: Uint8Array): Located<unknown> {
  const parsed = parseYaml(path, bytes);
  return { file: path, value: parsed.value, locate: parsed.locate };
}

/** A released material file's document: what the loader computed, computed again. */
function reload(path: string, bytes: Uint8Array): Located<unknown> {
  return loadDocument(path, bytes, materialDocument).doc ?? located(path, bytes);
}

/**
 * One material file's facts, taken from its parsed document when a rule reads them. At 10,000
 * keys, facts built up front (and the decoded text of every material file on both sides) were
 * a third of verify's memory, while the rules read the fields of changed files only: for the
 * others the invariants ask whether the file exists and where it is. `text` is decoded from
 * the bytes on each read and never held; unchanged files are told apart by their bytes.
 */
class FileFacts implements MaterialFacts {
  readonly file: string;
  #doc: Located<unknown> | (() => Located<unknown>);
  readonly bytes: Uint8Array;
  readonly loaded: boolean;
  #facts: MaterialFacts | undefined;

  /** `doc`: the document, or how to read it again when a rule first asks. */
  constructor(
    file: string,
    doc: Located<unknown> | (() => Located<unknown>),
    bytes: Uint8Array,
    loaded: boolean,
  ) {
    this.file = file;
    this.#doc = doc;
    this.bytes = bytes;
    this.loaded = loaded;
  }

  get #document(): Located<unknown> {
    if (typeof this.#doc === 'function') this.#doc = this.#doc();
    return this.#doc;
  }

  /** The fields as lifecycle/facts.ts reads them, computed on first use. */
  get #fields(): MaterialFacts {
    return (this.#facts ??= materialFacts(this.#document, '', this.loaded));
  }
  get id(): unknown {
    return this.#fields.id;
  }
  get version(): unknown {
    return this.#fields.version;
  }
  get secret(): unknown {
    return this.#fields.secret;
  }
  get public(): unknown {
    return this.#fields.public;
  }
  get mac(): unknown {
    return this.#fields.mac;
  }
  get lastmodified(): unknown {
    return this.#fields.lastmodified;
  }
  get recipients(): readonly (readonly string[])[] {
    return this.#fields.recipients;
  }
  get text(): string {
    return new TextDecoder().decode(this.bytes);
  }
  locate(path: DocPath): SourceLocation {
    return this.#document.locate(path);
  }
}

/** The base branch's `.sops.yaml` as sops-config.ts reads it; undefined when absent or invalid. */
export function sopsConfigOf(snapshot: ManifestSnapshot): SopsConfig | undefined {
  return snapshot.sopsConfig === undefined
    ? undefined
    : parseSopsConfig(snapshot.sopsConfig).config;
}
