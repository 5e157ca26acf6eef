import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchObject } from '../../../src/adapters/git/cat-file.ts';
import {
  CatFileBatchParser,
  openBlobReader,
  readBlobs,
} from '../../../src/adapters/git/cat-file.ts';
import { GitReadError } from '../../../src/adapters/git/process.ts';
import { countingSpawn, TempRepo } from './repo-fixture.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
// Bodies full of the bytes a line-based parser would trip over: LF, NUL, a fake header.
const bodyA = Buffer.from(`line1\n\n${B} blob 3\nxyz\n\0`);
const bodyB = Buffer.alloc(0);
const stream = Buffer.concat([
  Buffer.from(`${A} blob ${bodyA.length}\n`),
  bodyA,
  Buffer.from('\n'),
  Buffer.from(`${C} missing\n`),
  Buffer.from(`${B} blob 0\n`),
  bodyB,
  Buffer.from('\n'),
]);

function parse(chunks: Uint8Array[]) {
  const objects: BatchObject[] = [];
  const missing: string[] = [];
  const p = new CatFileBatchParser(
    (o) => objects.push(o),
    (m) => missing.push(m),
  );
  for (const c of chunks) p.push(c);
  p.end();
  return { objects, missing };
}

describe('CatFileBatchParser', () => {
  it.each([
    ['one chunk', [stream]],
    ['byte by byte', [...stream].map((b) => Uint8Array.of(b))],
    [
      '7-byte chunks',
      Array.from({ length: Math.ceil(stream.length / 7) }, (_, i) =>
        stream.subarray(i * 7, i * 7 + 7),
      ),
    ],
  ])('reads objects by byte length (%s)', (_name, chunks) => {
    const { objects, missing } = parse(chunks);
    expect(objects.map((o) => [o.oid, o.type, Buffer.from(o.content).toString('hex')])).toEqual([
      [A, 'blob', bodyA.toString('hex')],
      [B, 'blob', ''],
    ]);
    expect(missing).toEqual([C]);
  });

  it('rejects output that ends inside an object', () => {
    expect(() => parse([stream.subarray(0, 50)])).toThrow(GitReadError);
  });

  it('rejects a body not followed by LF', () => {
    const bad = Buffer.from(`${A} blob 1\nxy`);
    expect(() => parse([bad])).toThrow(/expected LF/);
  });

  it('rejects a malformed header', () => {
    expect(() => parse([Buffer.from('garbage here\n')])).toThrow(/unexpected header/);
  });
});

describe('openBlobReader', () => {
  let repo: TempRepo;
  let blob: string;
  beforeAll(() => {
    repo = new TempRepo();
    repo.commit({ 'a.txt': 'hello\n' }, 'one', '2026-01-01T00:00:00Z');
    blob = repo.git(['rev-parse', 'HEAD:a.txt']).trim();
  });
  afterAll(() => repo.remove());

  it('reads requested blobs once each, in one process', async () => {
    const { spawn, calls } = countingSpawn();
    const reader = openBlobReader(repo.dir, { spawn });
    reader.request(blob);
    reader.request(blob);
    const blobs = await reader.close();
    expect([...blobs.keys()]).toEqual([blob]);
    expect(Buffer.from(blobs.get(blob)!).toString()).toBe('hello\n');
    expect(calls).toHaveLength(1);
  });

  it('starts no process when nothing is asked for', async () => {
    const { spawn, calls } = countingSpawn();
    expect((await openBlobReader(repo.dir, { spawn }).close()).size).toBe(0);
    expect(calls).toHaveLength(0);
  });

  it('fails on a missing object and on a non-blob', async () => {
    const missing = openBlobReader(repo.dir);
    missing.request('0'.repeat(40));
    await expect(missing.close()).rejects.toThrow(/missing/);
    const tree = repo.git(['rev-parse', 'HEAD^{tree}']).trim();
    await expect(readBlobs(repo.dir, [tree])).rejects.toThrow(/not a blob/);
  });

  it('refuses something that is not an object id before starting git', () => {
    const { spawn, calls } = countingSpawn();
    expect(() => openBlobReader(repo.dir, { spawn }).request('HEAD')).toThrow(GitReadError);
    expect(calls).toHaveLength(0);
  });
});
