/**
 * A fast path for the key.yaml schema (`keyDocument` in ./key.ts), for the loader's hot loop:
 * at 10,000 keys zod's parse costs as much as the YAML parser itself (bench/plan.bench.ts).
 *
 * It only ever says "valid, and here is the value zod would return": `fastKeyDocument(v)` is
 * either exactly `keyDocument.parse(v)` (same keys, same order, same defaults) or undefined,
 * and undefined means "ask zod", never "invalid". So zod stays the one judge of an invalid
 * file, and every message and rule id still comes from zod; this file can only be wrong by
 * accepting what zod refuses, which test/core/formats/key-fast.test.ts checks against the
 * schema on generated documents (valid and mutated) and field by field.
 *
 * Anything unusual (a value `undefined`, an object that is not a plain one, an aws-secret or
 * postgres-role target, a probe) is handed to zod, whole or for that part.
 */
import {
  isDeployKeyTitle,
  isEnvironmentName,
  isOwner,
  isRepository,
  isSecretName,
  canonicalName,
} from './github-names.ts';
import { isKeyId } from './key-id.ts';
import {
  awsSecretTarget,
  FILE_FORMATS,
  FILE_TARGET_NAME,
  FINGERPRINT_PATTERNS,
  GITHUB_HANDLE,
  hasDotSegment,
  KEY_STATES,
  KEY_TYPES,
  POLICY_NAME,
  postgresRoleTarget,
  probeSpec,
  RANDOM_ENCODINGS,
  RELATIVE_PATH,
  UTC_TIMESTAMP,
} from './key.ts';
import type { KeyDocument, Target, VersionEntry } from './key.ts';

type Obj = Record<string, unknown>;

/** No value of this shape: zod decides (it may well accept it; this path does not know). */
const ASK_ZOD = Symbol('ask zod');
type Maybe<T> = T | typeof ASK_ZOD;

/**
 * An enum's member equal to `v`, or undefined. The member returned is the schema's own
 * string, equal to the file's: 50,000 `state: active` share one string instead of each
 * keeping its own slice of its file (less for the snapshot to hold, and for GC to copy).
 */
const enumOf = <T extends string>(list: readonly T[]) => {
  const members = new Map<unknown, T>(list.map((m) => [m, m]));
  return (v: unknown): T | undefined => members.get(v);
};
const keyTypeOf = enumOf(KEY_TYPES);
const stateOf = enumOf(KEY_STATES);
const encodingOf = enumOf(RANDOM_ENCODINGS);
const fileFormatOf = enumOf(FILE_FORMATS);
const appOf = enumOf(['actions', 'dependabot'] as const);
const visibilityOf = enumOf(['all', 'private', 'selected'] as const);

/**
 * A plain object whose own keys are all in `allowed` and none of whose values is undefined
 * (zod keeps an explicit undefined as a key; this path does not model it).
 */
function plain(v: unknown, allowed: ReadonlySet<string>): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  // for-in without a key array; an inherited enumerable key (a polluted prototype) defers.
  for (const k in v)
    if (!Object.hasOwn(v, k) || !allowed.has(k) || (v as Obj)[k] === undefined) return false;
  return true;
}
const keysOf = (...k: string[]) => new Set(k);

/** zod's `.default()`: only an absent value (never null) takes the default. */
const orDefault = (v: unknown, d: unknown): unknown => (v === undefined ? d : v);
const str = (v: unknown): v is string => typeof v === 'string';
const int = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const DOC_KEYS = keysOf(
  'id',
  'description',
  'owner',
  'policy',
  'type',
  'options',
  'targets',
  'versions',
);

