import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { format } from 'prettier';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  END,
  START,
  escapeCell,
  main,
  parseAction,
  renderActionDocs,
  replaceSection,
} from '../../scripts/action-docs.ts';

const script = resolve(import.meta.dirname, '../../scripts/action-docs.ts');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sample = `name: rekey sample
description: Does one thing | and another.
inputs:
  token:
    description: >-
      An App token with contents: write.
    required: true
  mode:
    description: |
      first line
      second | line
    required: false
    default: 'fast'
  path:
    description: Writes keys-manifest/<key-id>/out, see \`a|b\`.
    default: ''
  old:
    description: Was used once.
    deprecationMessage: Use mode instead.
outputs:
  outcome:
    description: converged or failed.
  count:
    description: How many.
runs:
  using: node24
  main: ../../dist/sample.js
`;

/** The cells of a GFM table row: split on pipes that are not escaped. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

function tableRows(markdown: string, firstCell: string): string[][] {
  return markdown
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map(cells)
    .filter((c) => c[0] === firstCell);
}

describe('escapeCell', () => {
  it.each([
    ['a | b', 'a \\| b'],
    ['one\ntwo', 'one<br>two'],
    ['one\r\ntwo\n\nthree', 'one<br>two<br>three'],
    ['keys-manifest/<key-id>/', 'keys-manifest/&lt;key-id>/'],
    ['`a|b` and `<x>`', '`a\\|b` and `<x>`'],
    ['unclosed `a<b', 'unclosed `a&lt;b'],
    ['  padded  ', 'padded'],
  ])('%j -> %j', (input, want) => {
    expect(escapeCell(input)).toBe(want);
  });
});

describe('renderActionDocs', () => {
  const doc = parseAction('sample', sample);
  const md = renderActionDocs([doc]);

  it('reads every input and output in declaration order', () => {
    expect(doc.inputs.map((i) => i.name)).toEqual(['token', 'mode', 'path', 'old']);
    expect(doc.inputs.map((i) => i.required)).toEqual([true, false, false, false]);
    expect(doc.inputs.map((i) => i.default)).toEqual([undefined, 'fast', '', undefined]);
    expect(doc.outputs.map((o) => o.name)).toEqual(['outcome', 'count']);
  });

  it('names the action, its folder and its description', () => {
    expect(md).toContain('### rekey sample');
    expect(md).toContain('`uses: ./actions/sample`');
    expect(md).toContain('(actions/sample/action.yml)');
    expect(md).toContain('Does one thing \\| and another.');
  });

  it('renders one table row per input with required and default', async () => {
    // Through Prettier, as the README is committed: the escaping must survive it.
    const formatted = await format(md, { parser: 'markdown' });
    for (const text of [md, formatted]) {
      const header = tableRows(text, 'input')[0];
      expect(header).toEqual(['input', 'required', 'default', 'description']);
      expect(tableRows(text, '`token`')[0]).toEqual([
        '`token`',
        'yes',
        '',
        'An App token with contents: write.',
      ]);
      expect(tableRows(text, '`mode`')[0]).toEqual([
        '`mode`',
        'no',
        '`fast`',
        'first line<br>second \\| line',
      ]);
      expect(tableRows(text, '`path`')[0]).toEqual([
        '`path`',
        'no',
        "`''`",
        'Writes keys-manifest/&lt;key-id>/out, see `a\\|b`.',
      ]);
      expect(tableRows(text, '`old`')[0]?.[3]).toBe(
        '**Deprecated:** Use mode instead.<br>Was used once.',
      );
      expect(tableRows(text, '`outcome`')[0]).toEqual(['`outcome`', 'converged or failed.']);
      // Every row has exactly its columns: no stray pipe or newline split a cell.
      for (const row of text.split('\n').filter((l) => l.startsWith('|')))
        expect([2, 4]).toContain(cells(row).length);
    }
  });

  it('says so when an action has no inputs or outputs', () => {
    const bare = parseAction(
      'bare',
      'name: bare\ndescription: d\nruns: {using: node24, main: x.js}',
    );
    const out = renderActionDocs([bare]);
    expect(out).toContain('No inputs.');
    expect(out).toContain('No outputs.');
  });

  it('sorts actions by folder', () => {
    const a = parseAction('b-second', 'name: B\ndescription: d\n');
    const b = parseAction('a-first', 'name: A\ndescription: d\n');
    const out = renderActionDocs([a, b]);
    expect(out.indexOf('### A')).toBeLessThan(out.indexOf('### B'));
  });

  it('refuses a file that is not action metadata, naming it', () => {
    expect(() => parseAction('x', 'name: x\ninputs: {a: 1}\n')).toThrow(/actions\/x\/action\.yml/);
  });
});

describe('replaceSection', () => {
  it('replaces only what is between the markers', () => {
    const readme = `# t\n\nbefore\n\n${START}\nold\n${END}\n\nafter\n`;
    const out = replaceSection(readme, 'new');
    expect(out).toBe(`# t\n\nbefore\n\n${START}\n\nnew\n\n${END}\n\nafter\n`);
  });

  it.each([
    ['no markers', '# t\n'],
    ['only the start', `# t\n${START}\n`],
    ['in the wrong order', `${END}\n${START}\n`],
  ])('throws with %s', (_name, readme) => {
    expect(() => replaceSection(readme, 'x')).toThrow(/markers/);
  });
});

describe('main: write and --check', () => {
  function repo(): string {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-action-docs-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'actions/sample'), { recursive: true });
    writeFileSync(join(dir, 'actions/sample/action.yml'), sample);
    // A folder without action.yml is not an action.
    mkdirSync(join(dir, 'actions/notes'));
    writeFileSync(
      join(dir, 'README.md'),
      `# t\n\n## Action inputs and outputs\n\n${START}\n${END}\n\nKept.\n`,
    );
    return dir;
  }

  it('fails --check on a stale README, writes it, then passes; a changed action.yml is stale again', async () => {
    const dir = repo();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await main(['--check'], dir)).toBe(1);
      expect(error).toHaveBeenCalledWith(expect.stringContaining('npm run docs:actions'));
      expect(await main([], dir)).toBe(0);
      const written = readFileSync(join(dir, 'README.md'), 'utf8');
      expect(written).toContain('### rekey sample');
      expect(written).toContain('Kept.');
      expect(written).not.toContain('notes');
      expect(await main(['--check'], dir)).toBe(0);
      // Writing again changes nothing.
      expect(await main([], dir)).toBe(0);
      expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe(written);

      writeFileSync(
        join(dir, 'actions/sample/action.yml'),
        sample.replace('How many.', 'How many keys.'),
      );
      expect(await main(['--check'], dir)).toBe(1);
      // A hand edit inside the section is stale too.
      await main([], dir);
      writeFileSync(
        join(dir, 'README.md'),
        readFileSync(join(dir, 'README.md'), 'utf8').replace('How many keys.', 'Edited.'),
      );
      expect(await main(['--check'], dir)).toBe(1);
    } finally {
      error.mockRestore();
    }
  });

  it('exits 1 from the command line when stale, 0 when current', async () => {
    const dir = repo();
    const run = promisify(execFile);
    const stale = await run(process.execPath, [script, '--check'], { cwd: dir }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect('code' in stale ? stale.code : 0).toBe(1);
    expect(stale.stderr).toContain('stale');
    await run(process.execPath, [script], { cwd: dir });
    const ok = await run(process.execPath, [script, '--check'], { cwd: dir });
    expect(ok.stderr).toBe('');
  });
});
