// The README's setup section tells people which permissions to give the GitHub App and which
// environments and secrets to create. Those facts live in the workflows; this test holds the
// README to them, so a workflow that asks for a new permission cannot leave the setup behind.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Workflow {
  jobs: Record<string, { environment?: string; steps: Step[] }>;
}
const workflow = (name: string) =>
  parse(readFileSync(join(root, '.github/workflows', name), 'utf8')) as Workflow;

/** The rows of the first Markdown table after `heading`, as cells keyed by column title. */
function table(heading: string): Record<string, string>[] {
  const from = readme.indexOf(heading);
  expect(from, heading).toBeGreaterThan(-1);
  const lines = readme.slice(from).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
  }
  const [head, , ...body] = rows;
  return body.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i] ?? ''])));
}

/** The README's name of each GitHub App permission `create-github-app-token` takes. */
const PERMISSION_TITLES: Record<string, string> = {
  contents: 'Contents',
  'pull-requests': 'Pull requests',
  issues: 'Issues',
  statuses: 'Commit statuses',
  secrets: 'Secrets',
  administration: 'Administration',
  'dependabot-secrets': 'Dependabot secrets',
  'organization-secrets': 'Organization: Secrets',
  environments: 'Environments',
  members: 'Organization: Members',
};

/**
 * The `permission-*` inputs of the App-token steps (all of them: distribute.yml mints one for
 * the keys repository and one for the targets, and the App must hold their union), and the
 * first such step.
 */
function appToken(name: string): { permissions: Record<string, string>; step: Step } {
  const steps = Object.values(workflow(name).jobs)
    .flatMap((j) => j.steps)
    .filter((s) => s.uses?.startsWith('actions/create-github-app-token@'));
  expect(steps[0], `${name} mints an App token`).toBeDefined();
  const permissions = Object.fromEntries(
    steps.flatMap((step) =>
      Object.entries(step.with ?? {})
        .filter(([k]) => k.startsWith('permission-'))
        .map(([k, v]) => [k.slice('permission-'.length), String(v)]),
    ),
  );
  return { permissions, step: steps[0]! };
}

describe('the GitHub App permissions in the README', () => {
  const rows = table('### 2. The GitHub App');
  const byTitle = new Map(rows.map((r) => [r['permission']!, r]));
  const columns = [
    ['rotate.yml', 'rotate.yml, revoke.yml'],
    ['revoke.yml', 'rotate.yml, revoke.yml'],
    ['distribute.yml', 'distribute.yml'],
  ] as const;

  it.each(columns)('%s asks for exactly what the README lists', (file, column) => {
    const { permissions } = appToken(file);
    expect(Object.keys(permissions).length).toBeGreaterThan(2);
    for (const [permission, level] of Object.entries(permissions)) {
      const title = PERMISSION_TITLES[permission];
      expect(title, `permission-${permission} has a README name`).toBeDefined();
      expect(byTitle.get(title!)?.[column], `${file}: ${title}`).toBe(level);
    }
    // And the other way: every level the README gives this workflow, except the ones a target
    // adds ("only for ..." rows, commented out in the workflow) and Metadata (always granted).
    for (const row of rows) {
      const level = row[column];
      if (!level || row['permission'] === 'Metadata' || row['why']!.startsWith('only for'))
        continue;
      const key = Object.entries(PERMISSION_TITLES).find(([, t]) => t === row['permission'])?.[0];
      expect(permissions[key!], `${file}: ${row['permission']}`).toBe(level);
    }
  });

  it('the optional permissions are the ones distribute.yml has as comments', () => {
    const text = readFileSync(join(root, '.github/workflows/distribute.yml'), 'utf8');
    const commented = [...text.matchAll(/^\s*#.*permission-([a-z-]+): (\w+)/gm)].map((m) => [
      PERMISSION_TITLES[m[1]!],
      m[2],
    ]);
    const optional = rows
      .filter((r) => r['why']!.startsWith('only for'))
      .map((r) => [r['permission'], r['distribute.yml']]);
    expect(optional.sort()).toEqual(commented.sort());
  });

  it.each(['rotate.yml', 'revoke.yml', 'distribute.yml'])(
    '%s reads the App from the variable and secret the README names',
    (file) => {
      const { step } = appToken(file);
      expect(step.with?.['client-id']).toBe('${{ vars.REKEY_APP_CLIENT_ID }}');
      expect(step.with?.['private-key']).toBe('${{ secrets.REKEY_APP_PRIVATE_KEY }}');
      expect(readme).toContain('gh variable set REKEY_APP_CLIENT_ID');
    },
  );
});

describe('the environments in the README', () => {
  const rows = table('### 3. Environments, secrets and variables');

  it.each(['rotate.yml', 'revoke.yml', 'distribute.yml'])(
    "%s's job runs in the environment the README names for it, with the secrets it reads",
    (file) => {
      const jobs = Object.values(workflow(file).jobs);
      expect(jobs).toHaveLength(1);
      const job = jobs[0]!;
      const row = rows.find((r) => r['used by']!.split(', ').includes(file));
      expect(row, file).toBeDefined();
      expect(row!['environment']).toBe(`\`${job.environment}\``);
      const secrets = new Set(
        [...JSON.stringify(job.steps).matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]!),
      );
      const listed = [...row!['secrets']!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!);
      expect(listed.sort()).toEqual([...secrets].sort());
      for (const secret of secrets)
        expect(readme).toContain(`gh secret set ${secret} --env ${job.environment}`);
    },
  );

  it('SOPS_AGE_KEY is read only by the distribute step', () => {
    for (const file of ['rotate.yml', 'revoke.yml', 'verify.yml'])
      expect(readFileSync(join(root, '.github/workflows', file), 'utf8')).not.toContain(
        'SOPS_AGE_KEY',
      );
    const steps = Object.values(workflow('distribute.yml').jobs).flatMap((j) => j.steps);
    const readers = steps.filter((s) => JSON.stringify(s).includes('secrets.SOPS_AGE_KEY'));
    expect(readers.map((s) => s.uses)).toEqual(['./actions/distribute']);
  });
});

describe('the required check in the README', () => {
  it('is the name of the verify job', () => {
    const job = Object.values(workflow('verify.yml').jobs)[0] as unknown as { name: string };
    expect(job.name).toBe('rekey verify');
    expect(readme).toContain(`**Require status checks to pass**: \`${job.name}\``);
  });
});
