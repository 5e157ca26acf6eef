/**
 * IVs come from blocks of CSPRNG output (aes.ts freshIv): each is 32 bytes, none repeats,
 * and one handed out never changes when later IVs (and later blocks) are cut.
 */
import { describe, expect, it } from 'vitest';
import { freshIv, IV_BYTES, open, parseEnc, seal } from '../../../src/crypto/sops/aes.ts';

describe('freshIv', () => {
  it('gives distinct 32-byte IVs that stay as they were handed out', () => {
    const first = freshIv();
    const copy = Uint8Array.from(first);
    const seen = new Set<string>([Buffer.from(first).toString('hex')]);
    // Several blocks' worth (128 IVs per block).
    for (let i = 0; i < 1000; i++) {
      const iv = freshIv();
      expect(iv.length).toBe(IV_BYTES);
      seen.add(Buffer.from(iv).toString('hex'));
    }
    expect(seen.size).toBe(1001);
    expect(first).toEqual(copy);
  });

  it('seals every value under its own IV, and the value opens', () => {
    const key = new Uint8Array(32).fill(7);
    const encs = Array.from({ length: 300 }, () => seal(key, Buffer.from('x'), 'a:', 'str'));
    const ivs = new Set(encs.map((e) => Buffer.from(parseEnc(e)!.iv).toString('hex')));
    expect(ivs.size).toBe(300);
    for (const e of encs) expect(Buffer.from(open(key, parseEnc(e)!, 'a:')!).toString()).toBe('x');
  });
});
