import type { SpawnGit } from './process.ts';
import { exited, GitReadError, spawnGit } from './process.ts';

/** One object as `git cat-file --batch` reports it. */
export interface BatchObject {
  readonly oid: string;
  readonly type: string;
  readonly content: Uint8Array;
}

const LF = 0x0a;

/**
 * Incremental parser for `git cat-file --batch` output. Each object is a header line
 * `<oid> SP <type> SP <size> LF`, then exactly `size` bytes, then LF; a missing object is
 * `<name> SP missing LF`. Contents are read by byte count, never by lines: blobs may hold
 * any bytes, newlines included. Each body is copied once into a buffer of its exact size,
 * so large blobs cost linear time however the stream is chunked.
 */
export class CatFileBatchParser {
  /** The header line read so far (`<oid> <type> <size>`, ASCII; git writes no other bytes). */
  private header = '';
  private body: Uint8Array | undefined;
  private filled = 0;
  private oid = '';
  private type = '';
  /** The LF after a body still to be consumed. */
  private trailer = false;
  private readonly onObject: (o: BatchObject) => void;
  private readonly onMissing: (name: string) => void;

  constructor(onObject: (o: BatchObject) => void, onMissing: (name: string) => void) {
    this.onObject = onObject;
    this.onMissing = onMissing;
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.trailer) {
        if (chunk[i] !== LF)
          throw new GitReadError('bad-output', 'cat-file: expected LF after object');
        this.trailer = false;
        i++;
      } else if (this.body !== undefined) {
        const n = Math.min(this.body.length - this.filled, chunk.length - i);
        this.body.set(chunk.subarray(i, i + n), this.filled);
        this.filled += n;
        i += n;
        if (this.filled === this.body.length) this.finishBody();
      } else {
        const end = chunk.indexOf(LF, i);
        const stop = end === -1 ? chunk.length : end;
        this.header += Buffer.from(chunk.buffer, chunk.byteOffset + i, stop - i).toString('latin1');
        if (this.header.length > 1024)
          throw new GitReadError('bad-output', 'cat-file: header line too long');
        i = stop;
        if (end !== -1) {
          i++;
          this.startObject(this.header);
          this.header = '';
        }
      }
    }
  }

  /** Throws when the stream stopped in the middle of an object. */
  end(): void {
    if (this.header.length > 0 || this.body !== undefined || this.trailer)
      throw new GitReadError('bad-output', 'cat-file: output ended in the middle of an object');
  }

  private startObject(line: string): void {
    const parts = line.split(' ');
    if (parts.length === 2 && parts[1] === 'missing') {
      this.onMissing(parts[0]!);
      return;
    }
    const size = parts.length === 3 ? Number(parts[2]) : NaN;
    if (!Number.isSafeInteger(size) || size < 0)
      throw new GitReadError('bad-output', `cat-file: unexpected header ${JSON.stringify(line)}`);
    this.oid = parts[0]!;
    this.type = parts[1]!;
    this.body = new Uint8Array(size);
    this.filled = 0;
    if (size === 0) this.finishBody();
  }

  private finishBody(): void {
    const content = this.body!;
    this.body = undefined;
    this.trailer = true;
    this.onObject({ oid: this.oid, type: this.type, content });
  }
}

export interface CatFileOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly spawn?: SpawnGit;
}

const OID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** Blobs requested one by one while other work goes on, read by ONE `git cat-file` process. */
export interface BlobReader {
  /** Ask for a blob; repeated ids are asked for once. Starts the process on first use. */
  request(oid: string): void;
  /** No more requests: wait for every requested blob. */
  close(): Promise<Map<string, Uint8Array>>;
  /** Give up (the caller failed elsewhere): stop the process, if any. */
  abort(): void;
}

/**
 * A {@link BlobReader} over one `git cat-file --batch --buffer` process. Requests are
 * written as they come, so reading blobs overlaps whatever produces their ids (history
 * indexing feeds it from `git log` output as that streams in). A missing or non-blob object
 * is an error: the caller asks for blobs it saw in a tree or a diff, so either means the
 * repository changed under us or is corrupt.
 */
export function openBlobReader(repoDir: string, options: CatFileOptions = {}): BlobReader {
  const requested = new Set<string>();
  const blobs = new Map<string, Uint8Array>();
  const problems: GitReadError[] = [];
  let child: ReturnType<SpawnGit> | undefined;
  let finished: Promise<void> | undefined;
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0 || !child) return;
    child.stdin.write(pending.join('\n') + '\n');
    pending = [];
  };

  const start = () => {
    const c = (options.spawn ?? spawnGit)(['cat-file', '--batch', '--buffer'], {
      cwd: repoDir,
      env: options.env,
    });
    const stderr: Buffer[] = [];
    c.stderr.on('data', (b: Buffer) => stderr.push(b));
    const parser = new CatFileBatchParser(
      (o) => {
        if (o.type !== 'blob')
          problems.push(new GitReadError('bad-output', `${o.oid} is a ${o.type}, not a blob`));
        else blobs.set(o.oid, o.content);
      },
      (name) => problems.push(new GitReadError('bad-output', `object ${name} is missing`)),
    );
    const parsed = new Promise<void>((resolve, reject) => {
      c.stdout.on('data', (b: Buffer) => {
        try {
          parser.push(b);
        } catch (e) {
          c.kill();
          reject(e);
        }
      });
      c.stdout.once('end', () => {
        try {
          parser.end();
          resolve();
        } catch (e) {
          reject(e);
        }
      });
    });
    finished = Promise.all([parsed, exited(c, 'git cat-file --batch', stderr)]).then(() => {});
    // Held until close(); an early failure must not surface as an unhandled rejection.
    finished.catch(() => {});
    // An EPIPE on stdin surfaces through the exit status.
    c.stdin.on('error', () => {});
    return c;
  };

  return {
    request(oid) {
      if (!OID.test(oid))
        throw new GitReadError('bad-output', `not an object id: ${JSON.stringify(oid)}`);
      if (requested.has(oid)) return;
      requested.add(oid);
      child ??= start();
      // Requests arrive in bursts (one per raw line of a log chunk): write each burst once.
      pending.push(oid);
      if (pending.length === 1) queueMicrotask(flush);
    },
    async close() {
      if (!child) return blobs;
      flush();
      child.stdin.end();
      await finished;
      if (problems.length > 0) throw problems[0];
      if (blobs.size !== requested.size)
        throw new GitReadError(
          'bad-output',
          `cat-file returned ${blobs.size} of ${requested.size} blobs`,
        );
      return blobs;
    },
    abort() {
      child?.kill();
    },
  };
}

/** Read many blobs through ONE `git cat-file --batch` process (see {@link openBlobReader}). */
export async function readBlobs(
  repoDir: string,
  oids: Iterable<string>,
  options: CatFileOptions = {},
): Promise<Map<string, Uint8Array>> {
  const reader = openBlobReader(repoDir, options);
  try {
    for (const oid of oids) reader.request(oid);
  } catch (e) {
    reader.abort();
    throw e;
  }
  return reader.close();
}
