/** The shared real sops fixtures (../shared/fixtures/sops), read in place, never copied. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES = path.resolve(import.meta.dirname, '../../../../shared/fixtures/sops');
export const HAVE_FIXTURES = existsSync(path.join(FIXTURES, 'MANIFEST.json'));
if (!HAVE_FIXTURES) console.warn(`skipping sops fixture tests: ${FIXTURES} is absent`);

export interface Leaf {
  readonly aad: string;
  readonly type: string;
  readonly plaintext?: string;
  readonly macBytes?: string;
}
export interface FixtureEntry {
  readonly file: string;
  readonly format: 'yaml' | 'json' | 'dotenv' | 'ini' | 'binary';
  readonly keyFiles: readonly string[];
  readonly dataKeyHex: string;
  readonly macOK: boolean;
  readonly mac: string | null;
  readonly computedMac: string;
  readonly reencryptByteExact: readonly [boolean, number];
  readonly encryptedComments: readonly { aad: string; text: string }[];
  readonly leaves: readonly Leaf[];
  readonly expectedPlaintext: unknown;
  readonly recipients: readonly { age: string[]; pgp: string[] }[];
}

export const manifest = (): FixtureEntry[] =>
  HAVE_FIXTURES
    ? (JSON.parse(readFileSync(path.join(FIXTURES, 'MANIFEST.json'), 'utf8')) as FixtureEntry[])
    : [];

export const fixtureBytes = (file: string): Buffer => readFileSync(path.join(FIXTURES, file));

/** The age identities in a fixture's key files (PGP key files yield none). */
export function ageKeys(e: FixtureEntry): string[] {
  return e.keyFiles
    .filter((k) => k.endsWith('.txt'))
    .flatMap((k) => readFileSync(path.join(FIXTURES, k), 'utf8').split('\n'))
    .map((l) => l.trim())
    .filter((l) => l.startsWith('AGE-SECRET-KEY-'));
}
