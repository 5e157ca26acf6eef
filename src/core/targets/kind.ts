/**
 * The target-kind seam (docs/targets.md "Adding a target kind"). A kind of distribution target
 * is one file under ./kinds that
 *
 * 1. adds its types to `KindTypes` (a `declare module '../kind.ts'` block): the desired state
 *    of one target, the steps its plan makes, what it observes, and the port it writes through;
 * 2. exports a `TargetKind<'its-kind'>`;
 * 3. is listed once in ./registry.ts (the registry's type refuses a kind that is declared but
 *    not registered).
 *
 * Its key.yaml schema is a member of `target` in ../formats/key.ts. Everything else
 * (desiredState, observeTargets, planTargets, applyTargetPlan, describeStep, preflight, the
 * evidence) dispatches through the registry, so nothing else changes for a new kind.
 *
 * Contract for every kind, checked by its tests:
 * - `desired` and `plan` are pure; `observe` only reads; `apply` performs exactly one step and
 *   is idempotent (running it again after a crash, before or after the write, converges);
 * - nothing a hook returns or throws carries a secret or anything derived from one but a
 *   fingerprint: step descriptions, details, problems and errors name places, versions and
 *   fingerprints only;
 * - a target that cannot be observed makes `observe` throw: preflight then fails the key and
 *   nothing is written.
 */
import type { KeyDocument, KeyState, Target } from '../formats/key.ts';
import type { ObservedDeployKey, ObservedSecret, TargetPorts } from '../ports/targets.ts';
import type { Receipt } from './receipt.ts';
import type { SecretValue } from './secret-value.ts';

/**
 * Each kind's types, by kind name; each file under ./kinds adds its own entry. `observed`:
 * what `observe` stores in `Observation.kinds` (built-in kinds use the shared maps instead:
 * `never`); `port`: what `TargetPorts.kinds` carries for it (`never` for built-in kinds).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface KindTypes {}

export type TargetKindName = keyof KindTypes & Target['kind'];
export type TargetOf<K extends TargetKindName> = Extract<Target, { readonly kind: K }>;
export type DesiredOf<K extends TargetKindName> = KindTypes[K] extends { desired: infer D }
  ? D
  : never;
export type StepOf<K extends TargetKindName> = KindTypes[K] extends { step: infer S } ? S : never;
export type ObservedOf<K extends TargetKindName> = KindTypes[K] extends { observed: infer O }
  ? O
  : never;
export type PortOf<K extends TargetKindName> = KindTypes[K] extends { port: infer P } ? P : never;

/** One decrypted live version (`v<N>.sops.yaml`): treat `secret` as secret. */
export interface LiveVersion {
  readonly version: number;
  readonly secret: SecretValue;
  readonly public?: string | undefined;
}

/** A problem with one target (index into key.yaml's `targets`). Never carries a value. */
export interface TargetProblem {
  readonly target: number;
  readonly message: string;
}

export interface SlotValue {
  readonly version: number;
  readonly fingerprint: string;
  readonly value: SecretValue;
}

/** Every desired target and every step names its kind and its index in key.yaml's `targets`. */
export interface DesiredBase {
  readonly kind: string;
  readonly target: number;
}

export interface StepBase {
  readonly kind: string;
  /** Index of the target in key.yaml's `targets`. */
  readonly target: number;
  /** Why the step is needed, for people. */
  readonly reason: string;
}

type VersionEntry = KeyDocument['versions'][number];

/** What a kind's `desired` may ask about the key and its decrypted versions. */
export interface DesiredContext {
  readonly key: KeyDocument;
  /** key.yaml's versions in these states, newest first. */
  byState(...states: KeyState[]): VersionEntry[];
  /**
   * A version's value: null when `v` is undefined (no such version); undefined, with a
   * problem recorded for `target`, when its material was not decrypted.
   */
  slotValue(target: number, v: VersionEntry | undefined): SlotValue | null | undefined;
  /** A version's public part; undefined, with a problem recorded, when it has none. */
  publicOf(target: number, version: number): string | undefined;
  /** A version's decrypted material, if any (no problem recorded). */
  material(version: number): LiveVersion | undefined;
  problem(target: number, message: string): void;
}

