// doctor/demo-recipient: the published demo recipient in .sops.yaml or in a material file's
// recipients is an error, located at its line; a comment naming it is not; the constant is
// the recipient of the identity the template publishes.
import { readFileSync } from 'node:fs';
import { identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { readWorkingTree } from '../../../src/adapters/files/working-tree.ts';
import { checkLocal } from '../../../src/core/doctor/local.ts';
import { checkDemoRecipient, DEMO_RECIPIENT } from '../../../src/core/doctor/demo-recipient.ts';
import { demoIdentityFile, root } from '../../cli/harness.ts';

const enc = new TextEncoder();

describe('doctor/demo-recipient', () => {
  it('is the recipient of demo/age-identity.txt', async () => {
    const id = readFileSync(demoIdentityFile, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
    expect(await identityToRecipient(id)).toBe(DEMO_RECIPIENT);
  });

  it('reports the template: .sops.yaml and every material file', async () => {
    const tree = await readWorkingTree(root);
    const found = checkLocal(tree).findings.filter((f) => f.rule === 'doctor/demo-recipient');
    const materials = [...tree.keys()].filter((p) => /\/v\d+\.sops\.yaml$/.test(p));
    expect(found.map((f) => f.file).sort()).toEqual(['.sops.yaml', ...materials].sort());
    expect(found.every((f) => f.severity === 'error')).toBe(true);
    const sops = found.find((f) => f.file === '.sops.yaml')!;
    const line = new TextDecoder().decode(tree.get('.sops.yaml')).split('\n')[sops.line! - 1];
    expect(line).toMatch(/^\s*age: /);
  });

  it('is silent for other recipients and for a comment that names it', () => {
    const other = 'age1ag56szufhk8zkc5klvj0cz3fxwuhj0eus65kc3aptjsh93jxcf2q0ar6hz';
    const tree = new Map([
      ['.sops.yaml', enc.encode(`# was ${DEMO_RECIPIENT}\ncreation_rules:\n  - age: ${other}\n`)],
      ['keys-manifest/a/v1.sops.yaml', enc.encode(`sops:\n  age:\n    - recipient: ${other}\n`)],
      ['policies/standard.yaml', enc.encode(`# ${DEMO_RECIPIENT}\n`)],
    ]);
    expect(checkDemoRecipient(tree)).toEqual([]);
    tree.set(
      'keys-manifest/a/v1.sops.yaml',
      enc.encode(`sops:\n  age:\n    - recipient: ${DEMO_RECIPIENT}\n`),
    );
    expect(checkDemoRecipient(tree).map((f) => [f.file, f.line])).toEqual([
      ['keys-manifest/a/v1.sops.yaml', 3],
    ]);
  });
});
