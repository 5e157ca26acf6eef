/**
 * A secret in transit to a target. Plan steps carry values in this wrapper so that nothing
 * printable (JSON.stringify, util.inspect, template strings, a thrown error that quotes a
 * step) can reveal one: every such path renders `[redacted]`. Only `text()` and `bytes()`
 * give the value out, and only adapters that write it to its destination call them.
 */
const REDACTED = '[redacted]';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class SecretValue {
  readonly #bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  static of(text: string): SecretValue {
    return new SecretValue(encoder.encode(text));
  }

  static fromBytes(bytes: Uint8Array): SecretValue {
    return new SecretValue(Uint8Array.from(bytes));
  }

  /** The value as UTF-8 text (throws on bytes that are not UTF-8). */
  text(): string {
    return decoder.decode(this.#bytes);
  }

  /** A copy of the bytes. */
  bytes(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }

  get length(): number {
    return this.#bytes.length;
  }

  /** Byte equality; the time taken depends on the length only, not on where they differ. */
  equals(other: SecretValue): boolean {
    const a = this.#bytes;
    const b = other.#bytes;
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
    return diff === 0;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}
