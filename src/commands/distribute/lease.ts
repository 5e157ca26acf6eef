/**
 * The distribution lease (DESIGN principle 1: one owner per operation) and the receipts it
 * carries, kept on one ref outside refs/heads, `refs/rekey/distribution`. Its commit holds
 * `lease.json` ({holder, run?, acquiredAt, expiresAt, released}) and `receipts.json` (what
 * rekey last wrote to each secret: scope, name, fingerprint, updatedAt; never a value).
 *
 * Every change is a compare-and-swap through StateRefPort: a new commit on the commit that
 * was read, and the ref moves only as a fast-forward. Of several runs acquiring at once,
 * exactly one moves the ref; the others get `conflict`, read again, and find it held.
 *
 * Rules:
 * - A lease is free when the ref does not exist, when it is `released`, or when it expired
 *   (`expiresAt` < now). Free leases are taken over by CAS; the receipts carry over.
 * - Times come from `now()` of the run that writes them. Runs on different machines compare
 *   each other's times, so the TTL must dwarf clock skew (minutes, not seconds).
 * - `renew` and `release` write on the commit this handle wrote last: if anyone else wrote
 *   meanwhile (the lease expired and another run took it), they throw LeaseLostError and write
 *   nothing. A lease that expired but was not taken is still ours, and renew extends it.
 * - Corrupt state (a file that is not JSON, or not the shape below, or a receipt with any
 *   field but the four) is NOT taken over: rekey never writes such a file, so someone else
 *   did, and overwriting it would hide that. StateCorruptError names the ref, the commit and
 *   the file, and says how to start over (delete the ref; the next run rewrites each secret
 *   once, since without receipts it cannot tell its own writes from others').
 * - Only commits rekey vouched for (state-auth.ts) give receipts a run trusts: `release`
 *   vouches for the commit it wrote; a taker reads the receipts of the newest vouched commit.
 *   Receipts only an unvouched commit holds may only remove orphans (`unvouched`, stored apart
 *   in `unvouched.json`). A lease is honoured whoever wrote it: a forged one only delays.
 */
import { z } from 'zod';
import { FINGERPRINT_PATTERNS } from '../../core/formats/key.ts';
import type { StateRefPort, StateRefSnapshot } from '../../core/ports/github.ts';
import { KEY_ID_MAX_LENGTH, KEY_ID_PATTERN } from '../../core/formats/key-id.ts';
import { managedDeployKeyVersion } from '../../core/targets/desired.ts';
import type { Receipt } from '../../core/targets/plan.ts';
import { findVouched, removalOnly, STATE_CONTEXT, unvouchedReport } from './state-auth.ts';

export const STATE_REF = 'refs/rekey/distribution';
export const LEASE_FILE = 'lease.json';
export const RECEIPTS_FILE = 'receipts.json';
/** Receipts found only in commits rekey did not vouch for: they may only remove orphans. */
export const UNVOUCHED_FILE = 'unvouched.json';

/** How often a waiting acquirer looks again (or sooner, when the lease expires sooner). */
const POLL_MS = 5_000;
/** CAS rounds lost in a row before giving up: each loss means another run wrote. */
const MAX_CAS_ROUNDS = 5;

const isoTime = z.iso.datetime({ offset: true });

const leaseSchema = z.strictObject({
  holder: z.string().min(1).max(500),
  run: z.string().max(500).optional(),
  acquiredAt: isoTime,
  expiresAt: isoTime,
  released: z.boolean(),
});
type LeaseFile = z.infer<typeof leaseSchema>;

const fingerprints = Object.values(FINGERPRINT_PATTERNS);

const keyId = z.string().max(KEY_ID_MAX_LENGTH).regex(KEY_ID_PATTERN, 'expected a key id');
const version = z.number().int().min(1).max(9_999_999);

/**
 * A secret's receipt: the four fields every receipt had, plus the kind, key and version that
 * receipts record since orphaned material is removed (absent in older ones). Each field is
 * shaped so that a secret value cannot pass for one.
 */
export const receiptSchema = z.strictObject({
  kind: z.literal('github-secret').optional(),
  scope: z
    .string()
    .max(300)
    .regex(/^(actions|dependabot):(repo|env|org):[^\s]+$/, 'expected a secret scope id'),
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/, 'expected a secret name'),
  fingerprint: z
    .string()
    .max(200)
    .refine((f) => fingerprints.some((p) => p.test(f)), 'expected a key fingerprint'),
  updatedAt: isoTime,
  key: keyId.optional(),
  version: version.optional(),
});

