/**
 * `.sops.yaml` creation rules: which recipients and which encryption rule a new SOPS file
 * gets, decided exactly as sops 3.13 decides it (reference/sops-format.md §9), so a file
 * rekey writes is the file `sops` would have written for the same path.
 *
 * One deliberate difference: sops parses `.sops.yaml` non-strictly and silently ignores
 * unknown keys, so a typo such as `path_regexp:` turns a path-specific rule into a
 * catch-all that encrypts every file to its recipients, and `reencryption_rule:` (sops's own
 * functional tests) is dropped without a word. For a tool that decides who can read key
 * material, a silently widened or dropped rule is a security bug, so rekey REJECTS every
 * unknown key with a located diagnostic.
 *
 * Pure: takes the already-parsed YAML value, returns the config or diagnostics (all of them).
 */
import type { Diagnostic, SourceLocation } from './diagnostics.ts';
import { diagnostic, fileLocation } from './diagnostics.ts';
import type { DocPath } from './snapshot.ts';
import { compileRe2 } from './sops-re2.ts';

export { compileRe2, type Re2Result } from './sops-re2.ts';

export const CRYPT_RULE_KINDS = [
  'unencrypted_suffix',
  'encrypted_suffix',
  'unencrypted_regex',
  'encrypted_regex',
  'unencrypted_comment_regex',
  'encrypted_comment_regex',
] as const;
export type CryptRuleKind = (typeof CRYPT_RULE_KINDS)[number];

/** The one rule deciding which values are encrypted (§3.2). */
export interface CryptRule {
  readonly kind: CryptRuleKind;
  readonly value: string;
}

/** sops's default when a rule names none: encrypt everything except keys ending `_unencrypted`. */
export const DEFAULT_CRYPT_RULE: CryptRule = { kind: 'unencrypted_suffix', value: '_unencrypted' };

/** Master-key kinds rekey recognises in a rule; only `age` is handled by the built-in codec. */
export const MASTER_KEY_KINDS = [
  'age',
  'pgp',
  'kms',
  'gcp_kms',
  'hckms',
  'azure_keyvault',
  'hc_vault',
] as const;
export type MasterKeyKind = (typeof MASTER_KEY_KINDS)[number];

/** One key group: every key in it wraps the same data key (or the same Shamir share). */
export interface KeyGroup {
  /** age recipients (`age1…`, `age1pq1…`, `ssh-ed25519 …`, `ssh-rsa …`), de-duplicated. */
  readonly age: readonly string[];
  /** PGP fingerprints, de-duplicated. */
  readonly pgp: readonly string[];
  /** Other master-key kinds present (kms, gcp_kms, …): known to sops, not to the built-in codec. */
  readonly other: readonly MasterKeyKind[];
}

export interface CreationRule {
  /** Position in `creation_rules`, 0-based, for messages. */
  readonly index: number;
  /** Where the rule starts in `.sops.yaml`. */
  readonly at: SourceLocation;
  /** Absent: the rule matches every path (sops's catch-all). */
  readonly pathRegex?: string;
  /** One group unless `key_groups` lists more (then the data key is Shamir-split). */
  readonly keyGroups: readonly KeyGroup[];
  /** Groups needed to decrypt; defaults to the number of groups, as in sops. */
  readonly shamirThreshold: number;
  readonly crypt: CryptRule;
  /** True when `.sops.yaml` named the crypt rule; false when it is sops's default. */
  readonly cryptExplicit: boolean;
  readonly macOnlyEncrypted: boolean;
}

export interface SopsConfig {
  readonly file: string;
  /** Empty when the file has no `creation_rules` (sops then behaves as if there were no config). */
  readonly creationRules: readonly CreationRule[];
  /** `stores.yaml.indent` (sops default 4) and `stores.json.indent` (default -1 = tab). */
  readonly yamlIndent: number;
  readonly jsonIndent: number;
}

/** The parsed document, optionally with a way to locate paths in it (a `Located<unknown>`). */
export interface SopsConfigInput {
  readonly file: string;
  readonly value: unknown;
  readonly locate?: (path: DocPath) => SourceLocation;
}

/** age recipients per key group, in rule order: what verify compares and encrypt wraps to. */
export function ruleAgeRecipients(rule: CreationRule): string[][] {
  return rule.keyGroups.map((g) => [...g.age]);
}

/**
 * The rule sops would use for `repoRelativePath`: the first rule whose `path_regex` matches
 * (unanchored, like RE2's MatchString) or that has none. As sops does, the path is taken
 * relative to the directory holding `.sops.yaml`; paths outside it are matched as given.
 */
