/**
 * Who can decrypt a material file is decided by the BASE branch's `.sops.yaml`, never by the
 * change itself. A valid SOPS MAC does not prove authorship: anyone with write access can
 * re-encrypt a file to their own recipient and the MAC still checks (reference
 * security-anchors.md §6.3). So every added or changed material file must be wrapped to
 * exactly the age recipients the base branch's creation rule names for its path: no more
 * (an extra reader), no fewer (a distribution job that cannot decrypt).
 *
 * Only age recipients are compared; rules naming pgp or cloud KMS keys are for the sops CLI
 * adapter and are out of reach of this check (the rule says so in its message).
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { MaterialFacts } from '../lifecycle/model.ts';
import { violation } from '../lifecycle/rules.ts';
import { findCreationRule, ruleAgeRecipients, type SopsConfig } from '../sops-config.ts';

export function checkRecipients(
  mat: MaterialFacts,
  baseConfig: SopsConfig | undefined,
): Diagnostic[] {
  // Located only when there is a finding: locating re-reads the file.
  const at = () => mat.locate(['sops']);
  const rule = baseConfig === undefined ? undefined : findCreationRule(baseConfig, mat.file);
  if (rule === undefined)
    return [
      violation(
        'verify/no-creation-rule',
        baseConfig === undefined
          ? `${mat.file}: the base branch has no readable .sops.yaml, so nobody has said who may decrypt this file; add .sops.yaml in a change of its own first`
          : `${mat.file}: no creation rule in the base branch's .sops.yaml matches this path; add one in a change of its own first`,
        at(),
      ),
    ];
  const expected = ruleAgeRecipients(rule).map(sorted);
  const actual = mat.recipients.map(sorted);
  if (sameGroups(expected, actual)) return [];
  const extra = [...new Set(actual.flat())].filter((r) => !expected.flat().includes(r));
  const missing = [...new Set(expected.flat())].filter((r) => !actual.flat().includes(r));
  const detail = [
    extra.length > 0 ? `not in the rule: ${extra.join(', ')}` : '',
    missing.length > 0 ? `missing: ${missing.join(', ')}` : '',
    extra.length === 0 && missing.length === 0
      ? `key groups differ (${describe(actual)} instead of ${describe(expected)})`
      : '',
  ]
    .filter((s) => s !== '')
    .join('; ');
  return [
    violation(
      'verify/recipients-mismatch',
      `${mat.file} is encrypted to other age recipients than creation rule ${rule.index + 1} of the base branch's .sops.yaml (${detail}); re-encrypt to the base branch's recipients. A change to who can decrypt goes through .sops.yaml in a change of its own`,
      at(),
    ),
  ];
}

function sorted(group: readonly string[]): string[] {
  return [...new Set(group)].sort();
}

function sameGroups(a: readonly string[][], b: readonly string[][]): boolean {
  return a.length === b.length && a.every((g, i) => g.join('\n') === b[i]!.join('\n'));
}

function describe(groups: readonly string[][]): string {
  return `${groups.length} group${groups.length === 1 ? '' : 's'} of ${groups.map((g) => g.length).join('+')}`;
}
