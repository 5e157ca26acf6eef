export { verifyTrees } from './verify-trees.ts';
export { compareSides, configFilesChanged } from './verify-change.ts';
export type { VerifyOptions, VerifyResult, VerifySide } from './verify-change.ts';
export { loadSide } from './load-side.ts';
export {
  checkPublicForm,
  checkSecretEncrypted,
  SOPS_ENCRYPTED_STRING,
} from './material-content.ts';
export { isScannedPath, scanForPrivateKeys } from './plaintext.ts';
export { checkRecipients } from './recipients.ts';
