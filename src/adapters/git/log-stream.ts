/**
 * First-parent history as a stream: one `git log -z --raw` and one `git cat-file --batch`
 * beside it, each commit handed over in log order with the blobs it asked for as soon as they
 * are read, and then dropped. Memory holds the commits between the
 * log and cat-file (bounded: the log is paused while too many wait), never the whole log nor
 * every blob history ever had: a history index costs what its timelines cost, however many
 * commits it folds.
 *
 * Records are NUL-separated as {@link parseRawLog} in history.ts reads them; cat-file answers
 * in request order, so a commit's blobs are the next ones it delivers (their ids are checked).
 * A blob read twice in history is asked for twice: nothing is cached across commits.
 */
import { CatFileBatchParser } from './cat-file.ts';
import type { CatFileOptions } from './cat-file.ts';
import { exited, GitReadError, spawnGit } from './process.ts';

export interface RawChange {
  readonly oldMode: string;
  readonly newMode: string;
  readonly oldOid: string;
  readonly newOid: string;
  readonly status: string;
  readonly path: string;
}

export interface StreamedCommit {
  readonly sha: string;
  readonly time: string;
  readonly author: string;
  /** The header fields after `%an <%ae>`, as many as `extra`. */
  readonly fields: readonly string[];
  readonly changes: RawChange[];
}

export interface LogStream {
  /** `git log` arguments. */
  readonly args: readonly string[];
  /**
   * Oldest first (`--reverse`). git then walks the whole history before its first line, so
   * cat-file cannot overlap the walk: newest first (the default) is faster when the caller
   * can keep what it needs of each commit and fold it afterwards.
   */
  readonly reverse?: boolean;
  /** Header fields after `%H%x00%ct%x00%an <%ae>`. */
  readonly extra: number;
  /** The blob ids a commit needs, in order. */
  wants(commit: StreamedCommit): string[];
  /** A commit, in log order, with the blobs `wants` named (id -> content). */
  onCommit(commit: StreamedCommit, blobs: ReadonlyMap<string, Uint8Array>): void;
}

const RAW_LINE = /^:([0-7]{6}) ([0-7]{6}) ([0-9a-f]{40,64}) ([0-9a-f]{40,64}) ([A-Z])\d*$/;
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const OID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** Commits parsed but still waiting for blobs before the log is paused. */
const HIGH_WATER = 4096;
const LOW_WATER = 1024;
/** Blob ids sent to cat-file together: one write per a few hundred, not one per log chunk. */
const FLUSH_AT = 512;
const NEWLINE = 10;

/** Incremental `git log -z` records: the same grammar as history.ts's parseRawLog. */
class RecordParser {
  private commit: StreamedCommit | undefined;
  private header: string[] | undefined;
  private raw: RegExpExecArray | undefined;
  private record = 0;
  private readonly extra: number;
  private readonly emit: (c: StreamedCommit) => void;

  constructor(extra: number, emit: (c: StreamedCommit) => void) {
    this.extra = extra;
    this.emit = emit;
  }

  private bad(what: string) {
    return new GitReadError('bad-output', `git log: ${what} at record ${this.record}`);
  }

  token(raw: string): void {
    this.record++;
    if (this.header !== undefined) {
      this.header.push(raw);
      if (this.header.length === 3 + this.extra) this.startCommit(this.header);
      return;
    }
    if (this.raw !== undefined) {
      const m = this.raw;
      this.raw = undefined;
      this.commit!.changes.push({
        oldMode: m[1]!,
        newMode: m[2]!,
        oldOid: m[3]!,
        newOid: m[4]!,
        status: m[5]!,
        path: raw,
      });
      return;
    }
    // The newline git prints between a commit's raw lines and the next header (no regex:
    // this runs for every header and raw line).
    let lead = 0;
    while (raw.charCodeAt(lead) === NEWLINE) lead++;
    const token = lead === 0 ? raw : raw.slice(lead);
    if (token.startsWith('\x01')) {
      if (this.commit) this.emit(this.commit);
      this.commit = undefined;
      this.header = [token.slice(1)];
    } else if (token.startsWith(':')) {
      const m = RAW_LINE.exec(token);
      if (!m || this.commit === undefined) throw this.bad('malformed raw diff line');
      this.raw = m;
    } else throw this.bad('unexpected record');
  }

  private startCommit([sha, ct, author, ...fields]: string[]): void {
    this.header = undefined;
    const seconds = Number(ct);
    if (!SHA.test(sha!) || !Number.isSafeInteger(seconds) || author === undefined)
      throw this.bad('malformed commit header');
    const time = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.commit = { sha: sha!, time, author, fields, changes: [] };
  }

  /** The text after the last NUL (a newline at most) and the last commit. */
  end(rest: string): void {
    if (rest.replace(/^\n+/, '') !== '') this.token(rest);
    if (this.header !== undefined) throw this.bad('malformed commit header');
    if (this.raw !== undefined) throw this.bad('malformed raw diff line');
    if (this.commit) this.emit(this.commit);
    this.commit = undefined;
  }
}

