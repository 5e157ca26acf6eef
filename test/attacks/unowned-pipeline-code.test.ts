// Attack: change the code that runs with the keys instead of the keys. A CODEOWNERS that owns
// keys-manifest/ and .sops.yaml but not dist/, actions/, src/, .github/, policies/ or
// package*.json lets any approval merge a change there, and that code runs at the next
// distribution with the age identity and a secrets-writing token. `rekey doctor` (the CLI, on
// the checkout) used to accept such a CODEOWNERS; now each unowned path is an error, and so is
// a ruleset that does not require the code owners' review.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkProtection } from '../../src/core/doctor/remote.ts';
import { rekey } from '../cli/harness.ts';
import { goodRepo } from '../core/doctor/fixtures.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** `rekey doctor --format json` (local checks only) on a checkout holding `files`. */
async function doctorOn(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-attack-owners-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const run = await rekey(dir, ['doctor', '--format', 'json']);
  const out = JSON.parse(run.stdout) as {
    findings: { rule: string; severity: string; message: string; where: string }[];
  };
  return { code: run.code, findings: out.findings };
}

// What a CODEOWNERS written for the manifest alone looked like (rekey's old advice).
const MANIFEST_ONLY = `/keys-manifest/ @acme/security
/.sops.yaml @acme/security
/.github/workflows/ @acme/security
`;

describe('pipeline code without a code owner', () => {
  it('is an error for each unowned path, naming it', async () => {
    const r = await doctorOn({ ...goodRepo(), '.github/CODEOWNERS': MANIFEST_ONLY });
    expect(r.code).toBe(1);
    const uncovered = r.findings.filter((f) => f.rule === 'doctor/codeowners-uncovered');
    expect(uncovered).toHaveLength(1);
    expect(uncovered[0]!.severity).toBe('error');
    for (const path of [
      '.github/CODEOWNERS',
      'actions/',
      'dist/',
      'src/',
      'package.json',
      'package-lock.json',
      'policies/',
    ])
      expect(uncovered[0]!.message).toContain(path);
    expect(uncovered[0]!.message).not.toContain('.sops.yaml');
  });

  it('is an error when a more specific ownerless line undoes a catch-all', async () => {
    const files = goodRepo();
    files['.github/CODEOWNERS'] = `${files['.github/CODEOWNERS']}/dist/\n`;
    const r = await doctorOn(files);
    expect(r.code).toBe(1);
    expect(r.findings.map((f) => [f.rule, f.where])).toEqual([
      ['doctor/codeowners-uncovered', '.github/CODEOWNERS:12'],
    ]);
    expect(r.findings[0]!.message).toMatch(/^dist\/ .* line 12 \(`\/dist\/`\)/);
  });

  it('is nothing on a repository whose CODEOWNERS owns it all', async () => {
    const r = await doctorOn(goodRepo());
    expect(r.findings).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('needs code owner review in the ruleset, as an error', () => {
    const found = checkProtection({
      branch: 'main',
      classic: null,
      rules: [
        {
          type: 'pull_request',
          parameters: { required_approving_review_count: 1, require_code_owner_review: false },
        },
        {
          type: 'required_status_checks',
          parameters: {
            required_status_checks: [{ context: 'rekey verify' }],
            strict_required_status_checks_policy: true,
          },
        },
      ],
      verifyCheck: 'rekey verify',
    });
    expect(found.map((f) => [f.rule, f.severity])).toEqual([
      ['doctor/protection-code-owners', 'error'],
    ]);
  });
});
