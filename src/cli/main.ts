#!/usr/bin/env node
// The `rekey` command line: every action's use case, runnable from a laptop when Actions is
// down. Thin: parse, dispatch, map errors to exit codes (0 clean, 1 findings, 2 usage or
// configuration error).
import { EXIT, UsageError, type CliIo } from './args.ts';
import { commands, type CommandEntry } from './commands/index.ts';
import { InvalidInputError } from '../core/diagnostics.ts';

const VERSION = '0.1.0';

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'rekey: GitOps key rotation driven by pull requests',
    '',
    'Usage: rekey <command> [options]     rekey <command> --help for its options',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 clean, 1 findings (violations, an invalid manifest, a failed check), 2 usage or configuration error.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    io.stdout(`${VERSION}\n`);
    return EXIT.ok;
  }
  const entry: CommandEntry | undefined = commands.find((c) => c.name === name);
  try {
    if (!entry) throw new UsageError(`unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(command.help);
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof InvalidInputError) {
      io.stderr(`${e.message}\n`);
      return EXIT.usage;
    }
    // Unexpected failures: the message only. Errors in rekey never carry secret material,
    // but a stack trace adds nothing for the user and is noise in CI logs.
    io.stderr(`rekey ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.usage;
  }
}
