import { z } from 'zod';
import {
  canonicalName,
  deployKeyTitle,
  environmentName,
  owner,
  repository,
  secretName,
} from './github-names.ts';
import { KEY_ID_MAX_LENGTH, KEY_ID_PATTERN } from './key-id.ts';

/** NIST SP 800-57 key states, in lifecycle order. */
export const KEY_STATES = [
  'pre-activation',
  'active',
  'deactivated',
  'compromised',
  'destroyed',
] as const;
export type KeyState = (typeof KEY_STATES)[number];
/** States whose material still exists (a `v<N>.sops.yaml` file must be present). */
export const LIVE_STATES: readonly KeyState[] = [
  'pre-activation',
  'active',
  'deactivated',
  'compromised',
];

export const KEY_TYPES = [
  'random',
  'ed25519',
  'ecdsa-p256',
  'rsa-3072',
  'rsa-4096',
  'ssh-ed25519',
  'age-x25519',
] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** The fingerprint shape each key type produces (see docs/formats.md). */
export const FINGERPRINT_PATTERNS: Record<KeyType, RegExp> = {
  random: /^kcv:[0-9a-f]{16}$/,
  ed25519: /^sha256:[0-9a-f]{64}$/,
  'ecdsa-p256': /^sha256:[0-9a-f]{64}$/,
  'rsa-3072': /^sha256:[0-9a-f]{64}$/,
  'rsa-4096': /^sha256:[0-9a-f]{64}$/,
  'ssh-ed25519': /^SHA256:[A-Za-z0-9+/]{43}$/,
  'age-x25519': /^age1[02-9ac-hj-np-z]{58}$/,
};

export const keyId = z
  .string()
  .max(KEY_ID_MAX_LENGTH)
  .regex(KEY_ID_PATTERN, 'a key id is 1-4 segments of [a-z0-9][a-z0-9-]* joined by "/"');

export const GITHUB_HANDLE =
  /^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?$/;
/** `@user` or `@org/team`, as GitHub CODEOWNERS and review requests write them. */
export const githubHandle = z
  .string()
  .regex(GITHUB_HANDLE, 'expected a GitHub user (@name) or team (@org/team)');

/**
 * A file target's path, relative to the output folder: segments of `[A-Za-z0-9_.-]`, so no
 * absolute path, backslash, NUL, newline or drive letter; no `.` or `..` segment, so it never
 * leaves the folder.
 */
export const RELATIVE_PATH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
export const hasDotSegment = (p: string): boolean =>
  p.split('/').some((s) => s === '..' || s === '.');
const relativePath = z
  .string()
  .min(1)
  .max(255)
  .regex(RELATIVE_PATH, 'expected a relative path of [A-Za-z0-9_.-] segments')
  .refine((p) => !hasDotSegment(p), 'path may not contain . or .. segments');

/**
 * A probe: an HTTPS URL whose answer shows which version the target's consumers use
 * (docs/targets.md "Probes"). `jwks-kid`: a JWKS whose `keys` list the version's `kid` (rekey's
 * jwks files use the fingerprint as `kid`); `fingerprint`: a body (a health endpoint) that shows
 * the fingerprint. Probes send no credentials, so the URL may not carry any either.
 */
export const probeSpec = z.strictObject({
  url: z
    .string()
    .max(2048)
    .refine((u) => {
      try {
        const url = new URL(u);
        return (
          url.protocol === 'https:' && url.username === '' && url.password === '' && url.hash === ''
        );
      } catch {
        return false;
      }
    }, 'expected an https:// URL without user, password or #fragment'),
  expect: z.enum(['jwks-kid', 'fingerprint']),
});
export type ProbeSpec = z.infer<typeof probeSpec>;

