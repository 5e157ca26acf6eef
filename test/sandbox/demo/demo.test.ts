// The sandbox demo, run in-process as `npm run demo` runs it: its narrative's milestones, the
// read-back of every target against key.yaml, what it leaves behind, and the secret canary
// over everything it printed and wrote.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SopsCodec } from '../../../src/core/ports/sops.ts';
import { parseMaterialPlaintext } from '../../../src/crypto/keys/index.ts';
import { runDemo, type DemoResult } from '../../../src/sandbox/demo/scenario.ts';
import { rekey, root } from '../../cli/harness.ts';
import { canary } from '../../support/canary.ts';

const identities = readFileSync(join(root, 'demo/age-identity.txt'), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('AGE-SECRET-KEY-'));

/** Every plaintext that passes through either codec (new material, decrypted material) is registered. */
function watched(inner: SopsCodec): SopsCodec {
  const seen = (path: string, plaintext: Uint8Array) =>
    canary.register(parseMaterialPlaintext(new TextDecoder().decode(plaintext), path).secret);
  return {
    encrypt: (path, plaintext, options) => {
      seen(path, plaintext);
      return inner.encrypt(path, plaintext, options);
    },
    decrypt: async (path, encrypted, options) => {
      const out = await inner.decrypt(path, encrypted, options);
      seen(path, out);
      return out;
    },
    inspect: (path, encrypted) => inner.inspect(path, encrypted),
  };
}