export function findCreationRule(
  config: SopsConfig,
  repoRelativePath: string,
): CreationRule | undefined {
  const slash = config.file.lastIndexOf('/');
  const dir = slash < 0 ? '' : config.file.slice(0, slash + 1);
  const path =
    dir && repoRelativePath.startsWith(dir) ? repoRelativePath.slice(dir.length) : repoRelativePath;
  for (const rule of config.creationRules) {
    if (rule.pathRegex === undefined) return rule;
    const re = compileRe2(rule.pathRegex);
    // parseSopsConfig only keeps rules whose regex compiled; this check keeps types honest.
    if ('regex' in re && re.regex.test(path)) return rule;
  }
  return undefined;
}

const TOP_KEYS = ['creation_rules', 'destination_rules', 'stores'];
const RULE_KEYS = [
  'path_regex',
  'age',
  'pgp',
  'kms',
  'gcp_kms',
  'hckms',
  'azure_keyvault',
  'hc_vault_transit_uri',
  'aws_profile',
  'key_groups',
  'shamir_threshold',
  'mac_only_encrypted',
  ...CRYPT_RULE_KINDS,
];
const GROUP_KEYS = [...MASTER_KEY_KINDS, 'merge'];
const DESTINATION_KEYS = [
  'path_regex',
  's3_bucket',
  's3_prefix',
  'gcs_bucket',
  'gcs_prefix',
  'vault_path',
  'vault_address',
  'vault_kv_mount_name',
  'vault_kv_version',
  'recreation_rule',
  'omit_extensions',
];
const STORE_KEYS: Record<string, readonly string[]> = {
  yaml: ['indent'],
  json: ['indent'],
  json_binary: ['indent'],
  dotenv: [],
  ini: [],
};
/** Flat rule fields -> master-key kind (`hc_vault_transit_uri` is `hc_vault` inside groups). */
const FLAT_KEY_FIELDS: readonly (readonly [string, MasterKeyKind])[] = [
  ['age', 'age'],
  ['pgp', 'pgp'],
  ['kms', 'kms'],
  ['gcp_kms', 'gcp_kms'],
  ['hckms', 'hckms'],
  ['azure_keyvault', 'azure_keyvault'],
  ['hc_vault_transit_uri', 'hc_vault'],
];
/** bech32 (lowercase) age recipients, including `age1pq1…` and plugin recipients; or ssh keys. */
const AGE_RECIPIENT = /^(age1[02-9ac-hj-np-z]{6,}|ssh-(ed25519|rsa) [A-Za-z0-9+/=]+)$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseSopsConfig(
  file: string,
  value: unknown,
): { config?: SopsConfig; diagnostics: Diagnostic[] };
export function parseSopsConfig(input: SopsConfigInput): {
  config?: SopsConfig;
  diagnostics: Diagnostic[];
};
export function parseSopsConfig(
  fileOrInput: string | SopsConfigInput,
  maybeValue?: unknown,
): { config?: SopsConfig; diagnostics: Diagnostic[] } {
  const input: SopsConfigInput =
    typeof fileOrInput === 'string' ? { file: fileOrInput, value: maybeValue } : fileOrInput;
  const p = new Parser(input);
  const config = p.config();
  return p.diagnostics.length > 0 ? { diagnostics: p.diagnostics } : { config, diagnostics: [] };
}

class Parser {
  readonly diagnostics: Diagnostic[] = [];
  readonly #input: SopsConfigInput;
  constructor(input: SopsConfigInput) {
    this.#input = input;
  }

  at(path: DocPath): SourceLocation {
    return this.#input.locate ? this.#input.locate(path) : fileLocation(this.#input.file);
  }

  report(rule: string, message: string, path: DocPath): void {
    this.diagnostics.push(diagnostic(`sops-config/${rule}`, message, this.at(path)));
  }

  /** A map whose keys are all known; unknown keys are reported (see the module comment). */
  map(v: unknown, path: DocPath, known: readonly string[], what: string): Obj | undefined {
    if (!isObj(v)) {
      this.report('type', `${what} must be a map`, path);
      return undefined;
    }
    for (const k of Object.keys(v)) {
      if (!known.includes(k))
        this.report(
          'unknown-key',
          `unknown key "${k}" in ${what} (sops would silently ignore it); expected one of: ${known.join(', ')}`,
          [...path, k],
        );
    }
    return v;
  }

