/**
 * Proof of a write rekey made: kept by the caller between runs (receipts.json on the state
 * ref). `kind`, `key` and `version` are absent in receipts stored before rekey recorded them:
 * such a receipt is a secret's, of an unknown key and version.
 */
export interface SecretReceipt {
  readonly kind?: 'github-secret';
  readonly scope: string;
  readonly name: string;
  readonly fingerprint: string;
  /** `updated_at` GitHub reported right after the write. */
  readonly updatedAt: string;
  /** The key and version written (absent in old receipts). */
  readonly key?: string;
  readonly version?: number;
}

/** A deploy key rekey added (or found, titled as its own) for `key` on `repository`. */
export interface DeployKeyReceipt {
  readonly kind: 'github-deploy-key';
  readonly repository: string;
  readonly key: string;
  readonly version: number;
  /** GitHub's id of the deploy key and its title, `<title> (rekey <key> v<N>)`. */
  readonly id: number;
  readonly title: string;
}

export type Receipt = SecretReceipt | DeployKeyReceipt;

export const isSecretReceipt = (r: Receipt): r is SecretReceipt => r.kind !== 'github-deploy-key';