/** A deploy key rekey added: its title must be the one rekey gives that key and version. */
export const deployKeyReceiptSchema = z
  .strictObject({
    kind: z.literal('github-deploy-key'),
    repository: z
      .string()
      .max(200)
      .regex(/^[a-z0-9-]+\/[a-z0-9._-]+$/, 'expected a lower-case owner/name'),
    key: keyId,
    version,
    id: z.number().int().min(1),
    title: z
      .string()
      .max(300)
      .regex(/^[^\p{Cc}]+$/u, 'expected a deploy key title'),
  })
  .refine(
    (r) => managedDeployKeyVersion(r.title, r.key) === r.version,
    'the title is not the one rekey gives this key and version',
  );

const anyReceipt = z.union([receiptSchema, deployKeyReceiptSchema]);
const receiptsSchema = z.array(anyReceipt).max(100_000);

/** The state ref holds something rekey did not write. */
export class StateCorruptError extends Error {
  override readonly name = 'StateCorruptError';
  readonly ref: string;
  readonly commit: string;
  readonly file: string;
  constructor(ref: string, commit: string, file: string, problem: string) {
    super(
      `${ref} (commit ${commit.slice(0, 12)}): ${file} ${problem}. rekey never writes that, so ` +
        `someone else changed the ref; it is not taken over. Inspect that commit, then move the ` +
        `ref back to the newest commit with a ${STATE_CONTEXT} status by rekey's login (PATCH ` +
        `/repos/{owner}/{repo}/git/refs/${ref.slice(5)} with force), or delete the ref to start ` +
        `over (DELETE /repos/{owner}/{repo}/git/refs/${ref.slice(5)}); without receipts the next ` +
        `run rewrites every secret once, and cannot remove orphans only they named.`,
    );
    this.ref = ref;
    this.commit = commit;
    this.file = file;
  }
}

/** Another run took the lease over (it had expired); this run must stop writing. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

export interface LeaseHandle {
  readonly holder: string;
  readonly expiresAt: string;
  /**
   * Receipts of the newest commit rekey vouched for (empty when none): feed them to
   * planTargets. Only these may let a run skip a write.
   */
  readonly receipts: readonly Receipt[];
  /** The state commit the lease was taken on (null: the ref was created). */
  readonly base: string | null;
  /**
   * Receipts found only in commits rekey did not vouch for: they may name orphans to remove
   * (under the removal guards), nothing else. Those of them `release` is given back are
   * stored apart again (`unvouched.json`), never among the vouched receipts.
   */
  readonly unvouched: readonly Receipt[];
  /** Why the state ref's head was not taken at its word (state-auth.ts), or null. */
  readonly tampering: string | null;
  /**
   * Extends the lease and vouches for the commit (+1 call); throws LeaseLostError when
   * another holder has taken it over.
   */
  renew(): Promise<void>;
  /**
   * Stores `receipts` (replacing the stored set), releases, and vouches for the commit
   * (+1 call); CAS; throws LeaseLostError.
   */
  release(receipts: readonly Receipt[]): Promise<void>;
}

export type LeaseOutcome =
  | { readonly result: 'acquired'; readonly lease: LeaseHandle }
  | { readonly result: 'busy'; readonly holder: string; readonly expiresAt: string };

export interface AcquireOptions {
  /** Who holds it, for people: the run URL, or `cli:<user>@<host>:<pid>`. */
  readonly holder: string;
  /** The run's page, when there is one (recorded in lease.json). */
  readonly run?: string;
  /** pipeline.yaml `lease-ttl`. */
  readonly ttlMs: number;
  readonly now: () => Date;
  /** How long to wait for a held lease before answering 'busy' (default 0). */
  readonly waitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * pipeline.yaml `status-creators`: whose `rekey/state` statuses vouch for a state commit.
   * Undefined: anyone's (an unpinned pipeline; doctor warns).
   */
  readonly trusted?: readonly string[];
  /**
   * The state as the caller read it (readLeaseState, with the same `trusted`; null: no ref):
   * the first round writes on it instead of reading again, so the lease is taken only if
   * nobody wrote since (`base` says on which commit it was taken).
   */
  readonly from?: { readonly state: LeaseState | null };
}