export const githubSecretTarget = z
  .strictObject({
    kind: z.literal('github-secret'),
    repository: repository.optional(),
    organization: owner.optional(),
    environment: environmentName.optional(),
    app: z.enum(['actions', 'dependabot']).default('actions'),
    visibility: z.enum(['all', 'private', 'selected']).optional(),
    'selected-repositories': z.array(repository).optional(),
    name: secretName,
    previous: secretName.optional(),
    probe: probeSpec.optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.repository === undefined) === (t.organization === undefined))
      ctx.addIssue({ code: 'custom', message: 'set exactly one of repository or organization' });
    if (t.organization !== undefined && t.environment !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['environment'],
        message: 'environments belong to repositories, not organizations',
      });
    if (t.organization === undefined && t.visibility !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['visibility'],
        message: 'visibility applies to organization secrets only',
      });
    if ((t.visibility === 'selected') !== (t['selected-repositories'] !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['selected-repositories'],
        message: 'selected-repositories is required with, and only with, visibility: selected',
      });
    if (t.environment !== undefined && t.app === 'dependabot')
      ctx.addIssue({
        code: 'custom',
        path: ['environment'],
        message: 'Dependabot secrets have no environments',
      });
    const org = t.organization?.toLowerCase();
    t['selected-repositories']?.forEach((r, i) => {
      if (org !== undefined && r.slice(0, r.indexOf('/')).toLowerCase() !== org)
        ctx.addIssue({
          code: 'custom',
          path: ['selected-repositories', i],
          message: `an organization secret is visible only to repositories of ${t.organization}`,
        });
    });
    if (t.previous !== undefined && canonicalName(t.previous) === canonicalName(t.name))
      ctx.addIssue({
        code: 'custom',
        path: ['previous'],
        message: 'previous must differ from name (GitHub compares secret names case-insensitively)',
      });
  });

export const githubDeployKeyTarget = z.strictObject({
  kind: z.literal('github-deploy-key'),
  repository,
  title: deployKeyTitle,
  'read-only': z.boolean().default(true),
  probe: probeSpec.optional(),
});

export const FILE_TARGET_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const FILE_FORMATS = ['raw', 'env', 'json', 'kubernetes-secret', 'jwks'] as const;

export const fileTarget = z.strictObject({
  kind: z.literal('file'),
  path: relativePath,
  format: z.enum(FILE_FORMATS),
  /** Variable name (env), property (json) or data key (kubernetes-secret). */
  name: z.string().regex(FILE_TARGET_NAME).optional(),
  probe: probeSpec.optional(),
});

/** An AWS region code, like eu-central-1 or us-gov-west-1. */
const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'expected an AWS region like eu-central-1');
const AWS_SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;

export const awsSecretTarget = z
  .strictObject({
    kind: z.literal('aws-secret'),
    /** The secret's name or full ARN; it must exist (rekey writes versions, not secrets). */
    'secret-id': z
      .string()
      .max(2048)
      .refine(
        (s) => AWS_SECRET_ARN.test(s) || /^[A-Za-z0-9/_+=.@-]{1,512}$/.test(s),
        'expected a Secrets Manager secret name ([A-Za-z0-9/_+=.@-], at most 512) or its ARN',
      ),
    region: awsRegion,
    probe: probeSpec.optional(),
  })
  .superRefine((t, ctx) => {
    const arnRegion = AWS_SECRET_ARN.exec(t['secret-id'])?.[1];
    if (arnRegion !== undefined && arnRegion !== t.region)
      ctx.addIssue({
        code: 'custom',
        path: ['region'],
        message: `the ARN names region ${arnRegion}`,
      });
  });

/**
 * A PostgreSQL role name rekey may set a password on: an unquoted-style identifier (lower case,
 * digits, `_`, `$`; at most 63 bytes, PostgreSQL's NAMEDATALEN), not a `pg_` reserved role.
 * rekey still quotes it (escapeIdentifier) in every statement.
 */
const postgresRole = z
  .string()
  .regex(/^[a-z_][a-z0-9_$]{0,62}$/, 'a role name: [a-z_][a-z0-9_$]{0,62}')
  .refine((r) => !r.startsWith('pg_'), 'roles starting with pg_ are reserved');

