// The verify use case against real temporary git repositories holding the template's own
// example content: trees and history are read with git, statuses through a recording port.
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkingTree } from '../../src/adapters/files/working-tree.ts';
import { buildHistoryIndex } from '../../src/adapters/git/history.ts';
import { readTreeAtRef } from '../../src/adapters/git/tree.ts';
import { applyToWorkdir } from '../../src/adapters/workdir.ts';
import { loadSopsConfig } from '../../src/cli/sops.ts';
import {
  prepareRevocation,
  prepareRotation,
  type PreparedChange,
} from '../../src/commands/changes.ts';
import { DISTRIBUTION_CONTEXT } from '../../src/commands/distribution-evidence.ts';
import {
  renderVerifySummary,
  verifyPull,
  type GateEvidencePorts,
} from '../../src/commands/verify-pull.ts';
import { GitHubError, type CommitStatus, type StatusPort } from '../../src/core/ports/github.ts';
import { BuiltinSopsCodec } from '../../src/crypto/sops/index.ts';
import { edit, git, templateRepo } from '../cli/harness.ts';

const NOW = new Date('2026-11-22T12:00:00Z');
const SSH = 'keys-manifest/infra/deploy-ssh/key.yaml';
const codec = new BuiltinSopsCodec({ identities: [] });

let repo: ReturnType<typeof templateRepo>;
let main: string;
beforeAll(() => {
  repo = templateRepo();
  main = git(repo.dir, 'rev-parse', 'HEAD');
});
afterAll(() => repo.cleanup());

/** Makes a branch from main with `make` applied and committed; returns its commit. */
async function branch(name: string, make: (dir: string) => Promise<void> | void): Promise<string> {
  git(repo.dir, 'checkout', '-q', '-b', name, main);
  try {
    await make(repo.dir);
    git(repo.dir, 'add', '-A');
    git(repo.dir, 'commit', '-q', '-m', name);
    return git(repo.dir, 'rev-parse', 'HEAD');
  } finally {
    git(repo.dir, 'checkout', '-q', '-f', 'main');
  }
}

const apply = (change: PreparedChange) => applyToWorkdir(repo.dir, change.files);

/** A status port answering from a table, recording every call. */
function statuses(table: Record<string, CommitStatus[]> | (() => never)) {
  const calls: { ref: string; context: string | undefined }[] = [];
  const port: Pick<StatusPort, 'listStatuses'> = {
    listStatuses: async (ref, context) => {
      calls.push({ ref, context });
      if (typeof table === 'function') return table();
      return table[ref] ?? [];
    },
  };
  return { port, calls };
}

const status = (state: CommitStatus['state'], createdAt: string): CommitStatus => ({
  state,
  context: DISTRIBUTION_CONTEXT,
  description: null,
  targetUrl: null,
  createdAt,
  creator: 'rekey[bot]',
});

function ports(statusPort: Pick<StatusPort, 'listStatuses'> | undefined): GateEvidencePorts {
  return {
    history: (sha) => buildHistoryIndex(repo.dir, sha),
    firstParent: async (sha) =>
      git(repo.dir, 'rev-list', '--first-parent', '--reverse', sha).split('\n'),
    statuses: statusPort,
  };
}

async function run(head: string, statusPort?: Pick<StatusPort, 'listStatuses'>, max?: number) {
  const [baseTree, headTree] = await Promise.all([
    readTreeAtRef(repo.dir, main),
    readTreeAtRef(repo.dir, head),
  ]);
  return verifyPull(
    { base: { sha: main, tree: baseTree }, head: { sha: head, tree: headTree }, now: NOW },
    ports(statusPort),
    max === undefined ? {} : { maxStatusCalls: max },
  );
}

const rules = (r: { diagnostics: readonly { rule: string }[] }) => [
  ...new Set(r.diagnostics.map((d) => d.rule)),
];