  config(): SopsConfig {
    const { file, value } = this.#input;
    const top = this.map(value ?? {}, [], TOP_KEYS, '.sops.yaml');
    const creationRules: CreationRule[] = [];
    let yamlIndent = 4;
    let jsonIndent = -1;
    if (top) {
      const rules = top['creation_rules'];
      if (rules !== undefined && rules !== null) {
        if (!Array.isArray(rules))
          this.report('type', 'creation_rules must be a list', ['creation_rules']);
        else
          rules.forEach((r, i) => {
            const rule = this.rule(r, ['creation_rules', i], i);
            if (rule) creationRules.push(rule);
          });
      }
      this.destinations(top['destination_rules']);
      const stores = top['stores'];
      if (stores !== undefined && stores !== null) {
        const s = this.map(stores, ['stores'], Object.keys(STORE_KEYS), 'stores');
        for (const [name, keys] of Object.entries(STORE_KEYS)) {
          const store = s?.[name];
          if (store === undefined || store === null) continue;
          const st = this.map(store, ['stores', name], keys, `stores.${name}`);
          const indent = st?.['indent'];
          if (indent === undefined) continue;
          if (!Number.isInteger(indent) || (indent as number) < -1 || (indent as number) > 16) {
            this.report('type', `stores.${name}.indent must be an integer from -1 to 16`, [
              'stores',
              name,
              'indent',
            ]);
            continue;
          }
          if (name === 'yaml') yamlIndent = indent as number;
          if (name === 'json') jsonIndent = indent as number;
        }
      }
    }
    return { file, creationRules, yamlIndent, jsonIndent };
  }

  /** destination_rules are for `sops publish`, which rekey never runs; checked for typos only. */
  destinations(v: unknown): void {
    if (v === undefined || v === null) return;
    if (!Array.isArray(v)) {
      this.report('type', 'destination_rules must be a list', ['destination_rules']);
      return;
    }
    v.forEach((d, i) => {
      const m = this.map(d, ['destination_rules', i], DESTINATION_KEYS, 'a destination rule');
      const rr = m?.['recreation_rule'];
      if (rr !== undefined && rr !== null)
        this.rule(rr, ['destination_rules', i, 'recreation_rule'], i);
    });
  }

  rule(v: unknown, path: DocPath, index: number): CreationRule | undefined {
    const errorsBefore = this.diagnostics.length;
    const m = this.map(v, path, RULE_KEYS, `creation rule ${index + 1}`);
    if (!m) return undefined;

    let pathRegex: string | undefined;
    if (m['path_regex'] !== undefined && m['path_regex'] !== null && m['path_regex'] !== '') {
      pathRegex = this.regex(m['path_regex'], [...path, 'path_regex'], 'path_regex');
    }

    const crypts = CRYPT_RULE_KINDS.filter((k) => m[k] !== undefined && m[k] !== null);
    if (crypts.length > 1)
      this.report(
        'crypt-rule-conflict',
        `a rule may name only one of ${CRYPT_RULE_KINDS.join(', ')}; found ${crypts.join(', ')}`,
        [...path, crypts[1] as string],
      );
    let crypt = DEFAULT_CRYPT_RULE;
    const kind = crypts[0];
    if (kind !== undefined) {
      const raw = m[kind];
      const where = [...path, kind];
      if (typeof raw !== 'string' || raw === '')
        this.report(
          'type',
          `${kind} must be a non-empty string (sops ignores an empty one)`,
          where,
        );
      else if (kind.endsWith('_regex')) {
        const ok = this.regex(raw, where, kind);
        if (ok !== undefined) crypt = { kind, value: raw };
      } else crypt = { kind, value: raw };
    }

    const mac = m['mac_only_encrypted'];
    if (mac !== undefined && mac !== null && typeof mac !== 'boolean')
      this.report('type', 'mac_only_encrypted must be true or false', [
        ...path,
        'mac_only_encrypted',
      ]);

    const aws = m['aws_profile'];
    if (aws !== undefined && aws !== null && typeof aws !== 'string')
      this.report('type', 'aws_profile must be a string', [...path, 'aws_profile']);

    let keyGroups: KeyGroup[];
    const kg = m['key_groups'];
    if (Array.isArray(kg) && kg.length > 0) {
      // sops ignores the flat key fields when key_groups is given: say so instead.
      for (const [field] of FLAT_KEY_FIELDS)
        if (m[field] !== undefined && m[field] !== null)
          this.report(
            'ignored-keys',
            `${field} is ignored by sops when key_groups is set; move it into a key group`,
            [...path, field],
          );
      keyGroups = kg.map((g, gi) => this.group(g, [...path, 'key_groups', gi], 0));
      keyGroups.forEach((g, gi) => {
        if (g.age.length + g.pgp.length + g.other.length === 0)
          this.report('empty-key-group', `key group ${gi + 1} has no keys`, [
            ...path,
            'key_groups',
            gi,
          ]);
      });
    } else {
      if (kg !== undefined && kg !== null && !Array.isArray(kg))
        this.report('type', 'key_groups must be a list of key groups', [...path, 'key_groups']);
      const age = this.keyList(m['age'], [...path, 'age'], 'age', true);
      const pgp = this.keyList(m['pgp'], [...path, 'pgp'], 'pgp', true);
      const other = FLAT_KEY_FIELDS.filter(
        ([field, kind]) =>
          kind !== 'age' &&
          kind !== 'pgp' &&
          this.keyList(m[field], [...path, field], field, true).length > 0,
      ).map(([, kind]) => kind);
      keyGroups = [{ age: unique(age), pgp: unique(pgp), other }];
      if (age.length + pgp.length + other.length === 0)
        this.report('no-keys', `creation rule ${index + 1} names no keys to encrypt to`, path);
    }

    const st = m['shamir_threshold'];
    let shamirThreshold = keyGroups.length;
    if (st !== undefined && st !== null && st !== 0) {
      // sops's Shamir split needs 2 <= threshold <= groups; one group needs no threshold.
      const min = keyGroups.length > 1 ? 2 : 1;
      if (!Number.isInteger(st) || (st as number) < min || (st as number) > keyGroups.length)
        this.report(
          'shamir-threshold',
          keyGroups.length > 1
            ? `shamir_threshold must be an integer from 2 to the number of key groups (${keyGroups.length})`
            : 'shamir_threshold needs more than one key group',
          [...path, 'shamir_threshold'],
        );
      else shamirThreshold = st as number;
    }

    if (this.diagnostics.length > errorsBefore) return undefined;
    return {
      index,
      at: this.at(path),
      ...(pathRegex === undefined ? {} : { pathRegex }),
      keyGroups,
      shamirThreshold,
      crypt,
      cryptExplicit: kind !== undefined,
      macOnlyEncrypted: mac === true,
    };
  }

