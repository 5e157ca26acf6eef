// The README is the first thing a security engineer or auditor reads, and every command and
// path in it must exist: a link that 404s or a `rekey` subcommand that is not registered makes
// the rest of the page doubtful. These checks read the committed README as a reader would.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.ts';
import { END, START } from '../../scripts/action-docs.ts';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Files the README tells the reader to create; they are not in the template. */
const CREATED_BY_THE_READER = new Set(['.github/CODEOWNERS']);
/** GitHub's own actions, named owner/name like a path under actions/. */
const GITHUB_ACTIONS = new Set([
  'actions/checkout',
  'actions/create-github-app-token',
  'actions/setup-node',
  'actions/upload-artifact',
]);

interface Fence {
  readonly lang: string;
  readonly body: string;
}

const fences: Fence[] = [...readme.matchAll(/^```([\w-]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
  lang: m[1]!,
  body: m[2]!,
}));
/** The README with fenced blocks blanked, so inline code and links are read from prose only. */
const prose = readme.replace(/^```[\w-]*\n[\s\S]*?^```$/gm, '');
const inlineCode = [...prose.matchAll(/(`+)([^`]+?)\1/g)].map((m) => m[2]!.trim());
const shellLines = fences
  .filter((f) => f.lang === 'sh')
  .flatMap((f) => f.body.split('\n'))
  .map((l) => l.replace(/\s+#.*$/, '').trim())
  .filter((l) => l !== '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -N for repeats. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const body = markdown.replace(/^```[\w-]*\n[\s\S]*?^```$/gm, '');
  for (const m of body.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

describe('anchorsOf', () => {
  it.each([
    ['## Quick start', 'quick-start'],
    ['### 2. The age identity and `.sops.yaml`', '2-the-age-identity-and-sopsyaml'],
    ['## Tokens: why a GitHub App', 'tokens-why-a-github-app'],
  ])('%j -> %j', (heading, anchor) => {
    expect([...anchorsOf(heading)]).toEqual([anchor]);
  });

  it('numbers repeated headings', () => {
    expect([...anchorsOf('## A\n## A\n')]).toEqual(['a', 'a-1']);
  });
});

describe('the quick start', () => {
  it.each(['npm ci && npm run demo', 'npm ci && npm test'])('has `%s` verbatim', (command) => {
    expect(shellLines).toContain(command);
  });

  it('the scripts it runs exist', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    for (const s of ['demo', 'test', 'check', 'docs:actions', 'docs:check', 'rekey', 'build'])
      expect(scripts, s).toHaveProperty(s);
    for (const m of readme.matchAll(/\bnpm run ([\w:-]+)/g))
      expect(scripts, `npm run ${m[1]}`).toHaveProperty(m[1]!);
  });
});

describe('links', () => {
  const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  const relative = links.filter((l) => !/^[a-z]+:/i.test(l));

  it('finds the links to check', () => {
    expect(relative.filter((l) => l.startsWith('docs/')).length).toBeGreaterThan(10);
  });

  it.each(relative)('%s resolves', (link) => {
    const [path, anchor] = link.split('#') as [string, string | undefined];
    if (path === '') {
      expect(anchorsOf(readme), `#${anchor}`).toContain(anchor);
      return;
    }
    const file = join(root, path);
    expect(existsSync(file), path).toBe(true);
    if (anchor !== undefined) {
      expect(path.endsWith('.md'), `${link}: anchors only into Markdown`).toBe(true);
      expect(anchorsOf(readFileSync(file, 'utf8')), link).toContain(anchor);
    }
  });
});