describe('npm run demo', () => {
  // The demo's own temporary folders (sandbox, emulator) go under TMPDIR: a fresh one shows
  // exactly what is left behind.
  const previousTmp = process.env['TMPDIR'];
  let tmp = '';
  let out = '';
  const lines: string[] = [];
  let result: DemoResult;
  let text = '';

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'rekey-demo-test-'));
    out = join(tmp, 'report');
    process.env['TMPDIR'] = tmp;
    try {
      result = await runDemo({
        templateDir: root,
        identities,
        outDir: out,
        say: (l) => lines.push(l),
        wrapCodec: watched,
      });
    } finally {
      if (previousTmp === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = previousTmp;
    }
    text = lines.join('\n');
  }, 60_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('runs to the end without a problem', () => {
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(text).toMatch(/\ndemo complete/);
  });

  it('tells the rotation: PRs opened by the App, verified, refused unapproved, approved by others, merged', () => {
    expect(text).toMatch(
      /payments\/webhook-signing: opened PR #\d+ on rekey\/rotate\/payments\/webhook-signing \(rotation to v3, fingerprint kcv:[0-9a-f]{16}\)/,
    );
    expect(text).toMatch(/infra\/deploy-ssh: opened PR #\d+ on rekey\/rotate\/infra\/deploy-ssh/);
    expect(text).toMatch(/identity\/token-signing: opened PR #\d+ .*rotation to v2/);
    expect(text).toContain('verify-pull: rotation, 0 violations -> check rekey/verify = success');
    expect(text).toContain('refused by the branch rules (405)');
    expect(text).toContain('approved by alice and bob (policy strict: 2 approvals');
    expect(text).toMatch(/merged by alice: main is now [0-9a-f]{12}/);
  });

  it('revokes the versions the template came with once their grace has passed', () => {
    expect(text).toMatch(
      /2026-12-02 [^\n]*\n(?:.*\n)*? {2}gate payments\/webhook-signing v1 \(deactivated\): open, v2 proven distributed at [0-9a-f]{12}/,
    );
    expect(text).toMatch(
      /opened PR #\d+ on rekey\/revoke\/payments\/webhook-signing \(revocation\)/,
    );
    expect(text).toMatch(/verify-pull re-checks the gate for infra\/deploy-ssh v2: open/);
  });

  it('tells the emergency for the compromised deploy key', () => {
    expect(text).toMatch(
      /infra\/deploy-ssh: opened PR #\d+ on rekey\/emergency\/infra\/deploy-ssh \(emergency rotation to v5/,
    );
    expect(text).toContain('verify-pull: emergency, 0 violations -> check rekey/verify = success');
  });

  it('reads every target back and finds exactly the fingerprints key.yaml names', () => {
    expect(result.checks.length).toBeGreaterThan(0);
    for (const c of result.checks) {
      expect(c.ok, c.where).toBe(true);
      expect(c.found).toEqual(c.want.map((w) => w.fingerprint).sort());
    }
  });

  it('distributes each change: the new version lands, the revoked and the compromised ones leave', () => {
    expect(text).toMatch(
      /put secret WEBHOOK_SIGNING_KEY \(actions:env:acme\/payments-api:production\) <- v3/,
    );
    expect(text).toMatch(/delete secret WEBHOOK_SIGNING_KEY_PREVIOUS .*no version is in grace/);
    expect(text).toMatch(
      /delete deploy key \d+ ".*infra\/deploy-ssh v4\)" from acme\/infra-config: v4 is compromised/,
    );
    expect(text).toContain('verify-pull: promotion, 0 violations');
    expect(text).toContain('verify-pull: revocation, 0 violations');
    expect(text).toMatch(/gate infra\/deploy-ssh v4 \(compromised\): open, .*no grace/);
    // The last read-back of the deploy keys: only v5, the emergency's replacement.
    const deployKeys = result.checks.filter((c) => c.where === 'acme/infra-config deploy keys');
    expect(deployKeys.at(-1)!.want.map((w) => w.version)).toEqual([5]);
    expect(deployKeys.at(-1)!.found).toHaveLength(1);
  });

  it('writes the audit report (HTML and Markdown) over the whole history and prints its path', () => {
    expect(result.report.map((f) => basename(f))).toEqual(['audit.html', 'audit.md']);
    const html = readFileSync(result.report[0]!, 'utf8');
    for (const id of ['payments/webhook-signing', 'infra/deploy-ssh', 'identity/token-signing'])
      expect(html).toContain(id);
    expect(text).toMatch(/\d+ manifest commits, 3 keys, \d+ GitHub calls; \d+ findings?/);
  });

  it('leaves nothing behind but the report', () => {
    const left = readdirSync(tmp);
    if (result.report.length === 0) expect(left.filter((f) => f !== 'report')).toEqual([]);
    else {
      expect(left).toEqual(['report']);
      for (const f of result.report) expect(f.startsWith(out)).toBe(true);
      for (const f of result.report) expect(text).toContain(`report: ${f}`);
    }
  });

  it('prints and writes no secret', () => {
    expect(canary.size).toBeGreaterThan(0);
    const places: Record<string, string> = { 'demo output': text };
    for (const f of result.report) places[f] = readFileSync(f, 'utf8');
    canary.scan(places);
  });

  it('refuses an unknown option with exit 2', async () => {
    const run = await rekey(tmp, ['demo', '--keep']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('rekey demo');
  });
});

describe('npm run demo, when a step fails', () => {
  it('stops, says why, fails, and still removes everything it made', async () => {
    const previousTmp = process.env['TMPDIR'];
    const tmp = mkdtempSync(join(tmpdir(), 'rekey-demo-fail-'));
    const lines: string[] = [];
    let result: DemoResult;
    process.env['TMPDIR'] = tmp;
    try {
      result = await runDemo({
        templateDir: root,
        identities,
        say: (l) => lines.push(l),
        // The rotate job's encryption breaks: the first rotation cannot be prepared.
        wrapCodec: (inner) => ({
          ...inner,
          encrypt: () => Promise.reject(new Error('encryption unavailable (test)')),
          decrypt: (p, e, o) => inner.decrypt(p, e, o),
          inspect: (p, e) => inner.inspect(p, e),
        }),
      });
    } finally {
      if (previousTmp === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = previousTmp;
    }
    try {
      expect(result.ok).toBe(false);
      expect(result.problems).toContain('encryption unavailable (test)');
      expect(lines.join('\n')).toContain('demo stopped: encryption unavailable (test)');
      expect(lines.join('\n')).toMatch(/\ndemo FAILED: /);
      expect(result.report).toEqual([]);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
