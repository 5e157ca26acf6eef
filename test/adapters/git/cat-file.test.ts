import { describe, expect, it } from 'vitest';
import type { BatchObject } from '../../../src/adapters/git/cat-file.ts';
import { CatFileBatchParser } from '../../../src/adapters/git/cat-file.ts';
import { GitReadError } from '../../../src/adapters/git/process.ts';

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