describe('paths', () => {
  // A path is checked when it starts with one of the repository's own top-level entries and
  // holds no placeholder (`<key-id>`, `*`, `...`, `$VAR`).
  const top = new Set(readdirSync(root).filter((n) => n !== 'node_modules' && n !== '.git'));
  function candidates(text: string): string[] {
    return text
      .split(/[\s"'`()=,]+/)
      .map((t) => t.replace(/[.:;]+$/, ''))
      .filter((t) => t !== '' && !/[<>*$]|\.\.\./.test(t) && !/^[a-z]+:\/\//.test(t))
      .filter((t) => top.has(t.split('/')[0]!) && (t.includes('/') || t.startsWith('.')))
      .filter((t) => !GITHUB_ACTIONS.has(t));
  }
  const paths = [
    ...new Set([...inlineCode.flatMap(candidates), ...shellLines.flatMap(candidates)]),
  ];

  it('finds the paths to check', () => {
    expect(paths).toEqual(expect.arrayContaining(['.sops.yaml', 'keys-manifest/']));
    expect(paths.length).toBeGreaterThan(10);
  });

  it.each(paths)('%s exists', (path) => {
    if (CREATED_BY_THE_READER.has(path)) {
      expect(existsSync(join(root, path)), `${path} is the reader's to create`).toBe(false);
      return;
    }
    expect(existsSync(join(root, path)), path).toBe(true);
    if (path.endsWith('/')) expect(statSync(join(root, path)).isDirectory(), path).toBe(true);
  });
});

describe('rekey subcommands', () => {
  const registered = new Set(commands.map((c) => c.name));
  // Outside the generated section, whose headings are action names ("rekey rotate").
  const own = readme.slice(0, readme.indexOf(START)) + readme.slice(readme.indexOf(END));
  const invocations = [
    // `npx rekey X` and `npm run rekey -- X` anywhere, `rekey X` opening an inline code span.
    ...[...own.matchAll(/\bnpx rekey ([a-z][\w-]*)/g)].map((m) => m[1]!),
    ...[...own.matchAll(/\bnpm run rekey -- ([a-z][\w-]*)/g)].map((m) => m[1]!),
    ...inlineCode.flatMap((c) => /^(?:npx )?rekey ([a-z][\w-]*)/.exec(c)?.[1] ?? []),
  ];
  const mentioned = [...new Set(invocations)].sort();

  it('finds the commands to check', () => {
    expect(mentioned).toEqual(expect.arrayContaining(['demo', 'doctor', 'new', 'plan', 'verify']));
  });

  it.each(mentioned)('rekey %s is a registered command', (name) => {
    expect([...registered]).toContain(name);
  });

  it('every registered command is in the README', () => {
    for (const name of registered) expect(mentioned, name).toContain(name);
  });
});

/**
 * The committed workflows (what a clean clone has), so a workflow another change is still
 * writing does not fail this test before it is committed; outside git, the folder.
 */
function committedWorkflows(): string[] {
  try {
    return execFileSync('git', ['ls-files', '--', '.github/workflows'], { cwd: root })
      .toString('utf8')
      .split('\n')
      .filter((l) => l.endsWith('.yml'))
      .map((l) => l.slice('.github/workflows/'.length));
  } catch {
    return readdirSync(join(root, '.github/workflows'));
  }
}

describe('workflows', () => {
  const onDisk = new Set(readdirSync(join(root, '.github/workflows')));
  const workflows = committedWorkflows();
  const named = [
    ...new Set(
      [...readme.matchAll(/(?<![\w.-])([a-z][a-z0-9-]*\.yml)\b/g)]
        .map((m) => m[1]!)
        // action.yml is the actions' metadata file, not a workflow.
        .filter((n) => n !== 'action.yml'),
    ),
  ].sort();

  it('finds the workflows to check', () => {
    expect(named).toEqual(
      expect.arrayContaining(['distribute.yml', 'revoke.yml', 'rotate.yml', 'verify.yml']),
    );
  });

  it.each(named)('%s is in .github/workflows', (name) => {
    expect([...onDisk]).toContain(name);
  });

  it('every committed workflow is in the README', () => {
    expect(workflows.length).toBeGreaterThanOrEqual(5);
    for (const name of workflows) expect(named, name).toContain(name);
  });
});

describe('the lifecycle diagram', () => {
  const stateDiagram = (markdown: string) =>
    /^```mermaid\n(stateDiagram-v2\n[\s\S]*?)^```$/m.exec(markdown)?.[1];

  it('is the one in docs/lifecycle.md', () => {
    const ours = stateDiagram(readme);
    expect(ours).toContain('compromised --> destroyed');
    expect(ours).toBe(stateDiagram(readFileSync(join(root, 'docs/lifecycle.md'), 'utf8')));
  });
});