describe('verifyPull', () => {
  it('passes a rotation made by rekey, reading no status', async () => {
    const head = await branch('rotation', async (dir) => {
      const tree = await readWorkingTree(dir);
      await apply(
        await prepareRotation(
          tree,
          'payments/webhook-signing',
          {
            now: new Date('2026-11-20T10:00:00Z'),
            sopsConfig: loadSopsConfig(tree),
            prepublish: false,
          },
          { codec },
        ),
      );
    });
    const { port, calls } = statuses({});
    const r = await run(head, port);
    expect(r.diagnostics).toEqual([]);
    expect(r.kind).toBe('rotation');
    expect(r.keys.map((k) => [k.keyId, k.moves])).toEqual([
      [
        'payments/webhook-signing',
        [
          { version: 3, from: undefined, to: 'active' },
          { version: 2, from: 'active', to: 'deactivated' },
        ],
      ],
    ]);
    expect(r.gate).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('fails a hand-edited resurrection at the file and line of the entry', async () => {
    const head = await branch('resurrect', (dir) =>
      edit(dir, SSH, (t) =>
        t.replace('version: 2, state: deactivated', 'version: 2, state: active'),
      ),
    );
    const r = await run(head);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    const lines = (await readTreeAtRef(repo.dir, head)).get(SSH)!;
    const line =
      new TextDecoder()
        .decode(lines)
        .split('\n')
        .findIndex((l) => l.includes('version: 2,')) + 1;
    expect(line).toBeGreaterThan(1);
    expect(r.diagnostics).toContainEqual(
      expect.objectContaining({ rule: 'lifecycle/resurrection', file: SSH, line }),
    );
    expect(rules(r)).toContain('lifecycle/multiple-active');
  });

  it('never uses the head .sops.yaml: a PR adding its own recipient and material for it fails', async () => {
    const attacker = await identityToRecipient(await generateIdentity());
    const head = await branch('swap', async (dir) => {
      edit(dir, '.sops.yaml', (t) => t.replace(/age: age1\S+/, `age: ${attacker}`));
      const tree = await readWorkingTree(dir);
      const change = await prepareRotation(
        tree,
        'payments/webhook-signing',
        {
          now: new Date('2026-11-20T10:00:00Z'),
          sopsConfig: loadSopsConfig(tree),
          prepublish: false,
        },
        { codec },
      );
      await apply(change);
      // The material really is wrapped to the attacker's key only.
      const material = change.files.find((f) => f.path.endsWith('v3.sops.yaml'))!;
      expect(new TextDecoder().decode(material.content!)).toContain(attacker);
    });
    const r = await run(head);
    expect(r.kind).toBe('mixed');
    expect(r.diagnostics).toContainEqual(
      expect.objectContaining({
        rule: 'verify/recipients-mismatch',
        file: 'keys-manifest/payments/webhook-signing/v3.sops.yaml',
      }),
    );
  });

  describe('a revocation consults the gate', () => {
    let head: string;
    beforeAll(async () => {
      head = await branch('revoke', async (dir) =>
        apply(prepareRevocation(await readWorkingTree(dir), 'infra/deploy-ssh', 2)),
      );
    });

    // The standard policy's grace is 7 days; main is the commit where v3 became active.
    const cases: {
      name: string;
      statuses: () => Record<string, CommitStatus[]> | (() => never);
      max?: number;
      rules: string[];
      calls: number;
      error?: RegExp;
      bounded?: boolean;
    }[] = [
      {
        name: 'a success older than grace opens it',
        statuses: () => ({ [main]: [status('success', '2026-11-10T00:00:00Z')] }),
        rules: [],
        calls: 1,
      },
      {
        name: 'a success younger than grace keeps it closed',
        statuses: () => ({ [main]: [status('success', '2026-11-21T00:00:00Z')] }),
        rules: ['lifecycle/revocation-gate-closed'],
        calls: 1,
      },
      {
        name: 'the newest status wins: failure after success keeps it closed',
        statuses: () => ({
          [main]: [
            status('failure', '2026-11-12T00:00:00Z'),
            status('success', '2026-11-10T00:00:00Z'),
          ],
        }),
        rules: ['lifecycle/revocation-gate-closed'],
        calls: 1,
      },
      {
        name: 'no status at all keeps it closed',
        statuses: () => ({}),
        rules: ['lifecycle/revocation-gate-closed'],
        calls: 1,
      },
      {
        name: 'a bound of 0 reads nothing and keeps it closed',
        statuses: () => ({ [main]: [status('success', '2026-11-10T00:00:00Z')] }),
        max: 0,
        rules: ['lifecycle/revocation-gate-closed'],
        calls: 0,
        bounded: true,
      },
      {
        name: 'a GitHub error leaves it unchecked (fail closed)',
        statuses: () => () => {
          throw new GitHubError({
            status: 403,
            code: 'forbidden',
            route: 'GET /repos/{owner}/{repo}/commits/{ref}/statuses',
            detail: 'Resource not accessible by integration',
          });
        },
        rules: ['lifecycle/revocation-gate-unchecked'],
        calls: 1,
        error: /403 Resource not accessible/,
      },
    ];
    it.each(cases)('$name', async (c) => {
      const { port, calls } = statuses(c.statuses());
      const r = await run(head, port, c.max);
      expect(r.kind).toBe('revocation');
      expect(rules(r)).toEqual(c.rules);
      expect(calls.length).toBe(c.calls);
      for (const call of calls) expect(call).toEqual({ ref: main, context: DISTRIBUTION_CONTEXT });
      expect(r.gate?.destroyed).toEqual([{ keyId: 'infra/deploy-ssh', version: 2 }]);
      expect(r.gate?.statusCalls).toBe(calls.length);
      // Without an error, the verdict agrees with the finding and gives its evidence.
      if (!c.error)
        expect(r.gate?.verdicts).toEqual([
          {
            keyId: 'infra/deploy-ssh',
            version: 2,
            open: c.rules.length === 0,
            reason:
              c.rules.length === 0
                ? expect.stringContaining(main.slice(0, 12))
                : expect.any(String),
          },
        ]);
      else expect(r.gate?.verdicts).toEqual([]);
      if (c.error) expect(r.gate?.error).toMatch(c.error);
      expect(r.gate?.bounded ?? false).toBe(c.bounded ?? false);
      for (const d of r.diagnostics) {
        expect(d.file).toBe(SSH);
        expect(d.line).toBeGreaterThan(0);
      }
    });

    it.each([
      ['someone-else[bot]', ['lifecycle/revocation-gate-closed']],
      ['REKEY[bot]', []],
    ])(
      "the base branch's status-creators decide whose success counts (pinned to %s)",
      async (creator, expected) => {
        // base: main plus a pipeline.yaml pin; head: the revocation on top of that base.
        const base = await branch(`pin-${creator.replace(/\W/g, '')}`, (dir) =>
          edit(dir, 'policies/pipeline.yaml', (t) => `${t}status-creators: ['${creator}']\n`),
        );
        git(repo.dir, 'checkout', '-q', '-b', `revoke-on-${base.slice(0, 8)}`, base);
        let head: string;
        try {
          await apply(prepareRevocation(await readWorkingTree(repo.dir), 'infra/deploy-ssh', 2));
          git(repo.dir, 'add', '-A');
          git(repo.dir, 'commit', '-q', '-m', 'revoke on a pinned base');
          head = git(repo.dir, 'rev-parse', 'HEAD');
        } finally {
          git(repo.dir, 'checkout', '-q', '-f', 'main');
        }
        const [baseTree, headTree] = await Promise.all([
          readTreeAtRef(repo.dir, base),
          readTreeAtRef(repo.dir, head),
        ]);
        // rekey[bot] wrote the success, long enough ago for the grace.
        const { port } = statuses({ [base]: [status('success', '2026-11-10T00:00:00Z')] });
        const r = await verifyPull(
          { base: { sha: base, tree: baseTree }, head: { sha: head, tree: headTree }, now: NOW },
          ports(port),
        );
        expect(r.kind).toBe('revocation');
        expect(rules(r)).toEqual(expected);
      },
    );

    it('without a token the gate is unchecked and the summary says why', async () => {
      const r = await run(head, undefined);
      expect(rules(r)).toEqual(['lifecycle/revocation-gate-unchecked']);
      expect(r.gate?.error).toMatch(/no token/);
      const md = renderVerifySummary(r, { base: main, head, headKind: 'head' });
      expect(md).toContain('**revocation**');
      expect(md).toContain('**unchecked**');
      expect(md).toMatch(
        /\| keys-manifest\/infra\/deploy-ssh\/key\.yaml:\d+ \| `lifecycle\/revocation-gate-unchecked` \|/,
      );
      expect(md).toContain('v2 deactivated → destroyed');
    });

    it('a shallow-history error from the history port also leaves it unchecked', async () => {
      const r = await verifyPull(
        {
          base: { sha: main, tree: await readTreeAtRef(repo.dir, main) },
          head: { sha: head, tree: await readTreeAtRef(repo.dir, head) },
          now: NOW,
        },
        {
          ...ports(statuses({}).port),
          history: async () => {
            throw new Error('the checkout is shallow');
          },
        },
      );
      expect(rules(r)).toEqual(['lifecycle/revocation-gate-unchecked']);
      expect(r.gate?.error).toBe('the checkout is shallow');
    });
  });

  it('the summary escapes table cells and lists every violation', () => {
    const md = renderVerifySummary(
      {
        kind: 'mixed',
        keys: [],
        configuration: ['policies/a|b.yaml'],
        scope: {
          'pipeline-code': [],
          configuration: ['policies/a|b.yaml'],
          manifest: [],
          other: [],
        },
        diagnostics: [
          {
            rule: 'yaml/syntax',
            message: 'bad | cell\nnext',
            file: 'policies/x.yaml',
            line: 3,
            column: 1,
          },
          {
            rule: 'manifest/orphan-material',
            message: 'orphan',
            file: 'keys-manifest/a/v1.sops.yaml',
            line: 0,
            column: 0,
          },
        ],
        gate: undefined,
      },
      { base: 'a'.repeat(40), head: 'b'.repeat(40), headKind: 'merge' },
    );
    expect(md).toContain('## rekey verify: 2 violations');
    expect(md).toContain('| policies/a\\|b.yaml | configuration | |');
    expect(md).toContain('| policies/x.yaml:3 | `yaml/syntax` | bad \\| cell next |');
    expect(md).toContain('| keys-manifest/a/v1.sops.yaml | `manifest/orphan-material` | orphan |');
    expect(md).toContain('the merge of the pull request');
  });

  describe('on a longer first-parent line, statuses are read oldest first from C and stop at the first success', () => {
    // main2: the template commit C (v3 active) then two unrelated commits; the PR revokes v2.
    let line: string[];
    let base: string;
    let head: string;
    beforeAll(async () => {
      git(repo.dir, 'checkout', '-q', '-b', 'main2', main);
      for (const n of [1, 2]) {
        edit(repo.dir, 'policies/standard.yaml', (t) => `${t}# note ${n}\n`);
        git(repo.dir, 'commit', '-q', '-am', `note ${n}`);
      }
      base = git(repo.dir, 'rev-parse', 'HEAD');
      git(repo.dir, 'checkout', '-q', '-f', 'main');
      line = git(repo.dir, 'rev-list', '--first-parent', '--reverse', base).split('\n');
      git(repo.dir, 'checkout', '-q', '-b', 'revoke2', base);
      await apply(prepareRevocation(await readWorkingTree(repo.dir), 'infra/deploy-ssh', 2));
      git(repo.dir, 'commit', '-q', '-am', 'revoke');
      head = git(repo.dir, 'rev-parse', 'HEAD');
      git(repo.dir, 'checkout', '-q', '-f', 'main');
    });

    const old = [status('success', '2026-11-10T00:00:00Z')];
    const cases = [
      { name: 'success on C: 1 call', at: 0, max: 20, calls: 1, open: true },
      { name: 'success on the newest commit: 3 calls', at: 2, max: 20, calls: 3, open: true },
      { name: 'success beyond the bound: 2 calls, closed', at: 2, max: 2, calls: 2, open: false },
    ];
    it.each(cases)('$name', async (c) => {
      expect(line).toHaveLength(3);
      expect(line[0]).toBe(main);
      const { port, calls } = statuses({ [line[c.at]!]: old });
      const r = await verifyPull(
        {
          base: { sha: base, tree: await readTreeAtRef(repo.dir, base) },
          head: { sha: head, tree: await readTreeAtRef(repo.dir, head) },
          now: NOW,
        },
        ports(port),
        { maxStatusCalls: c.max },
      );
      expect(calls.map((x) => x.ref)).toEqual(line.slice(0, c.calls));
      expect(r.gate?.bounded).toBe(!c.open);
      expect(rules(r)).toEqual(c.open ? [] : ['lifecycle/revocation-gate-closed']);
    });
  });
});
