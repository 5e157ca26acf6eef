/**
 * A last line of defence against a private key committed in clear: scan the text of every
 * added or changed file under keys-manifest/ and policies/ (and .sops.yaml) for the markers
 * private keys carry in their usual encodings. A structural check (material-content.ts)
 * already requires `secret` to be ciphertext; this scan also covers comments, descriptions,
 * stray files and fields nobody thought of.
 *
 * The scan reports where, never what: a finding names file, line and column and the kind
 * of marker, and never quotes the line.
 */
import type { Diagnostic } from '../diagnostics.ts';
import { violation } from '../lifecycle/rules.ts';

const MARKERS: readonly { re: RegExp; what: string }[] = [
  // PEM: PKCS#8, PKCS#1 RSA, SEC1 EC, OpenSSH, encrypted PKCS#8, DSA.
  { re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, what: 'a PEM private key' },
  // OpenPGP secret keys (gpg --export-secret-keys --armor).
  { re: /-----BEGIN PGP PRIVATE KEY BLOCK-----/, what: 'a PGP private key' },
  // age identities, X25519 and post-quantum hybrid; and plugin identities.
  { re: /AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]/, what: 'an age identity (AGE-SECRET-KEY-1...)' },
  { re: /AGE-PLUGIN-[0-9A-Z-]+1[0-9A-Z]/, what: 'an age plugin identity' },
  // PuTTY private key files.
  { re: /PuTTY-User-Key-File-[0-9]+:/, what: 'a PuTTY private key' },
  // A whole PEM file base64-encoded once (as Kubernetes secrets and env files carry them):
  // the encoded private headers, at the start of the encoded text.
  {
    re: new RegExp(
      [
        'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t', // -----BEGIN PRIVATE KEY-----
        'LS0tLS1CRUdJTiBPUEVOU1NIIFBSSVZBVEUgS0VZLS0t', // -----BEGIN OPENSSH PRIVATE KEY-----
        'LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0t', // -----BEGIN RSA PRIVATE KEY-----
        'LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t', // -----BEGIN EC PRIVATE KEY-----
        'LS0tLS1CRUdJTiBFTkNSWVBURUQgUFJJVkFURSBLRVktLS0t', // -----BEGIN ENCRYPTED PRIVATE KEY-----
        'QUdFLVNFQ1JFVC1LRVkt', // AGE-SECRET-KEY-
      ].join('|'),
    ),
    what: 'a base64-encoded private key',
  },
];

/** Files the scan applies to: manifest, policies and the sops configuration. */
export function isScannedPath(path: string): boolean {
  return path.startsWith('keys-manifest/') || path.startsWith('policies/') || path === '.sops.yaml';
}

/** Every marker in `text`, one finding per line and kind (a PEM block counts once). */
export function scanForPrivateKeys(file: string, text: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    for (const m of MARKERS) {
      const hit = m.re.exec(line);
      if (hit === null) continue;
      out.push(
        violation(
          'verify/plaintext-private-key',
          `${file} contains ${m.what} in clear; remove it from the change and treat that key as compromised (git history keeps it)`,
          { file, line: i + 1, column: hit.index + 1 },
        ),
      );
    }
  });
  return out;
}
