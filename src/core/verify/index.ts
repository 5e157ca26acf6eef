export { verifyTrees } from './verify-trees.ts';
export { compareSides, configFilesChanged, verifyChange } from './verify-change.ts';
export type { VerifyOptions, VerifyResult, VerifySide } from './verify-change.ts';
export { manifestFactsOf, sopsConfigOf } from './snapshot-side.ts';
export type { ChangeSide } from './snapshot-side.ts';
export { checkPublicForm } from './material-content.ts';
export { isScannedPath, scanForPrivateKeys } from './plaintext.ts';
export { checkRecipients } from './recipients.ts';
export { checkSnapshot } from './check-snapshot.ts';
