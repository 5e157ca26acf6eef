/**
 * Byte- and text-level checks that run before the YAML parser sees anything, and the
 * offset -> line/column mapping used to locate findings.
 */

import type { Findings } from './findings.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes strict UTF-8 (a leading BOM is dropped); undefined when the bytes are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function hasBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * Offset of the first byte that is not part of a well-formed UTF-8 sequence (RFC 3629:
 * no overlongs, no surrogates, nothing above U+10FFFF), or -1. Only called after the fast
 * decoder has already failed, to say where.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + len > n) return i;
    const second = bytes[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k < len; k++) {
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += len;
  }
  return -1;
}

/** 1-based line and column of a byte offset, counting columns in bytes (for encoding errors). */
export function bytePosition(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Maps string offsets to 1-based line and column (columns count UTF-16 code units, as
 * editors and GitHub annotations do for the BMP). The line table is built on first use, so a
 * file without findings never pays for it.
 */
export class LineIndex {
  readonly #text: string;
  #starts: number[] | undefined;
  constructor(text: string) {
    this.#text = text;
  }
  position(offset: number): { line: number; column: number } {
    const starts = (this.#starts ??= lineStarts(this.#text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * The checks on a YAML file's bytes, before any parser sees them, shared by the deciding
 * loader and the locator so both refuse the same bytes the same way: the size cap first
 * (nothing of an oversized file is decoded), a BOM, invalid UTF-8, CR line endings.
 * Undefined when the file cannot be read as text (the finding is added).
 */
export function readYamlText(
  bytes: Uint8Array,
  maxBytes: number,
  findings: Findings,
): { text: string; lines: LineIndex } | undefined {
  if (bytes.length > maxBytes) {
    findings.add(
      'yaml/too-large',
      `file is ${bytes.length} bytes; the limit is ${maxBytes} bytes`,
      {
        line: 0,
        column: 0,
      },
    );
    return undefined;
  }
  if (hasBom(bytes))
    findings.add('yaml/bom', 'file starts with a UTF-8 byte order mark; save it without BOM', {
      line: 1,
      column: 1,
    });
  const text = decodeUtf8(bytes);
  if (text === undefined) {
    const at = bytePosition(bytes, Math.max(0, firstInvalidUtf8(bytes)));
    findings.add('yaml/encoding', 'invalid UTF-8 byte sequence; save the file as UTF-8', at);
    return undefined;
  }
  const lines = new LineIndex(text);
  const cr = text.indexOf('\r');
  if (cr !== -1)
    findings.add(
      'yaml/crlf',
      'carriage return found (CRLF or CR line endings); use LF line endings',
      lines.position(cr),
    );
  return { text, lines };
}