export interface StreamOptions extends CatFileOptions {
  /** Aborting stops both git processes; the stream then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Runs the log and cat-file; resolves once every commit was handed to `onCommit`. */
export async function streamLog(
  repoDir: string,
  ref: string,
  stream: LogStream,
  options: StreamOptions = {},
): Promise<void> {
  options.signal?.throwIfAborted();
  if (ref === '' || ref.startsWith('-') || /[\0\n]/.test(ref))
    throw new GitReadError('unknown-ref', `not a usable ref: ${JSON.stringify(ref)}`);
  const spawn = options.spawn ?? spawnGit;
  const [first, ...rest] = stream.args;
  const args = stream.reverse ? [first!, '--reverse', ...rest] : [...stream.args];
  const log = spawn(args, { cwd: repoDir, env: options.env });
  let cat: ReturnType<typeof spawnGit> | undefined;
  let failure: unknown;
  const fail = (e: unknown) => {
    failure ??= e;
    log.kill();
    cat?.kill();
  };
  const onAbort = () => fail(options.signal!.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  /** Commits waiting for blobs, oldest first, and the blobs delivered for the first of them. */
  const waiting: ({ commit: StreamedCommit; oids: string[] } | undefined)[] = [];
  let head = 0;
  let delivered = new Map<string, Uint8Array>();
  let got = 0;
  let paused = false;
  const drain = () => {
    while (head < waiting.length) {
      // Once the stream failed or was aborted (an onCommit may abort it), no further commit
      // is handed over, even from output already read: one chunk can hold many of them.
      if (failure !== undefined) return;
      const w = waiting[head]!;
      if (got < w.oids.length) return;
      // Its slot is cleared at once: a commit handed over is garbage now, not after the next
      // splice (held there, thousands of them outlived young collections and were promoted).
      waiting[head++] = undefined;
      const blobs = delivered;
      delivered = new Map();
      got = 0;
      stream.onCommit(w.commit, blobs);
      if (head > 1024 && head * 2 > waiting.length) {
        waiting.splice(0, head);
        head = 0;
      }
    }
    if (paused && waiting.length - head < LOW_WATER) {
      paused = false;
      log.stdout.resume();
    }
  };

  let requests: string[] = [];
  const flush = () => {
    if (requests.length > 0 && cat) cat.stdin.write(requests.join('\n') + '\n');
    requests = [];
  };
  const catErr: Buffer[] = [];
  let catDone: Promise<void> = Promise.resolve();
  const startCat = () => {
    const c = spawn(['cat-file', '--batch', '--buffer'], { cwd: repoDir, env: options.env });
    c.stderr.on('data', (b: Buffer) => catErr.push(b));
    c.stdin.on('error', () => {}); // an EPIPE surfaces through the exit status
    const parser = new CatFileBatchParser(
      (o) => {
        const want = waiting[head]?.oids[got];
        if (o.type !== 'blob')
          throw new GitReadError('bad-output', `${o.oid} is a ${o.type}, not a blob`);
        if (want !== o.oid)
          throw new GitReadError(
            'bad-output',
            `cat-file answered ${o.oid}, not ${want ?? 'nothing'}`,
          );
        delivered.set(o.oid, o.content);
        got++;
        drain();
      },
      (name) => {
        throw new GitReadError('bad-output', `object ${name} is missing`);
      },
    );
    const parsed = new Promise<void>((resolve) => {
      c.stdout.on('data', (b: Buffer) => {
        if (failure !== undefined) return;
        try {
          parser.push(b);
        } catch (e) {
          fail(e);
        }
      });
      c.stdout.once('end', () => {
        try {
          if (failure === undefined) parser.end();
        } catch (e) {
          fail(e);
        }
        resolve();
      });
    });
    catDone = Promise.all([parsed, exited(c, 'git cat-file --batch', catErr)]).then(() => {});
    // A cat-file that fails stops the log too (it may be paused, waiting for blobs).
    catDone.catch(fail);
    return c;
  };

  const records = new RecordParser(stream.extra, (commit) => {
    const oids = stream.wants(commit);
    for (const oid of oids) {
      if (!OID.test(oid))
        throw new GitReadError('bad-output', `not an object id: ${JSON.stringify(oid)}`);
      cat ??= startCat();
      requests.push(oid);
    }
    waiting.push({ commit, oids });
    if (oids.length === 0) drain();
    else if (!paused && waiting.length - head > HIGH_WATER) {
      paused = true;
      log.stdout.pause();
    }
  });

  const logErr: Buffer[] = [];
  log.stderr.on('data', (b: Buffer) => logErr.push(b));
  log.stdin.end();
  let carry: Buffer | undefined;
  log.stdout.on('data', (chunk: Buffer) => {
    if (failure !== undefined) return;
    try {
      const data = carry ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      for (let nul = data.indexOf(0, start); nul !== -1; nul = data.indexOf(0, start)) {
        records.token(data.toString('utf8', start, nul));
        start = nul + 1;
      }
      carry = start < data.length ? data.subarray(start) : undefined;
      if (paused || requests.length >= FLUSH_AT) flush();
    } catch (e) {
      fail(e);
    }
  });
  try {
    await exited(log, 'git log --first-parent', logErr);
  } catch (e) {
    fail(e);
  }
  if (failure === undefined)
    try {
      records.end(carry ? carry.toString('utf8') : '');
      flush();
    } catch (e) {
      fail(e);
    }
  cat?.stdin.end();
  await catDone.catch((e: unknown) => fail(e));
  options.signal?.removeEventListener('abort', onAbort);
  if (failure !== undefined) throw failure;
  if (head < waiting.length)
    throw new GitReadError(
      'bad-output',
      `cat-file ended with ${waiting.length - head} commit(s) unread`,
    );
}