  group(v: unknown, path: DocPath, depth: number): KeyGroup {
    const m = this.map(v ?? {}, path, GROUP_KEYS, 'a key group');
    const age: string[] = [];
    const pgp: string[] = [];
    const other = new Set<MasterKeyKind>();
    if (!m) return { age, pgp, other: [] };
    const merge = m['merge'];
    if (merge !== undefined && merge !== null) {
      if (!Array.isArray(merge) || depth > 8)
        this.report('type', 'merge must be a list of key groups', [...path, 'merge']);
      else
        merge.forEach((g, i) => {
          const sub = this.group(g, [...path, 'merge', i], depth + 1);
          age.push(...sub.age);
          pgp.push(...sub.pgp);
          sub.other.forEach((k) => other.add(k));
        });
    }
    age.push(...this.keyList(m['age'], [...path, 'age'], 'age', false));
    pgp.push(...this.keyList(m['pgp'], [...path, 'pgp'], 'pgp', false));
    for (const kind of MASTER_KEY_KINDS) {
      if (kind === 'age' || kind === 'pgp') continue;
      const list = m[kind];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) this.report('type', `${kind} must be a list`, [...path, kind]);
      else if (list.length > 0) other.add(kind);
    }
    return { age: unique(age), pgp: unique(pgp), other: [...other] };
  }

  /** A key field: a list of strings, or (flat rule fields only) a comma-separated string. */
  keyList(v: unknown, path: DocPath, field: string, allowString: boolean): string[] {
    if (v === undefined || v === null) return [];
    let keys: string[];
    if (typeof v === 'string' && allowString)
      keys = v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    else if (Array.isArray(v)) {
      keys = [];
      v.forEach((k, i) => {
        if (typeof k === 'string') keys.push(field === 'age' ? k.trim() : k);
        else this.report('type', `${field} entries must be strings`, [...path, i]);
      });
    } else {
      this.report(
        'type',
        `${field} must be ${allowString ? 'a comma-separated string or ' : ''}a list of strings`,
        path,
      );
      return [];
    }
    if (field === 'age')
      keys.forEach((k) => {
        if (!AGE_RECIPIENT.test(k))
          this.report(
            'age-recipient',
            'not an age recipient (expected age1… or an ssh public key)',
            path,
          );
      });
    return keys;
  }

  regex(v: unknown, path: DocPath, field: string): string | undefined {
    if (typeof v !== 'string') {
      this.report('type', `${field} must be a string`, path);
      return undefined;
    }
    const re = compileRe2(v);
    if ('problem' in re) {
      this.report('regex', `${field}: ${re.problem}`, path);
      return undefined;
    }
    return v;
  }
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
