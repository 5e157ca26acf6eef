// The key.yaml fast path against the zod schema it stands in for: it may only ever return
// exactly what `keyDocument` returns (same value, same key order, same defaults), never a
// value for a document zod refuses. Differential on generated documents (valid ones and
// mutations of them), and field by field on generated strings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  deployKeyTitle,
  environmentName,
  isDeployKeyTitle,
  isEnvironmentName,
  isOwner,
  isRepository,
  isSecretName,
  keyDocument,
  owner,
  repository,
  secretName,
  utcTimestamp,
} from '../../../src/core/formats/index.ts';
import { fastKeyDocument, isUtcTime } from '../../../src/core/formats/key-fast.ts';
import { parseYaml } from '../../../src/core/yaml/index.ts';
import { KEY_YAML } from './examples.ts';

const RUNS = { numRuns: 3000 };

/** Strings near a field's valid values: pieces of valid ones, separators, traps. */
const near = (...valid: string[]) =>
  fc.oneof(
    fc.constantFrom(...valid),
    fc
      .array(
        fc.oneof(
          fc.constantFrom(...valid),
          fc.constantFrom(
            '/',
            '.',
            '..',
            '-',
            '_',
            ' ',
            '\\',
            '\n',
            '\u200b',
            '(rekey ',
            'GITHUB_',
            'github_',
            '.git',
            '.WIKI',
            'a',
            'Z',
            '0',
            '9',
            '@',
            'é',
          ),
          fc.string({ maxLength: 4 }),
        ),
        { maxLength: 6 },
      )
      .map((p) => p.join('')),
    fc.string({ maxLength: 8 }),
  );

describe('field predicates agree with their zod schemas', () => {
  const cases: [string, z.ZodType, (s: string) => boolean, fc.Arbitrary<string>][] = [
    ['repository', repository, isRepository, near('acme/api', 'a-b/c.d_e', 'x/.', 'x/..', 'A')],
    ['owner', owner, isOwner, near('acme', 'a-b', 'a--b', '-a', 'x'.repeat(39))],
    ['secret name', secretName, isSecretName, near('WEBHOOK_KEY', '_A1', '1A', 'x'.repeat(200))],
    ['environment', environmentName, isEnvironmentName, near('production', 'a/b', 'x'.repeat(255))],
    ['deploy key title', deployKeyTitle, isDeployKeyTitle, near('CI deploy', 'x'.repeat(100))],
  ];
  for (const [name, schema, predicate, strings] of cases)
    it(name, () => {
      fc.assert(
        fc.property(strings, (s) => predicate(s) === schema.safeParse(s).success),
        RUNS,
      );
    });

  it('UTC times: every day of the edge years, and the hour/minute/second bounds', () => {
    const two = (n: number) => String(n).padStart(2, '0');
    let checked = 0;
    for (const year of ['0000', '0001', '1900', '1999', '2000', '2024', '2025', '2100', '9999'])
      for (let m = 0; m <= 13; m++)
        for (let d = 0; d <= 32; d++)
          for (const hms of ['00:00:00', '23:59:59', '24:00:00', '12:60:00', '12:00:60']) {
            const s = `${year}-${two(m)}-${two(d)}T${hms}Z`;
            expect(isUtcTime(s), s).toBe(utcTimestamp.safeParse(s).success);
            checked++;
          }
    expect(checked).toBeGreaterThan(20_000);
    const digits = (n: number) =>
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
    fc.assert(
      fc.property(
        fc.tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2)),
        fc.constantFrom('', 'x', ' '),
        ([y, mo, d, h, mi, s], junk) => {
          const t = `${y}-${mo}-${d}T${h}:${mi}:${s}Z${junk}`;
          return isUtcTime(t) === utcTimestamp.safeParse(t).success;
        },
      ),
      RUNS,
    );
  });
});

