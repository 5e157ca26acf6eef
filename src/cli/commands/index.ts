import type { CliCommand } from '../args.ts';

/**
 * A subcommand as `rekey --help` lists it. Its module is imported only when it runs, so
 * `rekey validate` never loads what `rekey distribute` needs (the AWS SDK, pg, Octokit,
 * libsodium, age, the sandbox): the bundle splits each command into its own chunk
 * (scripts/build.ts). `summary` repeats the module's own; test/cli/commands-index.test.ts
 * keeps them equal.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<CliCommand>;
}

/** Every `rekey` subcommand, in the order `rekey --help` lists them. */
export const commands: readonly CommandEntry[] = [
  {
    name: 'init',
    summary: 'turn a fresh copy of the template into your repository (identity, .sops.yaml, App)',
    load: async () => (await import('./init.ts')).initCommand,
  },
  {
    name: 'validate',
    summary: 'check the manifest, policies and .sops.yaml (working tree or --ref)',
    load: async () => (await import('./validate.ts')).validate,
  },
  {
    name: 'plan',
    summary: 'show which keys are due for rotation or promotion, and why',
    load: async () => (await import('./plan.ts')).planCommand,
  },
  {
    name: 'verify',
    summary: 'check a change (base..head) against the format and lifecycle rules',
    load: async () => (await import('./verify.ts')).verify,
  },
  {
    name: 'new',
    summary: 'onboard a key: key.yaml and an encrypted v1, printing only the fingerprint',
    load: async () => (await import('./new.ts')).newKey,
  },
  {
    name: 'sops',
    summary: 'decrypt, encrypt or verify a SOPS file with the built-in codec or the sops binary',
    load: async () => (await import('./sops.ts')).sops,
  },
  {
    name: 'demo',
    summary: 'run the whole pipeline on a sandbox GitHub (no account, nothing to set up)',
    load: async () => (await import('./demo.ts')).demo,
  },
  {
    name: 'audit',
    summary: 'report every key version’s timeline and what an auditor would flag',
    load: async () => (await import('./audit.ts')).auditCommand,
  },
  {
    name: 'doctor',
    summary: "check a repository's rekey setup (workflows, tokens, protection, CODEOWNERS, SOPS)",
    load: async () => (await import('./doctor.ts')).doctorCommand,
  },
  {
    name: 'distribute',
    summary: 'push each key to its targets from a local clone (as the distribute action)',
    load: async () => (await import('./distribute.ts')).distributeCommand,
  },
  {
    name: 'targets',
    summary: 'list the repositories distribution writes to (for the targets token)',
    load: async () => (await import('./targets.ts')).targetsCommand,
  },
  {
    name: 'rotate',
    summary: 'open rotation pull requests for due keys, or an emergency one (as the rotate action)',
    load: async () => (await import('./rotate.ts')).rotateCommand,
  },
  {
    name: 'revoke',
    summary: 'open revocation pull requests for versions the gate lets go (as the revoke action)',
    load: async () => (await import('./revoke.ts')).revokeCommand,
  },
];