/**
 * The state ref as read: its commit, files, and (null while another run holds the lease)
 * what of it a run may trust.
 */
export type LeaseState = State & { readonly auth: Trusted | null };

interface State {
  readonly commit: string;
  readonly lease: LeaseFile;
  readonly receipts: readonly Receipt[];
  readonly unvouched: readonly Receipt[];
}

/** What a run may take from the state: receipts by how far they are trusted. */
interface Trusted {
  readonly receipts: readonly Receipt[];
  readonly unvouched: readonly Receipt[];
  readonly tampering: string | null;
}

function parseJson<T>(
  snap: StateRefSnapshot,
  ref: string,
  file: string,
  schema: z.ZodType<T>,
): T | undefined {
  const raw = snap.files.get(file);
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    // JSON.parse's message quotes the text: never repeat it.
    throw new StateCorruptError(ref, snap.commit, file, 'is not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const why = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
      .join('; ');
    throw new StateCorruptError(ref, snap.commit, file, `is not valid (${why})`);
  }
  return parsed.data;
}

/** Reads and validates the state; null when the ref does not exist. */
async function readState(port: StateRefPort, ref: string): Promise<State | null> {
  const snap = await port.read(ref);
  return snap === null ? null : parseState(snap, ref);
}

function parseState(snap: StateRefSnapshot, ref: string): State {
  const lease = parseJson(snap, ref, LEASE_FILE, leaseSchema);
  if (lease === undefined) throw new StateCorruptError(ref, snap.commit, LEASE_FILE, 'is missing');
  const receipts = parseJson(snap, ref, RECEIPTS_FILE, receiptsSchema) ?? [];
  const unvouched = parseJson(snap, ref, UNVOUCHED_FILE, receiptsSchema) ?? [];
  return { commit: snap.commit, lease, receipts, unvouched };
}

/**
 * Which of the state's receipts a run may trust (state-auth.ts): those of the newest vouched
 * commit; the others only name orphans. 1 call when the head is vouched.
 */
async function authenticate(
  port: StateRefPort,
  ref: string,
  head: State,
  trusted: readonly string[] | undefined,
): Promise<Trusted> {
  const found = await findVouched(port, head.commit, trusted ? { trusted } : {});
  const vouched =
    found.commit === null
      ? null
      : found.commit === head.commit
        ? head
        : parseState(await port.readCommit(found.commit), ref);
  const receipts = vouched?.receipts ?? [];
  const extra = removalOnly(receipts, [
    ...(vouched === head ? [] : head.receipts),
    ...head.unvouched,
    ...(vouched !== null && vouched !== head ? vouched.unvouched : []),
  ]);
  const tampering = unvouchedReport({
    ref,
    head: head.commit,
    found,
    vouchedReceipts: receipts,
    headReceipts: head.receipts,
    removalOnly: extra.receipts.length,
    ambiguous: extra.ambiguous,
    pinned: trusted !== undefined,
  });
  return { receipts, unvouched: extra.receipts, tampering };
}

/**
 * The state ref read without taking the lease (null: the ref does not exist), authenticated
 * (state-auth.ts) when its lease is free at `now`: what acquireLease would take it with.
 */
export async function readLeaseState(
  port: StateRefPort,
  opts: { readonly trusted?: readonly string[]; readonly now: () => Date },
  ref: string = STATE_REF,
): Promise<LeaseState | null> {
  const state = await readState(port, ref);
  if (state === null) return null;
  const held = !state.lease.released && Date.parse(state.lease.expiresAt) >= opts.now().getTime();
  return { ...state, auth: held ? null : await authenticate(port, ref, state, opts.trusted) };
}

/**
 * The receipts stored on the state ref that a run may trust (those of the newest commit rekey
 * vouched for), read without taking the lease (dry runs).
 */
export async function readReceipts(
  port: StateRefPort,
  ref: string = STATE_REF,
  opts: { readonly trusted?: readonly string[] } = {},
): Promise<readonly Receipt[]> {
  const state = await readState(port, ref);
  return state === null ? [] : (await authenticate(port, ref, state, opts.trusted)).receipts;
}

/**
 * Deterministic text: receipts sorted, only their known fields (anything else is dropped);
 * `unvouched.json` only when there are such receipts.
 */
