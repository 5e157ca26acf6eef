/**
 * `npm run demo`: the whole life of the template's example keys, told step by step, in a
 * sandbox (sandbox.ts): a GitHub emulator on 127.0.0.1 serving a bare repository, the demo
 * age identity, a virtual clock. Every step is the real thing a workflow or a person does:
 *
 * - the scheduled rotate and revoke workflows run the `rotate` and `revoke` commands through
 *   the real GitHub adapters with an App token, and open PRs;
 * - the verify workflow runs `verify-pull` and records the required check (pull-life.ts);
 * - alice and bob (not the author, not bots) approve; the branch rules refuse a merge before;
 * - the distribution job runs `distribute` on each new main commit (distribution.ts), and the
 *   demo opens what landed on the targets and compares it with key.yaml by fingerprint
 *   (targets-check.ts);
 * - an on-call engineer dispatches an emergency for a compromised key;
 * - a database login rotates on a real PostgreSQL server, with its login test (database.ts;
 *   skipped, saying why, without the server binaries);
 * - the `audit` command writes its report (report.ts).
 *
 * Nothing printed is secret. As a second line of defence every decrypted value the
 * distribution job masks is looked for in every line; a line carrying one is blanked and the
 * demo fails.
 */
import type { CheckoutState } from '../../adapters/git/commits.ts';
import { haltedKeys } from '../../commands/distribute/failures.ts';
import { revoke } from '../../commands/revoke.ts';
import { rotate, type EmergencyRequest, type KeyResult } from '../../commands/rotate.ts';
import { loadSnapshot } from '../../core/load-snapshot.ts';
import type { SopsCodec } from '../../core/ports/sops.ts';
import { BuiltinSopsCodec } from '../../crypto/sops/index.ts';
import { databaseRotation } from './database.ts';
import { runDistribution } from './distribution.ts';
import {
  describeChecks,
  describeDistribution,
  describeKeys,
  describeOpened,
  keysOf,
} from './narrate.ts';
import { reviewAndMerge } from './pull-life.ts';
import { rewrapStep } from './rewrap-step.ts';
import { writeAuditReport } from './report.ts';
import { KEYS_REPO, openSandbox } from './sandbox.ts';
import { checkTargets, type TargetCheck } from './targets-check.ts';

export interface DemoOptions {
  /** The template repository whose example content the sandbox starts from. */
  readonly templateDir: string;
  /** The demo age identity (`AGE-SECRET-KEY-1...` lines): only the distribution job holds it. */
  readonly identities: readonly string[];
  /** Where the audit report goes; a new folder under os.tmpdir() when absent. */
  readonly outDir?: string;
  readonly say: (line: string) => void;
  /** Aborted (Ctrl-C): the demo stops before its next step and removes the sandbox. */
  readonly signal?: AbortSignal;
  /** Tests: wraps both codecs (to register every secret that passes with the canary). */
  readonly wrapCodec?: (codec: SopsCodec) => SopsCodec;
}

export interface DemoResult {
  /** Every step that ran did what it should. */
  readonly ok: boolean;
  /** What went wrong, secret-free. */
  readonly problems: readonly string[];
  /** Every read-back of a target after a distribution. */
  readonly checks: readonly TargetCheck[];
  /** The audit report's files, when it was written. */
  readonly report: readonly string[];
}

