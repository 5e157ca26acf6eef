/** Key material: generators, fingerprints, consistency checks, material plaintext. See docs/key-types.md. */
export { KeyMaterialError, type MaterialProblem } from './errors.ts';
export { generateKey, type GeneratedKey, type SshOptions } from './generate.ts';
export { fingerprintOf, verifyMaterial, type KeyMaterial, type MaterialCheck } from './verify.ts';
export {
  materialPlaintext,
  parseMaterialPlaintext,
  MATERIAL_MAX_BYTES,
  type MaterialPlaintext,
} from './material.ts';
export { KCV_MESSAGE, type RandomOptions, type RandomEncoding } from './random.ts';
