/**
 * Why stored or generated key material was rejected. The codes are stable (callers branch
 * on them); the messages are fixed sentences that describe the shape that was expected and
 * never quote the material, because the material is a secret and these messages end up in
 * logs, job summaries and issues.
 */
export type MaterialProblem =
  /** The `secret` text is not the format this key type stores (see docs/key-types.md). */
  | 'secret-malformed'
  /** The `public` text is not the format this key type publishes. */
  | 'public-malformed'
  /** The key type has a public part, but the material has none. */
  | 'public-missing'
  /** The key type has no public part (random), but the material has one. */
  | 'public-unexpected'
  /** Secret and public parse, but belong to different keys. */
  | 'mismatch'
  /** A random key's options (bytes, encoding) are needed and were not given or are invalid. */
  | 'options-invalid';

export class KeyMaterialError extends Error {
  override readonly name = 'KeyMaterialError';
  readonly problem: MaterialProblem;
  constructor(problem: MaterialProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}