function stateFiles(
  lease: LeaseFile,
  receipts: readonly Receipt[],
  unvouched: readonly Receipt[] = [],
): Map<string, string> {
  const clean = (list: readonly Receipt[]) =>
    list
      .map((r, i) => {
        const parsed = anyReceipt.safeParse(pick(r));
        if (parsed.success) return parsed.data;
        const why = parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ');
        throw new RangeError(`receipt #${i + 1} is not a valid receipt (${why}); nothing stored`);
      })
      .sort((a, b) => cmp(sortKey(a), sortKey(b)));
  const leaseText = JSON.stringify(
    {
      holder: lease.holder,
      ...(lease.run === undefined ? {} : { run: lease.run }),
      acquiredAt: lease.acquiredAt,
      expiresAt: lease.expiresAt,
      released: lease.released,
    },
    null,
    2,
  );
  const files = new Map([
    [LEASE_FILE, `${leaseText}\n`],
    [RECEIPTS_FILE, `${JSON.stringify(clean(receipts), null, 2)}\n`],
  ]);
  if (unvouched.length > 0)
    files.set(UNVOUCHED_FILE, `${JSON.stringify(clean(unvouched), null, 2)}\n`);
  return files;
}

/** Secrets by scope and name (as before), then deploy keys by repository, key and id. */
const sortKey = (r: Receipt): string =>
  r.kind === 'github-deploy-key'
    ? `2 ${r.repository} ${r.key} ${String(r.id).padStart(20, '0')}`
    : `1 ${r.scope}\u0000${r.name}`;

