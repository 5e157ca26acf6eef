import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how rekey was called: exit code 2, with the command's help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What every subcommand module exports. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** The process surface a command may use; tests substitute it. */
export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Text, or bytes written as they are (`sops decrypt` of a binary file). */
  readonly stdout: (text: string | Uint8Array) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: () => Promise<Uint8Array>;
  readonly now: () => Date;
  readonly isTty: boolean;
}

export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

type Options = NonNullable<ParseArgsConfig['options']>;

/** util.parseArgs, strict, with errors turned into UsageError naming the command. */
export function parse<O extends Options>(
  command: string,
  argv: string[],
  options: O,
  positionals = 0,
) {
  try {
    const parsed = parseArgs({
      args: argv,
      options,
      strict: true,
      allowPositionals: positionals > 0,
    });
    if (parsed.positionals.length > positionals)
      throw new UsageError(
        `unexpected argument ${JSON.stringify(parsed.positionals[positionals])}`,
      );
    return parsed;
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`rekey ${command}: ${e.message}`);
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(`rekey ${command}: ${(e as Error).message}`);
    throw e;
  }
}

/** `--now` for reproducible plans: an ISO 8601 time with an explicit zone. */
export function parseNow(value: string | undefined, io: CliIo): Date {
  if (value === undefined) return io.now();
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value))
    throw new UsageError(
      `--now expects an ISO 8601 time like 2026-11-20T09:00:00Z, not ${JSON.stringify(value)}`,
    );
  const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime()))
    throw new UsageError(`--now: not a real time: ${JSON.stringify(value)}`);
  return d;
}
