// The App tokens of rotate.yml, revoke.yml and distribute.yml ask for every permission the
// routes their action calls need, per GitHub's permission data (the emulator's table): the
// routes are declared in src/actions/runtime-operations.ts (kept true by the action bundle tests,
// which check every logged operation is declared), summed with `grantsFor`, and compared with
// the `permission-*` inputs. A workflow that lost e.g. `permission-members` fails here, not in
// production (issue #14, deliverable 2).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  ACTION_OPERATIONS,
  targetScopeOf,
  TARGET_OPERATIONS,
  type TargetScope,
} from '../../src/actions/runtime-operations.ts';
import {
  appTokenInput,
  grantsFor,
  type Access,
  type ConditionalGrant,
} from '../../src/sandbox/emulator/permissions.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const RANK: Record<Access, number> = { read: 1, write: 2, admin: 3 };
const APP_TOKEN = /^actions\/create-github-app-token@/;

/** The `permission-*` inputs of the create-github-app-token step `id` in a workflow's text. */
function tokenInputs(text: string, id: string): Record<string, string> {
  const doc = YAML.parse(text) as {
    jobs: Record<
      string,
      { steps?: { id?: string; uses?: string; with?: Record<string, unknown> }[] }
    >;
  };
  const steps = Object.values(doc.jobs).flatMap((j) => j.steps ?? []);
  const step = steps.find((s) => s.id === id && APP_TOKEN.test(s.uses ?? ''));
  if (!step) throw new Error(`no create-github-app-token step with id ${id}`);
  return Object.fromEntries(
    Object.entries(step.with ?? {})
      .filter(([k]) => k.startsWith('permission-'))
      .map(([k, v]) => [k, String(v)]),
  );
}

/** The `permission-x: level` lines a workflow offers in comments (grants to add when needed). */
function commentedInputs(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/^\s*#.*?\b(permission-[a-z-]+):\s*(read|write|admin)\b/gm))
    out.add(m[1]!);
  return out;
}

/** What `needed` lacks in `inputs`: one line per missing or too-low grant. */
function missing(needed: Record<string, Access>, inputs: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [name, access] of Object.entries(needed)) {
    const input = appTokenInput(name);
    if (input === null) continue; // no input exists: the token inherits (docs/emulator.md)
    const have = inputs[input] as Access | undefined;
    if (have === undefined || !(have in RANK) || RANK[have] < RANK[access])
      out.push(`${input}: ${access} (has ${have ?? 'none'})`);
  }
  return out.sort();
}

/** key.yaml files under keys-manifest/ of this repository (the template). */
function templateKeyFiles(dir = path.join(root, 'keys-manifest')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return templateKeyFiles(p);
    return name === 'key.yaml' ? [p] : [];
  });
}

const template = templateKeyFiles().map(
  (p) =>
    YAML.parse(readFileSync(p, 'utf8')) as { owner?: string; targets?: Record<string, unknown>[] },
);
const usedScopes = new Set<TargetScope>(
  template.flatMap((k) => (k.targets ?? []).map(targetScopeOf).filter((s) => s !== null)),
);
const policyReviewers = readdirSync(path.join(root, 'policies'))
  .filter((f) => f !== 'pipeline.yaml')
  .map((f) => read(`policies/${f}`))
  .join('\n');
// A team is `@org/slug`: requesting one needs the organization permission Members: read.
const teams =
  template.some((k) => k.owner?.includes('/')) || /['"]@[\w-]+\/[\w-]+['"]/.test(policyReviewers);
const withTeams = (c: ConditionalGrant) => c.name === 'members' && teams;

const pullWorkflows = [
  ['.github/workflows/rotate.yml', 'rotate'],
  ['.github/workflows/revoke.yml', 'revoke'],
] as const;

describe('the App token grants of the workflows', () => {
  it('the template uses teams and the deploy-key and environment targets (the cases below are live)', () => {
    expect(teams).toBe(true);
    expect([...usedScopes].sort()).toEqual(['deploy-key', 'environment', 'repository-actions']);
  });

  describe.each(pullWorkflows)('%s', (file, action) => {
    const needed = grantsFor(ACTION_OPERATIONS[action].token, withTeams);

    it('grants every permission its action needs, members included', () => {
      expect(needed).toMatchObject({ contents: 'write', pull_requests: 'write', members: 'read' });
      expect(missing(needed, tokenInputs(read(file), 'app-token'))).toEqual([]);
    });

    it('fails when permission-members is missing', () => {
      const text = read(file).replace(/^\s*permission-members:.*$/m, '');
      expect(missing(needed, tokenInputs(text, 'app-token'))).toEqual([
        'permission-members: read (has none)',
      ]);
    });
  });

  describe('.github/workflows/distribute.yml', () => {
    const text = read('.github/workflows/distribute.yml');
    const keysNeed = grantsFor(ACTION_OPERATIONS.distribute.token);

    it('the keys token grants what the keys repository routes need', () => {
      // pull_requests: the rekey/rewrap PR (src/commands/distribute/rewrap.ts).
      expect(keysNeed).toEqual({
        contents: 'write',
        statuses: 'write',
        issues: 'write',
        pull_requests: 'write',
      });
      expect(missing(keysNeed, tokenInputs(text, 'app-token'))).toEqual([]);
    });

    it('the targets token grants what every target kind the template uses needs', () => {
      const inputs = tokenInputs(text, 'targets-token');
      for (const scope of usedScopes)
        expect(missing(grantsFor(TARGET_OPERATIONS[scope]), inputs), scope).toEqual([]);
    });

    it('offers, at least in a comment, what every other target kind needs', () => {
      const offered = { ...tokenInputs(text, 'targets-token') };
      for (const input of commentedInputs(text)) offered[input] ??= 'write';
      for (const scope of Object.keys(TARGET_OPERATIONS) as TargetScope[])
        expect(missing(grantsFor(TARGET_OPERATIONS[scope]), offered), scope).toEqual([]);
    });

    it('fails when a grant a used target kind needs is only in a comment', () => {
      const text2 = text.replace(/^(\s*)(permission-administration:.*)$/m, '$1# $2');
      const inputs = tokenInputs(text2, 'targets-token');
      expect(missing(grantsFor(TARGET_OPERATIONS['deploy-key']), inputs)).toEqual([
        'permission-administration: write (has none)',
      ]);
      const noEnv = tokenInputs(
        text.replace(/^\s*permission-environments:.*$/m, ''),
        'targets-token',
      );
      expect(missing(grantsFor(TARGET_OPERATIONS.environment), noEnv)).toEqual([
        'permission-environments: write (has none)',
      ]);
    });
  });
});
