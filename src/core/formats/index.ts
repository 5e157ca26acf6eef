export * from './key-id.ts';
export * from './key.ts';
export * from './material.ts';
export * from './policy.ts';
export * from './load-document.ts';
export * from './github-names.ts';
