/**
 * `public` of a material file holds the public form of the key type and nothing else: a
 * private key pasted there would be committed in clear, where the whole organisation (and
 * every fork) can read it forever. (That `secret` is SOPS ciphertext is the material schema's
 * rule, src/core/formats/material.ts.)
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { KeyType } from '../formats/index.ts';
import type { MaterialFacts } from '../lifecycle/model.ts';
import { violation } from '../lifecycle/rules.ts';

/** What `public` must look like per key type (src/crypto/keys writes exactly these forms). */
const PUBLIC_FORMS: Record<Exclude<KeyType, 'random'>, { re: RegExp; text: string }> = {
  ed25519: { re: pem(), text: 'a -----BEGIN PUBLIC KEY----- PEM' },
  'ecdsa-p256': { re: pem(), text: 'a -----BEGIN PUBLIC KEY----- PEM' },
  'rsa-3072': { re: pem(), text: 'a -----BEGIN PUBLIC KEY----- PEM' },
  'rsa-4096': { re: pem(), text: 'a -----BEGIN PUBLIC KEY----- PEM' },
  'ssh-ed25519': {
    re: /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]+={0,2}( [^\n]*)?\n?$/,
    text: 'an "ssh-ed25519 AAAA... comment" line',
  },
  'age-x25519': { re: /^age1[02-9ac-hj-np-z]{58}$/, text: 'an age1... recipient' },
};

function pem(): RegExp {
  return /^-----BEGIN PUBLIC KEY-----\n([A-Za-z0-9+/=]{1,76}\n)+-----END PUBLIC KEY-----\n?$/;
}

export function checkPublicForm(mat: MaterialFacts, type: KeyType): Diagnostic[] {
  // Located only when there is a finding: locating re-reads the file.
  const at = () => mat.locate(['public']);
  const absent = mat.public === undefined || mat.public === null;
  if (type === 'random')
    return absent
      ? []
      : [
          violation(
            'verify/public-not-public',
            `${mat.file}: random keys have no public part; remove the public field (it may hold the secret in clear)`,
            at(),
          ),
        ];
  const form = PUBLIC_FORMS[type];
  if (typeof mat.public === 'string' && form.re.test(mat.public)) return [];
  return [
    violation(
      'verify/public-not-public',
      absent
        ? `${mat.file}: a ${type} key needs its public part in clear for review: ${form.text}`
        : `${mat.file}: public is not ${form.text}, the public form of a ${type} key`,
      at(),
    ),
  ];
}
