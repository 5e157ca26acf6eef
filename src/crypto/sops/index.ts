export { BuiltinSopsCodec, checkFileAgainstRule, loadEncrypted, storeFor } from './codec.ts';
export type { BuiltinSopsCodecOptions } from './codec.ts';
export { SOPS_VERSION } from './metadata.ts';
export type { RewrapOptions, RewrapResult } from './rewrap.ts';
