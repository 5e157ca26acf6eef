/**
 * `file`: the rendered content (../render.ts) under the output folder; jwks publishes
 * pre-activation, active and deactivated public keys (prepublishing is what lets verifiers
 * trust a key before it signs). No active version: the file is deleted. Fully observable:
 * compared by bytes.
 */
import { JwkError } from '../jwk.ts';
import type { DesiredBase, StepBase, TargetKind } from '../kind.ts';
import { type FileFormat, renderFile, TargetRenderError } from '../render.ts';
import type { SecretValue } from '../secret-value.ts';

export interface DesiredFileTarget extends DesiredBase {
  readonly kind: 'file';
  readonly path: string;
  readonly format: FileFormat;
  /** null: the file must not exist (the key has no active version). */
  readonly content: SecretValue | null;
  readonly versions: readonly number[];
}

export type FileStep =
  | (StepBase & {
      readonly kind: 'write-file';
      readonly path: string;
      readonly format: FileFormat;
      readonly versions: readonly number[];
      readonly content: SecretValue;
    })
  | (StepBase & { readonly kind: 'delete-file'; readonly path: string });

declare module '../kind.ts' {
  interface KindTypes {
    file: { desired: DesiredFileTarget; step: FileStep; observed: never; port: never };
  }
}

export const fileKind: TargetKind<'file'> = {
  kind: 'file',
  steps: ['write-file', 'delete-file'],

  where: (t) => `file ${t.path} (${t.format})`,

  desired(t, i, ctx) {
    const publish =
      t.format === 'jwks'
        ? ctx.byState('pre-activation', 'active', 'deactivated').flatMap((v) => {
            const p = ctx.publicOf(i, v.version);
            return p === undefined
              ? []
              : [{ version: v.version, fingerprint: v.fingerprint, public: p }];
          })
        : [];
    const value = t.format === 'jwks' ? null : ctx.slotValue(i, ctx.byState('active')[0]);
    if (value === undefined) return null;
    try {
      const content = renderFile({
        key: ctx.key,
        format: t.format,
        name: t.name,
        active: value?.value,
        publish,
      });
      return {
        kind: 'file',
        target: i,
        path: t.path,
        format: t.format,
        content,
        versions:
          t.format === 'jwks' ? publish.map((p) => p.version) : value ? [value.version] : [],
      };
    } catch (e) {
      if (!(e instanceof TargetRenderError || e instanceof JwkError)) throw e;
      ctx.problem(i, `${t.path}: ${e.message}`);
      return null;
    }
  },

  async observe(d, ports, into) {
    if (!into.files.has(d.path)) into.files.set(d.path, await ports.files.readFile(d.path));
  },

  plan(d, observed) {
    const now = observed.files.get(d.path) ?? null;
    const target = d.target;
    if (d.content === null)
      return now === null
        ? { steps: [], current: 1, problems: [] }
        : {
            steps: [
              {
                kind: 'delete-file',
                target,
                path: d.path,
                reason: 'the key has no active version',
              },
            ],
            current: 0,
            problems: [],
          };
    if (now !== null && now.equals(d.content)) return { steps: [], current: 1, problems: [] };
    return {
      steps: [
        {
          kind: 'write-file',
          target,
          path: d.path,
          format: d.format,
          versions: d.versions,
          content: d.content,
          reason: now === null ? 'absent' : 'content differs',
        },
      ],
      current: 0,
      problems: [],
    };
  },

  async apply(step, ports) {
    if (step.kind === 'delete-file') return { detail: await ports.files.deleteFile(step.path) };
    await ports.files.writeFile(step.path, step.content);
    return { detail: 'written' };
  },

  describe: (s) =>
    s.kind === 'write-file'
      ? `write ${s.path} (${[s.format, ...s.versions.map((v) => `v${v}`)].join(', ')}): ${s.reason}`
      : `delete ${s.path}: ${s.reason}`,

  desiredLines: (d) =>
    d.content === null
      ? [`nothing -> ${d.path}`]
      : [`${d.versions.map((v) => `v${v}`).join(', ')} -> ${d.path}`],

  observedLines: (d, o) => [`${d.path} ${o.files.get(d.path) ? 'present' : 'absent'}`],

  claims: (d) => [`file ${d.path}`],
};
