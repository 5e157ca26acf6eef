// The report builders on the shapes the CLI tests cannot reach without GitHub: a doctor
// finding about a GitHub setting (file null), verify moves of new and removed versions (null),
// and the invalid plan; each checked against the committed JSON Schema, as scripts read it.
import { describe, expect, it } from 'vitest';
import { doctorReport } from '../../../src/core/doctor/report.ts';
import { finding } from '../../../src/core/doctor/findings.ts';
import { diagnostic } from '../../../src/core/diagnostics.ts';
import { doctorReportJson, planReport, verifyReport } from '../../../src/core/reports/index.ts';
import { report } from '../../cli/json-report.ts';

const print = (v: object) => JSON.stringify(v);

describe('report builders', () => {
  it('doctor: a GitHub-setting finding has file null and line/column 0; a local one keeps them', () => {
    const r = doctorReportJson(
      doctorReport(
        [
          finding('doctor/protection-missing', 'main has no protection', 'branch main'),
          finding('doctor/codeowners-invalid-line', 'bad line', {
            file: '.github/CODEOWNERS',
            line: 3,
            column: 1,
          }),
        ],
        ['protection', 'codeowners'],
        [{ check: 'schedules', reason: 'no token' }],
      ),
    );
    const out = report('doctor', print(r));
    expect(out).toMatchObject({ ok: false, errors: 1, warnings: 1 });
    expect(out.findings).toEqual([
      expect.objectContaining({
        rule: 'doctor/protection-missing',
        file: null,
        line: 0,
        column: 0,
      }),
      expect.objectContaining({
        file: '.github/CODEOWNERS',
        line: 3,
        column: 1,
        severity: 'warning',
      }),
    ]);
  });

  it('verify: a new version moves from null, a removed entry to null', () => {
    const r = verifyReport('main', 'HEAD', {
      kind: 'rotation',
      keys: [
        {
          keyId: 'a/b',
          kinds: ['rotation'],
          moves: [
            { version: 3, from: undefined, to: 'active' },
            { version: 1, from: 'destroyed', to: undefined },
          ],
          configuration: [],
        },
      ],
      configuration: [],
      diagnostics: [],
    });
    const out = report('verify', print(r));
    expect((out.keys as { moves: unknown[] }[])[0]!.moves).toEqual([
      { version: 3, from: null, to: 'active' },
      { version: 1, from: 'destroyed', to: null },
    ]);
  });

  it('plan: the invalid manifest carries its diagnostics, severity error, and no steps', () => {
    const d = diagnostic('policy/unknown', 'no policy nope', {
      file: 'k/key.yaml',
      line: 4,
      column: 9,
    });
    const out = report('plan', print(planReport({ kind: 'invalid', diagnostics: [d] })));
    expect(out).toEqual({
      schema: 'rekey.plan/v1',
      rekey: 1,
      command: 'plan',
      ok: false,
      diagnostics: [{ ...d, severity: 'error' }],
    });
  });
});
