// src/cli/heap.ts keeps V8's young generation at its initial size in the CLI process (the
// semi-spaces otherwise grow to their maximum under the YAML loader's garbage and stay).
// Observed from outside: a child that allocates many short-lived objects while holding some,
// then reports how big its new space became.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const heap = pathToFileURL(join(resolve(import.meta.dirname, '../..'), 'src/cli/heap.ts')).href;
const probe = (load: boolean, nodeOptions = '') =>
  Number(
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `${load ? `await import(${JSON.stringify(heap)});` : ''}
         const v8 = await import('node:v8');
         const keep = [];
         for (let i = 0; i < 2e6; i++) { const o = { a: 'x' + i, b: [i] }; if (i % 4 === 0) keep.push(o); }
         const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
         console.log(s.space_size, keep.length);`,
      ],
      { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: nodeOptions } },
    ).split(' ')[0],
  );

describe('the CLI heap settings', () => {
  it('keep the new space small where it would otherwise grow', () => {
    const grown = probe(false);
    const kept = probe(true);
    expect(grown).toBeGreaterThan(4 * kept);
  });

  it('give way to a semi-space flag in NODE_OPTIONS', () => {
    const kept = probe(true);
    expect(probe(true, '--max-semi-space-size=16')).toBeGreaterThan(4 * kept);
  });
});