export const postgresRoleTarget = z
  .strictObject({
    kind: z.literal('postgres-role'),
    /**
     * The environment variable of the distribution run that holds the admin connection URL
     * (`postgresql://user:password@host:port/db?sslmode=verify-full`). Only `REKEY_PG_*`
     * names, so a key.yaml cannot point rekey at another secret of the environment.
     */
    connection: z
      .string()
      .regex(/^REKEY_PG_[A-Z0-9_]{1,48}$/, 'an environment variable named REKEY_PG_<NAME>'),
    /** AWS Secrets Manager's rotation strategies (docs/targets.md "postgres-role"). */
    strategy: z.enum(['alternating-users', 'single-user']),
    /** alternating-users: two roles that take turns; single-user: one. */
    roles: z.array(postgresRole).min(1).max(2),
    probe: probeSpec.optional(),
  })
  .superRefine((t, ctx) => {
    const want = t.strategy === 'alternating-users' ? 2 : 1;
    if (t.roles.length !== want)
      ctx.addIssue({
        code: 'custom',
        path: ['roles'],
        message: `${t.strategy} takes exactly ${want} role${want === 1 ? '' : 's'}`,
      });
    if (t.roles.length === 2 && t.roles[0] === t.roles[1])
      ctx.addIssue({ code: 'custom', path: ['roles', 1], message: 'the two roles must differ' });
  });

export const target = z.discriminatedUnion('kind', [
  githubSecretTarget,
  githubDeployKeyTarget,
  fileTarget,
  awsSecretTarget,
  postgresRoleTarget,
]);
export type Target = z.infer<typeof target>;
export type AwsSecretTarget = z.infer<typeof awsSecretTarget>;

export const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** For a string of UTC_TIMESTAMP's shape: whether it names a real moment (no 02-30, no 24:00). */
export const isRealCalendarTime = (s: string): boolean =>
  !Number.isNaN(Date.parse(s)) && new Date(s).toISOString().slice(0, 19) + 'Z' === s;

/** Timestamps are UTC to the second, as git and GitHub report them. */
export const utcTimestamp = z
  .string()
  .regex(
    UTC_TIMESTAMP,
    // abort: a malformed time is one finding, not also "not a real calendar time"
    { message: 'expected an ISO 8601 UTC time like 2026-11-20T09:14:03Z', abort: true },
  )
  .refine(isRealCalendarTime, 'not a real calendar time');

export const versionEntry = z.strictObject({
  version: z.int().min(1).max(1_000_000),
  state: z.enum(KEY_STATES),
  created: utcTimestamp,
  fingerprint: z.string().min(1).max(200),
});
export type VersionEntry = z.infer<typeof versionEntry>;

export const RANDOM_ENCODINGS = ['base64', 'base64url', 'hex'] as const;
export const randomOptions = z.strictObject({
  bytes: z.int().min(16).max(1024),
  encoding: z.enum(RANDOM_ENCODINGS).default('base64'),
});

export const POLICY_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const keyDocument = z
  .strictObject({
    id: keyId,
    description: z.string().min(1).max(1000),
    owner: githubHandle,
    policy: z.string().regex(POLICY_NAME, 'expected a policy name like standard'),
    type: z.enum(KEY_TYPES),
    options: randomOptions.optional(),
    targets: z.array(target).max(100).default([]),
    versions: z.array(versionEntry).max(10_000).default([]),
  })
  .superRefine((k, ctx) => {
    if (k.type === 'random' && k.options === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['options'],
        message: 'random keys need options: { bytes, encoding }',
      });
    if (k.type !== 'random' && k.options !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['options'],
        message: `options apply to random keys only, not ${k.type}`,
      });
    k.versions.forEach((v, i) => {
      if (!FINGERPRINT_PATTERNS[k.type].test(v.fingerprint))
        ctx.addIssue({
          code: 'custom',
          path: ['versions', i, 'fingerprint'],
          message: `not a ${k.type} fingerprint (see docs/formats.md)`,
        });
    });
  });
export type KeyDocument = z.infer<typeof keyDocument>;
