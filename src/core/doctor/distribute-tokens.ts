/**
 * Least privilege for distribution (docs/doctor.md): the distribute step gets two App tokens,
 * one for the keys repository (`token`: the lease and receipts ref, the status, issues) and one
 * for the targets (`targets-token`), minted by actions/create-github-app-token with
 * `repositories:` (the list `rekey targets --repositories` computes) and only the permissions
 * targets need. A single token, or a targets token for every repository of the owner, or one
 * that may write contents, lets the code that holds it change any repository's code.
 * Pure: the parsed steps of one job in, findings out.
 */
import { expressionsIn, referencesIn } from '../workflow-lint/expressions.ts';
import { type DoctorFinding, finding } from './findings.ts';

type YamlMap = { readonly [key: string]: unknown };
const isMap = (v: unknown): v is YamlMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An actions/create-github-app-token step of the job, by its id (lower case). */
export interface AppTokenStep {
  readonly index: number;
  readonly with: YamlMap;
}

type At = (path: (string | number)[]) => { file: string; line?: number; column?: number };

/** The app-token step whose `outputs.token` the value reads, if any. */
function appStepOf(value: unknown, apps: ReadonlyMap<string, AppTokenStep>) {
  if (typeof value !== 'string') return undefined;
  for (const [h, id, o, n] of expressionsIn(value).flatMap(referencesIn))
    if (h === 'steps' && id !== undefined && o === 'outputs' && n === 'token') {
      const step = apps.get(id);
      if (step) return { id, step };
    }
  return undefined;
}

const blank = (v: unknown) => v === undefined || v === null || String(v).trim() === '';

export function checkDistributeTokens(
  jobId: string,
  stepIndex: number,
  inputs: YamlMap,
  apps: ReadonlyMap<string, AppTokenStep>,
  at: At,
): DoctorFinding[] {
  const where = ['jobs', jobId, 'steps', stepIndex];
  const keys = appStepOf(inputs['token'], apps);
  const targets = appStepOf(inputs['targets-token'], apps);
  const out: DoctorFinding[] = [];
  if (blank(inputs['targets-token']) || (keys && targets && keys.id === targets.id)) {
    out.push(
      finding(
        'doctor/distribute-single-token',
        blank(inputs['targets-token'])
          ? 'rekey distribute is given one token for the keys repository and every target: it holds contents: write wherever it may write secrets'
          : `rekey distribute is given the same token (step \`${keys!.id}\`) as \`token\` and \`targets-token\``,
        at([...where, 'with', blank(inputs['targets-token']) ? 'token' : 'targets-token']),
      ),
    );
  }
  // The token that reaches the targets: the targets token, or the single one.
  const reach = targets ?? (blank(inputs['targets-token']) ? keys : undefined);
  if (reach) {
    const w = reach.step.with;
    const problems: string[] = [];
    if (!blank(w['owner']) && blank(w['repositories']))
      problems.push(
        'it is minted for every repository of the owner (`owner:` without `repositories:`)',
      );
    if (!Object.keys(w).some((k) => k.startsWith('permission-')))
      problems.push('it has every permission the App holds (no `permission-*` input)');
    if (!blank(w['permission-contents']))
      problems.push(`it may ${String(w['permission-contents'])} contents`);
    if (problems.length > 0)
      out.push(
        finding(
          'doctor/distribute-token-scope',
          `the token rekey distribute writes targets with (step \`${reach.id}\`): ${problems.join('; ')}`,
          at(['jobs', jobId, 'steps', reach.step.index, 'with']),
        ),
      );
  }
  if (keys && (!targets || keys.id !== targets.id)) {
    const w = keys.step.with;
    if (!blank(w['owner']) && blank(w['repositories']) && targets)
      out.push(
        finding(
          'doctor/distribute-token-scope',
          `the keys-repository token (step \`${keys.id}\`) is minted for every repository of the owner; leave \`owner:\` unset (this repository only) or name it in \`repositories:\``,
          at(['jobs', jobId, 'steps', keys.step.index, 'with']),
        ),
      );
  }
  return out;
}

export const appTokenInputs = (step: YamlMap): YamlMap => (isMap(step['with']) ? step['with'] : {});