export function fastKeyDocument(v: unknown): KeyDocument | undefined {
  if (!plain(v, DOC_KEYS)) return undefined;
  const { id, description, owner, policy } = v;
  const type = keyTypeOf(v['type']);
  if (!str(id) || !isKeyId(id)) return undefined;
  if (!str(description) || description.length < 1 || description.length > 1000) return undefined;
  if (!str(owner) || !GITHUB_HANDLE.test(owner)) return undefined;
  if (!str(policy) || !POLICY_NAME.test(policy)) return undefined;
  if (type === undefined) return undefined;
  // The refinement: options exactly for random keys.
  if ((type === 'random') !== (v['options'] !== undefined)) return undefined;
  const options = v['options'] === undefined ? undefined : randomOptions(v['options']);
  if (options === ASK_ZOD) return undefined;
  const targets = list(v['targets'], 100, target);
  if (targets === ASK_ZOD) return undefined;
  const fingerprint = FINGERPRINT_PATTERNS[type];
  const versions = list(v['versions'], 10_000, (e) => versionEntry(e, fingerprint));
  if (versions === ASK_ZOD) return undefined;
  return {
    id,
    description,
    owner,
    policy,
    type,
    ...(options !== undefined && { options }),
    targets,
    versions,
  };
}

/** An optional list (absent: []), each element through `item`; a new array, as zod returns. */
function list<T>(v: unknown, max: number, item: (e: unknown) => Maybe<T>): Maybe<T[]> {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > max) return ASK_ZOD;
  const out: T[] = new Array<T>(v.length);
  for (let i = 0; i < v.length; i++) {
    const e = item(v[i]);
    if (e === ASK_ZOD) return ASK_ZOD;
    out[i] = e;
  }
  return out;
}

const OPTION_KEYS = keysOf('bytes', 'encoding');
function randomOptions(v: unknown): Maybe<NonNullable<KeyDocument['options']>> {
  if (!plain(v, OPTION_KEYS) || !int(v['bytes'], 16, 1024)) return ASK_ZOD;
  const encoding = encodingOf(orDefault(v['encoding'], 'base64'));
  if (encoding === undefined) return ASK_ZOD;
  return { bytes: v['bytes'], encoding };
}

const VERSION_KEYS = keysOf('version', 'state', 'created', 'fingerprint');
function versionEntry(v: unknown, fingerprint: RegExp): Maybe<VersionEntry> {
  if (!plain(v, VERSION_KEYS)) return ASK_ZOD;
  const { version, created, fingerprint: fp } = v;
  const state = stateOf(v['state']);
  if (!int(version, 1, 1_000_000) || state === undefined) return ASK_ZOD;
  if (!str(created) || !isUtcTime(created)) return ASK_ZOD;
  if (!str(fp) || fp.length < 1 || fp.length > 200 || !fingerprint.test(fp)) return ASK_ZOD;
  return { version, state, created, fingerprint: fp };
}

/**
 * `utcTimestamp`'s verdict (the shape, then a real calendar moment) by arithmetic instead of
 * two Date parses per version: years 0000-9999, the Gregorian month lengths, 00:00:00-23:59:59.
 */
export function isUtcTime(s: string): boolean {
  if (!UTC_TIMESTAMP.test(s)) return false;
  // The pattern made every position read here an ASCII digit.
  const n = (at: number) => (s.charCodeAt(at) - 48) * 10 + s.charCodeAt(at + 1) - 48;
  const year = n(0) * 100 + n(2);
  const month = n(5);
  const day = n(8);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days && n(11) <= 23 && n(14) <= 59 && n(17) <= 59;
}

function target(v: unknown): Maybe<Target> {
  if (typeof v !== 'object' || v === null) return ASK_ZOD;
  switch ((v as Obj)['kind']) {
    case 'github-secret':
      return githubSecret(v);
    case 'github-deploy-key':
      return deployKey(v);
    case 'file':
      return file(v);
    case 'aws-secret':
      return viaZod(awsSecretTarget.safeParse(v));
    case 'postgres-role':
      return viaZod(postgresRoleTarget.safeParse(v));
    default:
      return ASK_ZOD;
  }
}

const viaZod = <T>(r: { success: true; data: T } | { success: false }): Maybe<T> =>
  r.success ? r.data : ASK_ZOD;

/** An optional probe, through its zod schema (rare; not worth a second implementation). */
function probe(v: unknown): Maybe<{ probe?: NonNullable<Target['probe']> }> {
  if (v === undefined) return {};
  const r = viaZod(probeSpec.safeParse(v));
  return r === ASK_ZOD ? r : { probe: r };
}