/** The virtual clock's stops; inside both policies' review windows (Tue-Thu, 10:30 Berlin). */
export const T = {
  imported: new Date('2026-11-23T08:00:00Z'),
  cleanup: new Date('2026-12-02T09:30:00Z'),
  rotation: new Date('2027-02-10T09:30:00Z'),
  promotion: new Date('2027-02-16T09:30:00Z'),
  revocation: new Date('2027-02-24T09:30:00Z'),
  incident: new Date('2027-02-24T11:30:00Z'),
};
const RUN = 'https://github.example/acme/keys/actions/runs/demo';
const minutes = (d: Date, m: number) => new Date(d.getTime() + m * 60_000);
const stamp = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
const days = (a: Date, b: Date) => Math.round((b.getTime() - a.getTime()) / 86_400_000);
type Opened = Extract<KeyResult, { outcome: 'created' }>;

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const wrap = opts.wrapCodec ?? ((c: SopsCodec) => c);
  // The rotate job holds no identity: it encrypts to .sops.yaml's recipient and cannot decrypt.
  const encryptOnly = wrap(new BuiltinSopsCodec({ identities: [] }));
  const distributionCodec = wrap(new BuiltinSopsCodec({ identities: [...opts.identities] }));
  const problems: string[] = [];
  const checks: TargetCheck[] = [];
  const masked = new Set<string>();
  let report: readonly string[] = [];
  const say = (line: string): void => {
    let out = line;
    for (const m of masked) if (out.includes(m)) out = out.split(m).join('***');
    if (out !== line) problems.push('a secret value reached the output (blanked)');
    opts.say(out);
  };
  const section = (at: Date, title: string) => {
    opts.signal?.throwIfAborted();
    say(`\n== ${stamp(at)} UTC  ${title}`);
  };

  const sb = await openSandbox({ templateDir: opts.templateDir, start: T.imported });
  try {
    say('rekey demo: three example keys live through rotation, review, distribution,');
    say('revocation and an emergency, on a sandbox GitHub. Nothing printed is secret.');
    say(`  GitHub      an emulator at ${sb.emu.apiUrl} (loopback only)`);
    say(`  repository  ${KEYS_REPO}: the template's .sops.yaml, policies/ and keys-manifest/`);
    say('  targets     secrets in acme/payments-api and acme/identity-service,');
    say('              a deploy key on acme/infra-config, a JWKS file');
    say('  who         rekey[bot] opens PRs (an App token; it encrypts, it cannot decrypt);');
    say(
      '              alice and bob review and merge; the distribution job holds the age identity',
    );
    say('  time        a virtual clock: months pass in seconds');

    /** The distribution job on main's new head, then the read-back of every target. */
    const distribute = async (focus?: readonly string[]): Promise<void> => {
      opts.signal?.throwIfAborted();
      const main = await sb.checkout();
      sb.setClock(minutes(sb.now(), 5));
      const run = await runDistribution(sb, main, distributionCodec, (v) => masked.add(v), RUN);
      for (const l of describeDistribution(run)) say(`    ${l}`);
      if (run.status !== 'success')
        problems.push(`distribution of ${main.sha.slice(0, 12)}: ${run.outcome}`);
      const keys = keysOf(main);
      const mine = await checkTargets(sb, keys);
      checks.push(...mine);
      for (const l of describeChecks(mine, keys, focus)) say(`    ${l}`);
      for (const c of mine)
        if (!c.ok) problems.push(`${c.keyId}: ${c.where} does not hold what key.yaml says`);
    };

    /**
     * What a scheduled run did per key; then each new PR is verified, approved and merged, and
     * the distribution job runs once on main's head (on GitHub every merge starts a run, and
     * the shared concurrency group cancels the pending runs older pushes started).
     */
    let refusalShown = false;
    const followUp = async (base: CheckoutState, keys: readonly KeyResult[]) => {
      const opened: Opened[] = [];
      for (const k of keys) {
        if (k.outcome === 'created') opened.push(k);
        say(
          `  ${k.outcome === 'created' ? describeOpened(k) : `${k.keyId}: ${k.outcome}${'reason' in k ? `: ${k.reason}` : ''}`}`,
        );
      }
      const snap = loadSnapshot(base.tree).snapshot;
      const merged: string[] = [];
      for (const k of opened) {
        say(`  PR #${k.pull.number} (${k.keyId})`);
        const policy = snap.policies.get(snap.keys.get(k.keyId)!.value.policy)!.value;
        const end = await reviewAndMerge(sb, { ...k, number: k.pull.number }, base, policy, say, {
          showRefusedMerge: !refusalShown,
        });
        refusalShown = true;
        if (end.merged) merged.push(k.keyId);
        else problems.push(`PR #${k.pull.number} (${k.keyId}): ${end.reason}`);
      }
      if (merged.length > 0) {
        say(`  the push to main starts the distribution workflow`);
        await distribute(merged);
      }
      return opened.length;
    };

    const rotateRun = async (at: Date, emergency?: EmergencyRequest) => {
      sb.setClock(at);
      const base = await sb.checkout();
      const result = await rotate(
        {
          ...base,
          now: at,
          run: RUN,
          // As the rotate action does: keys whose distribution is halted are left alone.
          halted: () => haltedKeys(sb.rekey.issues),
          ...(emergency ? { emergency } : {}),
        },
        { ...sb.rekey, codec: encryptOnly },
      );
      if (result.kind !== 'applied') {
        problems.push(`rotate at ${stamp(at)}: ${result.kind}`);
        return 0;
      }
      return followUp(base, result.keys);
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
      return followUp(
        base,
        result.keys.filter((k) => !(k.outcome === 'skipped' && k.reason.startsWith('gate closed'))),
      );
    };

    section(T.imported, 'day 0: the template is imported into acme/keys');
    {
      const main = await sb.checkout();
      const keys = keysOf(main);
      const versions = [...keys.values()].reduce((n, k) => n + k.versions.length, 0);
      say(
        `  main at ${main.sha.slice(0, 12)}: ${keys.size} keys, ${versions} versions; the push starts the distribution job`,
      );
      await distribute();
    }

    section(T.cleanup, `${days(T.imported, T.cleanup)} days later: the scheduled revoke workflow`);
    say('  the template came with deactivated versions; each may be destroyed once its successor');
    say("  was proven distributed (the status of day 0) and the policy's grace has passed");
    if ((await revokeRun(T.cleanup)) === 0) problems.push('the first revocation opened no PR');

    section(T.rotation, `${days(T.cleanup, T.rotation)} days later: the scheduled rotate workflow`);
    say('  a key is due when its active version reaches its cryptoperiod minus rotate-before');
    if ((await rotateRun(T.rotation)) === 0) problems.push('the scheduled rotation opened no PR');

    section(
      T.promotion,
      `${days(T.rotation, T.promotion)} days later: rotate and revoke run again`,
    );
    say('  rotate: a prepublished version is promoted once its distribution is proven');
    await rotateRun(T.promotion);
    say('  revoke: an old version may go once its successor was proven distributed, plus grace');
    await revokeRun(T.promotion);

    section(
      T.revocation,
      `${days(T.promotion, T.revocation)} days later: the grace periods have passed`,
    );
    if ((await revokeRun(T.revocation)) === 0)
      problems.push('the scheduled revocation opened no PR');

    section(T.incident, 'incident: the deploy key of infra/deploy-ssh was pasted into a CI log');
    say('  on-call dispatches the rotate workflow: key infra/deploy-ssh, compromised: yes');
    const emergency = {
      key: 'infra/deploy-ssh',
      reason: 'private key pasted into a CI log',
      compromised: true,
    };
    if ((await rotateRun(T.incident, emergency)) === 0) problems.push('the emergency opened no PR');
    say('  revoke: a compromised version needs no grace');
    await revokeRun(minutes(T.incident, 45));

    section(minutes(T.incident, 50), 'a database login: a postgres-role target');
    say('  alternating users, as AWS Secrets Manager rotates them; the login test is the probe');
    problems.push(...(await databaseRotation(say, (v) => void masked.add(v))));

    const rewrapAt = minutes(T.incident, 55);
    sb.setClock(rewrapAt);
    section(rewrapAt, '.sops.yaml gains a recipient: the re-wrap PR');
    await rewrapStep(sb, {
      say,
      problems,
      codec: distributionCodec,
      rewrapper: new BuiltinSopsCodec({ identities: [...opts.identities] }),
      mask: (v) => masked.add(v),
      runUrl: RUN,
      distribute: () => distribute(),
    });

    const end = minutes(T.incident, 65);
    sb.setClock(end);
    section(end, 'where every key stands on main');
    for (const l of describeKeys(await sb.checkout())) say(`  ${l}`);

    say('\n  the audit report over the whole history (audit command). The demo skips the daily');
    say('  scheduled runs between its stops, and the template arrived with a history of its own:');
    say('  an auditor sees both in the findings.');
    const audit = await writeAuditReport(sb, opts.outDir, end);
    for (const l of audit.lines) say(`  ${l}`);
    report = audit.files;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    problems.push(why);
    say(`\ndemo stopped: ${why}`);
  } finally {
    await sb.close();
  }
  const ok = problems.length === 0;
  say(ok ? '\ndemo complete; the sandbox is removed' : `\ndemo FAILED: ${problems.join('; ')}`);
  for (const f of report) say(`report: ${f}`);
  return { ok, problems, checks, report };
}