// Documents: valid ones built from parts, then mutated one place at a time.
const fingerprints = {
  random: 'kcv:0123456789abcdef',
  ed25519: `sha256:${'a'.repeat(64)}`,
  'ssh-ed25519': `SHA256:${'A'.repeat(43)}`,
} as const;
const keyType = fc.constantFrom('random', 'ed25519', 'ssh-ed25519');
/** The first value (valid) most of the time, else one of the others. */
function mostly<T>(valid: T, ...others: T[]): fc.Arbitrary<T> {
  if (others.length === 0) return fc.constant(valid);
  return fc.oneof(
    { arbitrary: fc.constant(valid), weight: 12 },
    { arbitrary: fc.constantFrom(...others), weight: 1 },
  );
}
const json: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer({ min: -5, max: 2000 }),
  fc.double(),
  fc.string({ maxLength: 6 }),
  fc.constant([]),
  fc.constant({}),
  fc.constantFrom('actions', 'dependabot', 'selected', 'all', 'acme/x', 'hex', 'active'),
);
const target = fc.oneof(
  fc.record(
    {
      kind: fc.constant('github-secret'),
      repository: mostly('acme/api', 'acme/web.git'),
      environment: mostly('production', 'a//b'),
      app: mostly('actions', 'dependabot'),
      name: mostly('KEY', 'GITHUB_KEY', 'key'),
      previous: mostly('KEY_OLD', 'Key'),
    },
    { requiredKeys: ['kind', 'name'] },
  ),
  fc.record(
    {
      kind: fc.constant('github-secret'),
      organization: mostly('acme', 'Acme'),
      visibility: mostly('all', 'private', 'selected'),
      'selected-repositories': mostly(['acme/a'], ['other/b'], ['ACME/c', 'acme/d']),
      name: fc.constant('ORG_KEY'),
      probe: mostly(
        { url: 'https://example.test/h', expect: 'fingerprint' },
        { url: 'http://example.test/h', expect: 'fingerprint' },
      ),
    },
    { requiredKeys: ['kind', 'organization', 'name'] },
  ),
  fc.record(
    {
      kind: fc.constant('github-deploy-key'),
      repository: fc.constant('acme/api'),
      title: mostly('CI', 'CI (rekey x)', ' CI'),
      'read-only': fc.boolean(),
    },
    { requiredKeys: ['kind', 'repository', 'title'] },
  ),
  fc.record(
    {
      kind: fc.constant('file'),
      path: mostly('out/a.env', 'out/../a', 'a'),
      format: mostly('env', 'json', 'yaml'),
      name: mostly('A_B', '1A'),
    },
    { requiredKeys: ['kind', 'path', 'format'] },
  ),
  fc.record({
    kind: fc.constant('aws-secret'),
    'secret-id': mostly('prod/db', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x'),
    region: mostly('eu-central-1', 'eu-west-1'),
  }),
  fc.record({
    kind: fc.constant('postgres-role'),
    connection: fc.constant('REKEY_PG_MAIN'),
    strategy: mostly('alternating-users', 'single-user'),
    roles: mostly(['app_a', 'app_b'], ['app'], ['pg_x']),
  }),
);
const doc = keyType.chain((type) =>
  fc.record(
    {
      id: mostly('payments/webhook', 'a', 'A/b'),
      description: mostly('Signs webhooks', ''),
      owner: mostly('@acme/payments', '@x', 'acme'),
      policy: mostly('standard', 'Standard'),
      type: fc.constant(type),
      options: fc.record(
        { bytes: mostly(32, 8, 16.5), encoding: mostly('base64', 'hex', 'b') },
        { requiredKeys: ['bytes'] },
      ),
      targets: fc.array(target, { maxLength: 3 }),
      versions: fc.array(
        fc.record({
          version: mostly(1, 2, 0),
          state: mostly('active', 'deactivated', 'retired'),
          created: mostly('2026-11-20T09:14:03Z', '2026-02-30T00:00:00Z'),
          fingerprint: mostly(fingerprints[type], fingerprints.random),
        }),
        { maxLength: 3 },
      ),
    },
    {
      requiredKeys:
        type === 'random'
          ? ['id', 'description', 'owner', 'policy', 'type', 'options']
          : ['id', 'description', 'owner', 'policy', 'type'],
    },
  ),
);
/** One mutation: a value replaced somewhere (a key set, added or deleted), or none. */
const mutated = fc
  .tuple(
    doc,
    fc.nat(),
    fc.constantFrom('set', 'delete', 'none'),
    json,
    fc.constantFrom('extra', 'id', 'kind'),
  )
  .map(([generated, at, how, value, newKey]) => {
    const d = structuredClone(generated) as Record<string, unknown>;
    const nodes: Record<string, unknown>[] = [d];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === 'object' && v !== null) {
        nodes.push(v as Record<string, unknown>);
        Object.values(v).forEach(walk);
      }
    };
    Object.values(d).forEach(walk);
    const node = nodes[at % nodes.length]!;
    const keys = [...Object.keys(node), newKey];
    const key = keys[at % keys.length]!;
    if (how === 'set') node[key] = value;
    if (how === 'delete') delete node[key];
    return d as unknown;
  });

describe('fastKeyDocument', () => {
  it('returns exactly what zod returns, or defers (never accepts what zod refuses)', () => {
    let accepted = 0;
    let deferred = 0;
    fc.assert(
      fc.property(mutated, (v) => {
        const fast = fastKeyDocument(structuredClone(v));
        const zod = keyDocument.safeParse(structuredClone(v));
        if (fast === undefined) {
          deferred++;
          return;
        }
        accepted++;
        expect(zod.success).toBe(true);
        expect(fast).toStrictEqual(zod.data);
        expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data));
      }),
      { numRuns: 20_000 },
    );
    // Not vacuous: both verdicts occur often.
    expect(accepted).toBeGreaterThan(1000);
    expect(deferred).toBeGreaterThan(1000);
  });

  it('takes the fast path for every valid document of the common shapes', () => {
    fc.assert(
      fc.property(doc, (v) => {
        if (keyDocument.safeParse(v).success) expect(fastKeyDocument(v)).toBeDefined();
      }),
      RUNS,
    );
    const example = parseYaml('key.yaml', new TextEncoder().encode(KEY_YAML)).value;
    expect(fastKeyDocument(example)).toStrictEqual(keyDocument.parse(example));
  });

  it('defers on values the YAML loader never produces', () => {
    const base = keyDocument.parse(
      parseYaml('key.yaml', new TextEncoder().encode(KEY_YAML)).value,
    ) as Record<string, unknown>;
    expect(fastKeyDocument({ ...base })).toBeDefined();
    expect(fastKeyDocument({ ...base, options: undefined })).toBeUndefined();
    expect(fastKeyDocument(Object.assign(Object.create({ x: 1 }) as object, base))).toBeUndefined();
    expect(fastKeyDocument([base])).toBeUndefined();
  });
});