/** What the run observed of a key's targets (observe fills it through the ports). */
export interface Observation {
  /** scopeId -> the scope's secrets. */
  readonly secrets: ReadonlyMap<string, readonly ObservedSecret[]>;
  /** `${scopeId} ${NAME}` -> `owner/name`s, for organization secrets with visibility selected. */
  readonly selected: ReadonlyMap<string, readonly string[]>;
  /** lower-case `owner/name` -> its deploy keys. */
  readonly deployKeys: ReadonlyMap<string, readonly ObservedDeployKey[]>;
  /** path -> bytes, or null when absent. */
  readonly files: ReadonlyMap<string, SecretValue | null>;
  /** What the other kinds observed, by kind. */
  readonly kinds?: { readonly [K in TargetKindName]?: ObservedOf<K> };
}

/** The observation being filled: each kind's `observe` adds what it read. */
export interface ObservationBuilder {
  readonly secrets: Map<string, readonly ObservedSecret[]>;
  readonly selected: Map<string, readonly string[]>;
  readonly deployKeys: Map<string, readonly ObservedDeployKey[]>;
  readonly files: Map<string, SecretValue | null>;
  readonly kinds: { [K in TargetKindName]?: ObservedOf<K> };
}

export interface PlanContext {
  readonly key: Pick<KeyDocument, 'id' | 'versions'>;
  /** Receipts of earlier applies (GitHub secrets need them to prove their last write). */
  readonly receipts: readonly Receipt[];
}

/** One target's share of the plan. */
export interface PlanPart<S> {
  readonly steps: readonly S[];
  /** Slots, keys, files, roles... already as desired. */
  readonly current: number;
  readonly problems: readonly TargetProblem[];
}

/** What one applied step did: `detail` is the target's word (created, updated, deleted...). */
export interface StepOutcome {
  readonly detail: string;
  /** Proof of the write for the next run (GitHub kinds). */
  readonly receipt?: Receipt;
}

/**
 * A probe's verdict on one version at one target: it shows the version is in use (the
 * postgres-role login test, an endpoint listing the `kid`...). Never carries a value.
 */
export interface ProbeResult {
  readonly target: number;
  readonly version: number;
  readonly fingerprint: string;
  /** What was probed, for people: `login as app_blue (postgres db.example:5432/app)`. */
  readonly probe: string;
  /** confirmed: the target uses the version; refuted: it answered, but not with it; failed: no answer. */
  readonly outcome: 'confirmed' | 'refuted' | 'failed';
  readonly detail?: string;
}

export interface TargetKind<K extends TargetKindName> {
  readonly kind: K;
  /** The step kinds its plans make (each step kind belongs to one target kind). */
  readonly steps: readonly (StepOf<K> & StepBase)['kind'][];
  /** Where the target is, for people (reports, evidence). */
  where(t: TargetOf<K>): string;
  /** Pure: what the target should hold; null when it cannot say (problems recorded in ctx). */
  desired(t: TargetOf<K>, index: number, ctx: DesiredContext): DesiredOf<K> | null;
  /** Reads only; throws when the target cannot be read (preflight then fails the key). */
  observe(d: DesiredOf<K>, ports: TargetPorts, into: ObservationBuilder): Promise<void>;
  /**
   * Checks beyond observation that must pass before the first write of the run (e.g. the
   * admin connection may change the role). Returns problems; secret-free.
   */
  preflight?(d: DesiredOf<K>, ports: TargetPorts, observed: Observation): Promise<string[]>;
  /** Pure: the steps from what was observed to what is desired. */
  plan(d: DesiredOf<K>, observed: Observation, ctx: PlanContext): PlanPart<StepOf<K>>;
  /** Performs one step; idempotent. Throws on failure (the message names places, not values). */
  apply(step: StepOf<K>, ports: TargetPorts, ctx: { readonly key: string }): Promise<StepOutcome>;
  /** One line per step for logs and summaries; never a value. */
  describe(step: StepOf<K>): string;
  /** Evidence: what the target should hold, by version and fingerprint. */
  desiredLines(d: DesiredOf<K>): string[];
  /** Evidence: what the run observed of the target before writing. */
  observedLines(d: DesiredOf<K>, observed: Observation, keyId: string): string[];
  /** Names of what the target owns, to refuse two keys writing one thing (`secret X (scope)`). */
  claims?(d: DesiredOf<K>): string[];
  /** Shows which versions the target uses, without sending a secret anywhere but the target. */
  probe?(d: DesiredOf<K>, ports: TargetPorts): Promise<ProbeResult[]>;
  /**
   * When a merge drops the target from key.yaml: what distribution does about what it left
   * there (verify's explanation); null when another key still claims it.
   */
  removed?(
    t: TargetOf<K>,
    why: string,
    head: readonly Pick<KeyDocument, 'targets'>[],
  ): string | null;
}

/** Any registered kind (the registry hands out the right one for a target or step kind). */
export type AnyTargetKind = TargetKind<TargetKindName>;