function pick(r: Receipt): Receipt {
  if (r.kind === 'github-deploy-key')
    return {
      kind: r.kind,
      repository: r.repository,
      key: r.key,
      version: r.version,
      id: r.id,
      title: r.title,
    };
  return {
    ...(r.kind === undefined ? {} : { kind: r.kind }),
    scope: r.scope,
    name: r.name,
    fingerprint: r.fingerprint,
    updatedAt: r.updatedAt,
    ...(r.key === undefined ? {} : { key: r.key }),
    ...(r.version === undefined ? {} : { version: r.version }),
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

function isoAfter(now: Date, ms: number): string {
  return new Date(now.getTime() + ms).toISOString();
}

/**
 * Takes the lease on `port`'s STATE_REF, waiting up to `waitMs` for a held one. Reads 1 (2 to
 * 4 calls), writes 1 (3 calls) per CAS round; a waiting acquirer reads once per poll.
 */
export async function acquireLease(
  port: StateRefPort,
  opts: AcquireOptions,
  ref: string = STATE_REF,
): Promise<LeaseOutcome> {
  if (!(opts.ttlMs > 0)) throw new RangeError('acquireLease: ttlMs must be positive');
  const waitMs = opts.waitMs ?? 0;
  const sleep = opts.sleep ?? defaultSleep;
  const started = opts.now().getTime();
  // Bounded: polls by the clock, CAS rounds by count, and both by a hard cap.
  const maxRounds = MAX_CAS_ROUNDS + Math.ceil(waitMs / 1_000) + 1;
  let lost = 0;
  for (let round = 0; round < maxRounds; round++) {
    const from = round === 0 ? opts.from : undefined;
    const state = from !== undefined ? from.state : await readState(port, ref);
    const now = opts.now();
    const held =
      state !== null && !state.lease.released && Date.parse(state.lease.expiresAt) >= now.getTime();
    if (state !== null && held) {
      const left = started + waitMs - now.getTime();
      if (left <= 0) return busy(state);
      const untilExpiry = Date.parse(state.lease.expiresAt) - now.getTime() + 1;
      await sleep(Math.max(1, Math.min(POLL_MS, left, untilExpiry)));
      continue;
    }
    const lease: LeaseFile = {
      holder: opts.holder,
      ...(opts.run === undefined ? {} : { run: opts.run }),
      acquiredAt: now.toISOString(),
      expiresAt: isoAfter(now, opts.ttlMs),
      released: false,
    };
    // Free: only now does it matter who wrote the state (a held lease is honoured anyway).
    const auth: Trusted =
      state === null
        ? { receipts: [], unvouched: [], tampering: null }
        : (from?.state?.auth ?? (await authenticate(port, ref, state, opts.trusted)));
    const verb = state === null ? 'create' : state.lease.released ? 'take' : 'take over expired';
    const wrote = await port.write(
      ref,
      state?.commit ?? null,
      stateFiles(lease, auth.receipts, auth.unvouched),
      `rekey: ${verb} distribution lease\n\nHolder: ${opts.holder}\nExpires: ${lease.expiresAt}\n`,
    );
    if (wrote.result === 'written') {
      const base = state?.commit ?? null;
      return {
        result: 'acquired',
        lease: handle(port, ref, opts, lease, auth, wrote.commit, base),
      };
    }
    if (++lost >= MAX_CAS_ROUNDS) break;
  }
  // Lost every race, or waited out the rounds: report whoever holds it now.
  const state = await readState(port, ref);
  if (state === null) throw new Error(`${ref}: could not take the lease (the ref keeps moving)`);
  return busy(state);
}

function busy(state: State): LeaseOutcome {
  return { result: 'busy', holder: state.lease.holder, expiresAt: state.lease.expiresAt };
}

function handle(
  port: StateRefPort,
  ref: string,
  opts: AcquireOptions,
  first: LeaseFile,
  auth: Trusted,
  firstCommit: string,
  base: string | null,
): LeaseHandle {
  const { receipts, unvouched } = auth;
  const removalOnlySet = new Set<Receipt>(unvouched);
  let lease = first;
  let commit = firstCommit;
  let status: 'held' | 'released' | LeaseLostError = 'held';
  const lostError = async (what: string): Promise<LeaseLostError> => {
    let who = '';
    try {
      const now = await readState(port, ref);
      who = now === null ? ' (the ref was deleted)' : ` (held by ${now.lease.holder} now)`;
    } catch {
      // The error below is what matters; naming the new holder is a courtesy.
    }
    return new LeaseLostError(
      `${what}: the distribution lease on ${ref} was taken over by another run${who}; this run must not write any further`,
    );
  };
  const write = async (
    next: LeaseFile,
    stored: readonly Receipt[],
    apart: readonly Receipt[],
    message: string,
  ) => {
    if (status === 'released')
      throw new Error(`the distribution lease on ${ref} was already released`);
    if (status !== 'held') throw status;
    const wrote = await port.write(ref, commit, stateFiles(next, stored, apart), message);
    if (wrote.result === 'conflict') {
      status = await lostError(next.released ? 'release' : 'renew');
      throw status;
    }
    commit = wrote.commit;
    lease = next;
  };
  return {
    holder: first.holder,
    get expiresAt() {
      return lease.expiresAt;
    },
    receipts,
    base,
    unvouched,
    tampering: auth.tampering,
    async renew() {
      const next = { ...lease, expiresAt: isoAfter(opts.now(), opts.ttlMs) };
      await write(
        next,
        receipts,
        unvouched,
        `rekey: renew distribution lease\n\nHolder: ${lease.holder}\n`,
      );
      // Vouched too (+1 call per renewal): a long run that dies after many renewals must not
      // push the last vouched commit past the walk's bound. Best effort: an unvouched renewal
      // only makes the next run walk one commit further.
      await port
        .vouch(commit, STATE_CONTEXT, `rekey renewed the lease, ${receipts.length} receipt(s)`)
        .catch(() => undefined);
    },
    async release(stored: readonly Receipt[]) {
      const next = { ...lease, released: true };
      // What came back of the removal-only receipts (their removal did not settle) stays
      // removal-only: vouching for the commit must not make them trusted.
      const own = stored.filter((r) => !removalOnlySet.has(r));
      const apart = stored.filter((r) => removalOnlySet.has(r));
      await write(
        next,
        own,
        apart,
        `rekey: release distribution lease, ${own.length} receipt(s)\n\nHolder: ${lease.holder}\n`,
      );
      status = 'released';
      try {
        await port.vouch(commit, STATE_CONTEXT, `rekey stored ${own.length} receipt(s)`);
      } catch (e) {
        // The ref moved: the lease is released, but the next run will not trust these
        // receipts (it writes those secrets again). Say so; never pretend they are vouched.
        throw new Error(
          `the receipts were stored on ${ref} at ${commit.slice(0, 12)} but not vouched for (${STATE_CONTEXT}): ${e instanceof Error ? e.message : 'unknown error'}; the next run writes every secret they cover again`,
          { cause: e },
        );
      }
    },
  };
}
