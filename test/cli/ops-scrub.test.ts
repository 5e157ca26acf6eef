// The CLI's `mask`: every value a command masks is replaced in each line before it is printed,
// on stdout and stderr, wherever it appears in the line and however often.
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/args.ts';
import { cliHolder, scrubber } from '../../src/cli/github.ts';

function io() {
  const out = { stdout: '', stderr: '' };
  const cli: CliIo = {
    cwd: '/',
    env: {},
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    stdin: async () => new Uint8Array(),
    now: () => new Date(0),
    isTty: false,
  };
  return { out, cli };
}

describe('scrubber', () => {
  it.each([
    ['a masked value', ['s3cr3t-value'], 'x s3cr3t-value y', 'x *** y'],
    ['every occurrence', ['abcd1234'], 'abcd1234/abcd1234', '***/***'],
    ['several values', ['first-secret', 'second-secret'], 'first-secret second-secret', '*** ***'],
    ['nothing masked', [], 'plain line', 'plain line'],
    ['not values under 4 characters (they would blank ordinary words)', ['ab'], 'ab cd', 'ab cd'],
  ])('%s', (_, masked, line, printed) => {
    const { out, cli } = io();
    const s = scrubber(cli);
    for (const m of masked) s.mask(m);
    s.stdout(`${line}\n`);
    s.stderr(`${line}\n`);
    expect(out).toEqual({ stdout: `${printed}\n`, stderr: `${printed}\n` });
  });

  it('masks values given after the scrubber was made (the command masks as it decrypts)', () => {
    const { out, cli } = io();
    const s = scrubber(cli);
    s.stdout('before a-late-secret\n');
    s.mask('a-late-secret');
    s.stdout('after a-late-secret\n');
    expect(out.stdout).toBe('before a-late-secret\nafter ***\n');
  });
});

describe('cliHolder', () => {
  it('names the user, the host and this process', () => {
    expect(cliHolder()).toMatch(new RegExp(`^cli:[^@]+@[^:]+:${process.pid}$`));
  });
});