const SECRET_KEYS = keysOf(
  'kind',
  'repository',
  'organization',
  'environment',
  'app',
  'visibility',
  'selected-repositories',
  'name',
  'previous',
  'probe',
);
function githubSecret(v: unknown): Maybe<Target> {
  if (!plain(v, SECRET_KEYS)) return ASK_ZOD;
  const { repository, organization, environment, name, previous } = v;
  const selected = v['selected-repositories'];
  const app = appOf(orDefault(v['app'], 'actions'));
  const visibility = v['visibility'] === undefined ? undefined : visibilityOf(v['visibility']);
  if (repository !== undefined && !(str(repository) && isRepository(repository))) return ASK_ZOD;
  if (organization !== undefined && !(str(organization) && isOwner(organization))) return ASK_ZOD;
  if (environment !== undefined && !(str(environment) && isEnvironmentName(environment)))
    return ASK_ZOD;
  if (app === undefined || (v['visibility'] !== undefined && visibility === undefined))
    return ASK_ZOD;
  if (!str(name) || !isSecretName(name)) return ASK_ZOD;
  if (previous !== undefined && !(str(previous) && isSecretName(previous))) return ASK_ZOD;
  let repos: string[] | undefined;
  if (selected !== undefined) {
    if (!Array.isArray(selected) || !selected.every((r) => str(r) && isRepository(r)))
      return ASK_ZOD;
    repos = [...(selected as string[])];
  }
  const p = probe(v['probe']);
  if (p === ASK_ZOD) return ASK_ZOD;
  // The refinements of githubSecretTarget.
  if ((repository === undefined) === (organization === undefined)) return ASK_ZOD;
  if (organization !== undefined && environment !== undefined) return ASK_ZOD;
  if (organization === undefined && visibility !== undefined) return ASK_ZOD;
  if ((visibility === 'selected') !== (repos !== undefined)) return ASK_ZOD;
  if (environment !== undefined && app === 'dependabot') return ASK_ZOD;
  const org = organization?.toLowerCase();
  if (org !== undefined && repos?.some((r) => r.slice(0, r.indexOf('/')).toLowerCase() !== org))
    return ASK_ZOD;
  if (previous !== undefined && canonicalName(previous) === canonicalName(name)) return ASK_ZOD;
  return {
    kind: 'github-secret',
    ...(repository !== undefined && { repository }),
    ...(organization !== undefined && { organization }),
    ...(environment !== undefined && { environment }),
    app,
    ...(visibility !== undefined && { visibility }),
    ...(repos !== undefined && { 'selected-repositories': repos }),
    name,
    ...(previous !== undefined && { previous }),
    ...p,
  };
}

const DEPLOY_KEY_KEYS = keysOf('kind', 'repository', 'title', 'read-only', 'probe');
function deployKey(v: unknown): Maybe<Target> {
  if (!plain(v, DEPLOY_KEY_KEYS)) return ASK_ZOD;
  const { repository, title } = v;
  const readOnly = orDefault(v['read-only'], true);
  if (!str(repository) || !isRepository(repository)) return ASK_ZOD;
  if (!str(title) || !isDeployKeyTitle(title) || typeof readOnly !== 'boolean') return ASK_ZOD;
  const p = probe(v['probe']);
  if (p === ASK_ZOD) return ASK_ZOD;
  return { kind: 'github-deploy-key', repository, title, 'read-only': readOnly, ...p };
}

const FILE_KEYS = keysOf('kind', 'path', 'format', 'name', 'probe');
function file(v: unknown): Maybe<Target> {
  if (!plain(v, FILE_KEYS)) return ASK_ZOD;
  const { path, name } = v;
  const format = fileFormatOf(v['format']);
  if (!str(path) || path.length < 1 || path.length > 255) return ASK_ZOD;
  if (!RELATIVE_PATH.test(path) || hasDotSegment(path)) return ASK_ZOD;
  if (format === undefined) return ASK_ZOD;
  if (name !== undefined && !(str(name) && FILE_TARGET_NAME.test(name))) return ASK_ZOD;
  const p = probe(v['probe']);
  if (p === ASK_ZOD) return ASK_ZOD;
  return { kind: 'file', path, format, ...(name !== undefined && { name }), ...p };
}
