/**
 * `npm run demo`: the whole life of the template's example keys, told step by step, in a
 * sandbox (sandbox.ts): a GitHub emulator on 127.0.0.1 serving a bare repository, the demo
 * age identity, a virtual clock. Every step is the real thing a workflow or a person does:
 *
 * - the scheduled rotate and revoke workflows run the `rotate` and `revoke` commands through
 *   the real GitHub adapters with an App token, and open PRs;
 * - the verify workflow runs `verify-pull` and records the required check;
 * - alice and bob (not the author, not bots) approve; the branch rules refuse a merge before;
 * - the distribution job runs `distribute` on each new main commit, and the demo opens what
 *   landed on the targets (secrets, deploy keys, JWKS) and compares it with key.yaml by
 *   fingerprint (targets-check.ts);
 * - an on-call engineer dispatches an emergency for a compromised key;
 * - the `audit` command writes its report.
 *
 * Nothing printed is secret: fingerprints, versions, commit ids and reasons only.
 */
import { rotate, type EmergencyRequest, type KeyResult } from '../../commands/rotate.ts';
import { revoke } from '../../commands/revoke.ts';
import type { KeyDocument, PolicyDocument } from '../../core/formats/index.ts';
import { loadSnapshot } from '../../core/load-snapshot.ts';
import type { SopsCodec } from '../../core/ports/sops.ts';
import { BuiltinSopsCodec } from '../../crypto/sops/index.ts';
import type { CheckoutState } from '../../adapters/git/commits.ts';
import { runDistribution } from './distribution.ts';
import { reviewAndMerge } from './pull-life.ts';
import { writeAuditReport } from './report.ts';
import { KEYS_REPO, openSandbox } from './sandbox.ts';
import { checkTargets, describeCheck, type TargetCheck } from './targets-check.ts';

export interface DemoOptions {
  /** The template repository whose example content the sandbox starts from. */
  readonly templateDir: string;
  /** The demo age identity (`AGE-SECRET-KEY-1...` lines): only the distribution job holds it. */
  readonly identities: readonly string[];
  /** Where the audit report goes; a new folder under os.tmpdir() when absent. */
  readonly outDir?: string;
  readonly say: (line: string) => void;
  /** Tests: wraps both codecs (to register every secret that passes with the canary). */
  readonly wrapCodec?: (codec: SopsCodec) => SopsCodec;
}

export interface DemoResult {
  /** Every step that ran did what it should. */
  readonly ok: boolean;
  /** What went wrong, secret-free. */
  readonly problems: readonly string[];
  /** Steps the demo could not run because the command behind them is not there yet. */
  readonly unavailable: readonly string[];
  /** Every read-back of a target after a distribution. */
  readonly checks: readonly TargetCheck[];
  /** The audit report's files, when it was written. */
  readonly report: readonly string[];
}

