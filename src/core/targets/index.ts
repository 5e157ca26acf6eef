/** Distribution targets: desired state, observation, plan and apply (see docs/targets.md). */
export * from './apply.ts';
export * from './desired.ts';
export * from './jwk.ts';
export * from './kind.ts';
export * from './receipt.ts';
export * from './registry.ts';
export * from './kinds/postgres-role.ts';
export * from './observe.ts';
export * from './plan.ts';
export * from './probe.ts';
export * from './render.ts';
export * from './secret-value.ts';
export * from './ownership.ts';
export * from './removals.ts';
