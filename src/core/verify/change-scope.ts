/**
 * What part of the repository a change touches (issue #10, "pipeline code is guarded like key
 * material"). The code under `.github/`, `actions/`, `dist/`, `src/` and `package*.json` runs
 * at the next distribution with the age identity and a secrets-writing token, so it deserves
 * the review key material gets; `policies/` and `.sops.yaml` decide what verify accepts next.
 *
 * A change to pipeline code together with `keys-manifest/` is refused
 * (`change/pipeline-code-with-manifest`): a reviewer approving a rotation must not also be
 * approving, perhaps unnoticed, the code that will decrypt and distribute it. Each is
 * reviewed on its own. Pure: the caller lists the changed paths (`git diff --name-only`).
 */
import type { Diagnostic } from '../diagnostics.ts';
import { violation } from '../lifecycle/rules.ts';

export type PathScope = 'pipeline-code' | 'configuration' | 'manifest' | 'other';

const PIPELINE_DIRS = ['.github/', 'actions/', 'dist/', 'src/'];

export function scopeOf(path: string): PathScope {
  if (path.startsWith('keys-manifest/')) return 'manifest';
  if (path === '.sops.yaml' || path.startsWith('policies/')) return 'configuration';
  if (PIPELINE_DIRS.some((d) => path.startsWith(d))) return 'pipeline-code';
  if (/^package[^/]*\.json$/.test(path)) return 'pipeline-code';
  return 'other';
}

/** The changed paths by scope, each sorted. */
export interface ChangeScope {
  readonly 'pipeline-code': readonly string[];
  readonly configuration: readonly string[];
  readonly manifest: readonly string[];
  readonly other: readonly string[];
}

export function changeScope(paths: Iterable<string>): ChangeScope {
  const out: Record<PathScope, string[]> = {
    'pipeline-code': [],
    configuration: [],
    manifest: [],
    other: [],
  };
  for (const p of new Set(paths)) out[scopeOf(p)].push(p);
  for (const list of Object.values(out)) list.sort();
  return out;
}

/** The scopes a change touches, in a fixed order, for the summary and the `scope` output. */
export function scopesTouched(s: ChangeScope): PathScope[] {
  return (['manifest', 'configuration', 'pipeline-code', 'other'] as const).filter(
    (k) => s[k].length > 0,
  );
}

const list = (paths: readonly string[]): string =>
  paths.length <= 3
    ? paths.join(', ')
    : `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more`;

/** `change/pipeline-code-with-manifest`, at each changed pipeline-code file, when both move. */
export function checkScope(s: ChangeScope): Diagnostic[] {
  const code = s['pipeline-code'];
  if (code.length === 0 || s.manifest.length === 0) return [];
  return code.map((file) =>
    violation(
      'change/pipeline-code-with-manifest',
      `this change edits pipeline code (${file}) and keys-manifest/ (${list(s.manifest)}) together; open them as two pull requests so each is reviewed on its own`,
      { file, line: 0, column: 0 },
    ),
  );
}