/** The virtual clock's stops; inside both policies' review windows (Tue-Thu, 10:30 Berlin). */
export const T = {
  imported: new Date('2026-11-23T08:00:00Z'),
  rotation: new Date('2027-02-10T09:30:00Z'),
  promotion: new Date('2027-02-16T09:30:00Z'),
  revocation: new Date('2027-02-24T09:30:00Z'),
  incident: new Date('2027-02-24T11:30:00Z'),
};
const RUN = 'https://github.example/acme/keys/actions/runs/demo';
const minutes = (d: Date, m: number) => new Date(d.getTime() + m * 60_000);
const stamp = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
const days = (a: Date, b: Date) => Math.round((b.getTime() - a.getTime()) / 86_400_000);

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const { say } = opts;
  const wrap = opts.wrapCodec ?? ((c: SopsCodec) => c);
  // The rotate job holds no identity: it encrypts to .sops.yaml's recipients and cannot decrypt.
  const encryptOnly = wrap(new BuiltinSopsCodec({ identities: [] }));
  const distributionCodec = wrap(new BuiltinSopsCodec({ identities: [...opts.identities] }));
  const problems: string[] = [];
  const unavailable = new Set<string>();
  const checks: TargetCheck[] = [];
  let report: readonly string[] = [];
  const section = (at: Date, title: string) => say(`\n== ${stamp(at)} UTC  ${title}`);

  const sb = await openSandbox({ templateDir: opts.templateDir, start: T.imported });
  try {
    say('rekey demo: three example keys live through rotation, review, distribution,');
    say('revocation and an emergency, on a sandbox GitHub. Nothing printed is secret.');
    say(`  GitHub      an emulator at ${sb.emu.apiUrl} (loopback only)`);
    say(`  repository  ${KEYS_REPO}: the template's .sops.yaml, policies/ and keys-manifest/`);
    say(
      '  targets     acme/payments-api, acme/identity-service (secrets), acme/infra-config (deploy key)',
    );
    say('  who         rekey[bot] opens PRs (App token; encrypts, cannot decrypt);');
    say(
      '              alice and bob review and merge; the distribution job holds the demo age identity',
    );
    say('  time        a virtual clock: months pass in seconds');

    /** The distribution job on main's new head, then the read-back of every target. */
    const distribute = async (why: string): Promise<void> => {
      const main = await sb.checkout();
      sb.setClock(minutes(sb.now(), 5));
      const run = await runDistribution(sb, main, distributionCodec);
      if (!run.available) {
        if (!unavailable.has(run.why))
          say(
            `    distribution (${why}): NOT AVAILABLE YET: ${run.why}; nothing is written to the targets and no rekey/distribution status is recorded, so the promotion and revocation gates below stay closed`,
          );
        else say(`    distribution (${why}): not available yet (see above)`);
        unavailable.add(run.why);
        return;
      }
      say(
        `    distribution (${why}) at ${main.sha.slice(0, 12)}: ${run.outcome}, rekey/distribution = ${run.status ?? 'not written'}`,
      );
      for (const l of run.lines) say(`      ${l}`);
      if (run.status !== 'success')
        problems.push(`distribution of ${main.sha.slice(0, 12)}: ${run.outcome}`);
      const keys = keysOf(main);
      const mine = await checkTargets(sb, keys);
      checks.push(...mine);
      say(
        "    read back from the targets (secrets opened with the emulator's key, fingerprinted):",
      );
      for (const c of mine) {
        const key = keys.get(c.keyId)!;
        say(
          `      ${describeCheck(c, (fp) => key.versions.find((v) => v.fingerprint === fp)?.version)}`,
        );
        if (!c.ok) problems.push(`${c.keyId}: ${c.where} does not match key.yaml`);
      }
    };

    /** What a scheduled run did per key, then each new PR's review, merge and distribution. */
    const followUp = async (
      base: CheckoutState,
      keys: readonly KeyResult[],
      first: { shown: boolean },
    ) => {
      const opened: Extract<KeyResult, { outcome: 'created' }>[] = [];
      for (const k of keys) {
        if (k.outcome === 'created') {
          say(
            `  ${k.keyId}: opened PR #${k.pull.number} on ${k.branch} (${k.action} to v${k.version}, fingerprint ${k.fingerprint})`,
          );
          opened.push(k);
        } else say(`  ${k.keyId}: ${k.outcome}${'reason' in k ? `: ${k.reason}` : ''}`);
      }
      for (const k of opened) {
        say(`  PR #${k.pull.number} ${k.branch}`);
        const end = await reviewAndMerge(
          sb,
          { keyId: k.keyId, action: k.action, branch: k.branch, number: k.pull.number },
          base,
          policyOf(base, k.keyId),
          say,
          { showRefusedMerge: !first.shown },
        );
        first.shown = true;
        if (!end.merged) {
          problems.push(`PR #${k.pull.number} (${k.keyId}): ${end.reason}`);
          continue;
        }
        await distribute(`${k.action} of ${k.keyId}`);
      }
      return opened.length;
    };

    const rotateRun = async (at: Date, emergency?: EmergencyRequest) => {
      sb.setClock(at);
      const base = await sb.checkout();
      const result = await rotate(
        { ...base, now: at, run: RUN, ...(emergency ? { emergency } : {}) },
        { ...sb.rekey, codec: encryptOnly },
      );
      if (result.kind !== 'applied') {
        problems.push(`rotate at ${stamp(at)}: ${result.kind}`);
        say(`  rotate: ${result.kind}`);
        return 0;
      }
      return followUp(base, result.keys, shown);
    };
    const revokeRun = async (at: Date) => {
      sb.setClock(at);
      const base = await sb.checkout();
      const result = await revoke({ ...base, now: at, run: RUN }, sb.rekey);
      if (result.kind !== 'applied') {
        problems.push(`revoke at ${stamp(at)}: ${result.kind}`);
        return 0;
      }
      for (const v of result.verdicts)
        say(
          `  gate ${v.keyId} v${v.version} (${v.state}): ${v.open ? 'open' : 'closed'}, ${v.reason}`,
        );
      // A closed gate was just explained per version; its "skipped" result would repeat it.
      const rest = result.keys.filter((k) => !(k.outcome === 'skipped' && k.action === 'revoke'));
      return followUp(base, rest, shown);
    };
    const shown = { shown: false };

    section(T.imported, 'Day 0: the template is imported into acme/keys');
    {
      const main = await sb.checkout();
      const snap = loadSnapshot(main.tree).snapshot;
      const versions = [...snap.keys.values()].reduce((n, k) => n + k.value.versions.length, 0);
      say(`  main at ${main.sha.slice(0, 12)}: ${snap.keys.size} keys, ${versions} versions`);
      await distribute('first push to main');
    }

    section(
      T.rotation,
      `${days(T.imported, T.rotation)} days later: the scheduled rotate workflow runs`,
    );
    say('  due: the active version has reached its cryptoperiod minus rotate-before');
    if ((await rotateRun(T.rotation)) === 0) problems.push('the scheduled rotation opened no PR');

    section(
      T.promotion,
      `${days(T.rotation, T.promotion)} days later: rotate again (prepublished versions are promoted once proven distributed), then revoke`,
    );
    await rotateRun(T.promotion);
    say('  the scheduled revoke workflow: may any old version be destroyed yet?');
    await revokeRun(T.promotion);

    section(
      T.revocation,
      `${days(T.promotion, T.revocation)} days later: the grace periods have passed; the revoke workflow runs`,
    );
    const revoked = await revokeRun(T.revocation);
    if (revoked === 0 && unavailable.size === 0)
      problems.push('the scheduled revocation opened no PR');

    section(T.incident, 'incident: the deploy key of infra/deploy-ssh was pasted into a CI log');
    say('  on-call dispatches the rotate workflow with key=infra/deploy-ssh, compromised=yes');
    const emergency = await rotateRun(T.incident, {
      key: 'infra/deploy-ssh',
      reason: 'private key pasted into a CI log',
      compromised: true,
    });
    if (emergency === 0) problems.push('the emergency opened no PR');
    say('  the compromised version needs no grace: the next revoke run destroys it');
    await revokeRun(minutes(T.incident, 45));

    const end = minutes(T.incident, 60);
    sb.setClock(end);
    section(end, 'where every key stands on main');
    const final = await sb.checkout();
    summarize(final, say);

    say('\n  the audit report over the whole history:');
    const audit = await writeAuditReport(sb, opts.outDir, end);
    for (const l of audit.lines) say(`  ${l}`);
    report = audit.files;
  } catch (e) {
    problems.push(e instanceof Error ? e.message : String(e));
    say(`\ndemo stopped: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await sb.close();
  }
  const ok = problems.length === 0;
  say(
    ok
      ? `\ndemo complete${unavailable.size ? ` (INCOMPLETE: ${[...unavailable].join('; ')})` : ''}; the sandbox is removed`
      : `\ndemo FAILED: ${problems.join('; ')}`,
  );
  for (const f of report) say(`report: ${f}`);
  return { ok, problems, unavailable: [...unavailable], checks, report };
}

function keysOf(c: CheckoutState): Map<string, KeyDocument> {
  const snap = loadSnapshot(c.tree).snapshot;
  return new Map([...snap.keys].map(([id, k]) => [id, k.value]));
}

function policyOf(c: CheckoutState, keyId: string): PolicyDocument {
  const snap = loadSnapshot(c.tree).snapshot;
  const key = snap.keys.get(keyId)!.value;
  return snap.policies.get(key.policy)!.value;
}

/** Every key's versions with the history of their states (from first-parent history). */
function summarize(c: CheckoutState, say: (line: string) => void): void {
  for (const [id, key] of keysOf(c)) {
    say(`  ${id} (${key.type}, policy ${key.policy})`);
    for (const v of key.versions) {
      const entered = c.history.keys.get(id)?.versions.get(v.version)?.entered ?? {};
      const trail = Object.entries(entered)
        .map(([state, ref]) => `${state} ${ref!.time.slice(0, 10)}`)
        .join(' -> ');
      say(`    v${v.version} ${v.state.padEnd(11)} ${v.fingerprint}`);
      if (trail) say(`        ${trail}`);
    }
  }
}
