/**
 * The local sandbox demo: the template's example keys live through rotation, verification,
 * merge, a distribution check, promotion, revocation and an emergency, in a real git
 * repository on a virtual clock. Every step calls the same use cases the actions and the CLI
 * call; nothing is simulated except time and GitHub (review and merge are local git merges,
 * and "distribution" is the preflight a distribution job runs: decrypt every live version,
 * verify its MAC and that its fingerprint equals key.yaml's).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyToWorkdir } from '../../adapters/workdir.ts';
import { buildHistoryIndex } from '../../adapters/git/history.ts';
import { readTreeAtRef } from '../../adapters/git/tree.ts';
import { readWorkingTree } from '../../adapters/files/working-tree.ts';
import { planTree, validateTree } from '../../commands/inspect.ts';
import {
  prepareEmergency,
  preparePromotion,
  prepareRevocation,
  prepareRotation,
  type PreparedChange,
} from '../../commands/changes.ts';
import { formatDiagnostic } from '../../core/diagnostics.ts';
import { materialFile, type KeyDocument } from '../../core/formats/index.ts';
import {
  gateEvidence,
  revocationGate,
  type DistributionRecord,
} from '../../core/lifecycle/index.ts';
import { loadSnapshot } from '../../core/load-snapshot.ts';
import { durationMs } from '../../core/duration.ts';
import type { FileTree } from '../../core/snapshot.ts';
import type { SopsConfig } from '../../core/sops-config.ts';
import { verifyTrees } from '../../core/verify/verify-trees.ts';
import { parseMaterialPlaintext, verifyMaterial } from '../../crypto/keys/index.ts';
import type { SopsCodec } from '../../core/ports/sops.ts';
import { LocalGit } from './local-git.ts';

export interface DemoOptions {
  /** The template repository whose example content the demo starts from. */
  readonly templateDir: string;
  /** A codec holding the demo identity (decrypts) and encrypting to the demo recipient. */
  readonly codec: SopsCodec;
  readonly sopsConfig: (tree: FileTree) => SopsConfig;
  readonly say: (line: string) => void;
  /** Keep the sandbox repository for inspection instead of removing it. */
  readonly keep?: boolean;
}

export interface DemoResult {
  readonly ok: boolean;
  readonly repo?: string;
}

const T = {
  imported: new Date('2026-11-23T08:00:00Z'),
  schedule: new Date('2027-02-10T09:30:00Z'),
  promote: new Date('2027-02-16T09:30:00Z'),
  revoke: new Date('2027-02-24T09:30:00Z'),
};
const minutes = (d: Date, m: number) => new Date(d.getTime() + m * 60_000);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const branchOf = (c: PreparedChange) =>
  `rekey/${c.action === 'revoke' ? 'revoke' : c.action === 'promote' ? 'promote' : c.action === 'emergency' ? 'emergency' : 'rotate'}/${c.keyId}`;

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const dir = await mkdtemp(join(tmpdir(), 'rekey-demo-'));
  const { say, codec } = opts;
  const git = new LocalGit(dir);
  /** The demo's stand-in for `rekey/distribution` commit statuses on main. */
  const statuses = new Map<string, { state: 'success' | 'failure'; at: string }>();
  let failures = 0;
  const time = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

  const main = () => readTreeAtRef(dir, 'main');

  /** Opens a "PR": a branch with the change, checked by verify against main. */
  async function propose(change: PreparedChange, at: Date, gate = false): Promise<boolean> {
    const base = await main();
    await git.checkout(branchOf(change), true);
    await applyToWorkdir(dir, change.files);
    await git.commitAll(change.message, at);
    const head = await readWorkingTree(dir);
    const result = verifyTrees(base, head, {
      now: at,
      ...(gate ? { gate: await gateAt(at) } : {}),
    });
    await git.checkout('main');
    const moves = change.moves.map((m) => `v${m.version} ${m.from ?? 'new'} -> ${m.to}`).join(', ');
    say(`  PR ${branchOf(change)}: ${moves} (fingerprint ${change.fingerprint})`);
    if (result.diagnostics.length > 0) {
      failures += 1;
      for (const d of result.diagnostics) say(`    verify: ${formatDiagnostic(d)}`);
      return false;
    }
    say(`    verify: ${result.kind}, 0 violations`);
    return true;
  }

  async function mergeAndDistribute(change: PreparedChange, at: Date): Promise<void> {
    const sha = await git.merge(branchOf(change), `Merge ${branchOf(change)}`, at);
    say(
      `    merged as ${sha.slice(0, 12)} (on GitHub: after the policy's approvals, by someone other than the author)`,
    );
    await distribute(sha, minutes(at, 10));
  }

  /** The distribution preflight on main: decrypt, MAC, fingerprint, for every live version. */
  async function distribute(sha: string, at: Date): Promise<void> {
    const snap = loadSnapshot(await main()).snapshot;
    const tree = await main();
    let checked = 0;
    let bad = 0;
    for (const [id, key] of snap.keys) {
      for (const v of key.value.versions) {
        if (v.state === 'destroyed') continue;
        const path = materialFile(id, v.version);
        const m = parseMaterialPlaintext(dec(await codec.decrypt(path, tree.get(path)!)), path);
        const check = await verifyMaterial(key.value.type, m, key.value.options);
        const ok =
          check.ok && check.fingerprint === v.fingerprint && m.id === id && m.version === v.version;
        checked += 1;
        if (!ok) {
          bad += 1;
          say(`    distribution: ${path} does not match key.yaml`);
        }
      }
    }
    statuses.set(sha, {
      state: bad === 0 ? 'success' : 'failure',
      at: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    say(
      `    distribution check at ${sha.slice(0, 12)}: ${checked} live versions decrypted, MAC verified, fingerprints match key.yaml${bad ? `; ${bad} FAILED` : ''}`,
    );
    if (bad) failures += 1;
  }

  async function gateAt(now: Date) {
    const history = await buildHistoryIndex(dir, 'main');
    const firstParent: DistributionRecord[] = (await git.firstParent()).map((sha) => {
      const status = statuses.get(sha);
      return status ? { sha, status } : { sha };
    });
    return revocationGate(
      gateEvidence({ base: loadSnapshot(await main()).snapshot, history, firstParent, now }),
    );
  }

  async function scheduledRun(at: Date): Promise<void> {
    const tree = await main();
    const history = await buildHistoryIndex(dir, 'main');
    const outcome = planTree({ tree, now: at, history });
    if (outcome.kind === 'invalid') throw new Error('the sandbox manifest is invalid');
    for (const step of outcome.plan.steps) {
      say(`  plan ${step.kind.padEnd(7)} ${step.keyId}: ${step.reason}`);
      if (step.kind === 'rotate') {
        const change = await prepareRotation(
          await main(),
          step.keyId,
          {
            now: at,
            sopsConfig: opts.sopsConfig(tree),
            prepublish: step.state === 'pre-activation',
            run: 'sandbox',
          },
          { codec },
        );
        if (await propose(change, at)) await mergeAndDistribute(change, minutes(at, 30));
      } else if (step.kind === 'promote') {
        const proven = await Promise.all(step.preconditions.map((p) => provenSince(p.since)));
        if (!proven.every(Boolean)) {
          say(`    not promoted: distribution of the new version is not proven yet`);
          continue;
        }
        const change = preparePromotion(await main(), step.keyId, { run: 'sandbox' });
        if (await propose(change, at)) await mergeAndDistribute(change, minutes(at, 30));
      }
    }
  }

  /** A `rekey/distribution` success on main at or after `since` (the promotion precondition). */
  async function provenSince(since: string | undefined): Promise<boolean> {
    if (since === undefined) return false;
    const commits = await git.firstParent();
    const from = commits.indexOf(since);
    return from >= 0 && commits.slice(from).some((sha) => statuses.get(sha)?.state === 'success');
  }

  async function revocationRun(at: Date): Promise<void> {
    const snap = loadSnapshot(await main()).snapshot;
    const gate = await gateAt(at);
    for (const [id, key] of snap.keys) {
      const candidates = key.value.versions.filter(
        (v) => v.state === 'deactivated' || v.state === 'compromised',
      );
      const open = candidates.filter((v) => {
        const verdict = gate(id, v.version, { state: v.state as 'deactivated' | 'compromised' });
        say(`  gate ${id} v${v.version}: ${verdict.open ? 'open' : 'closed'}, ${verdict.reason}`);
        return verdict.open;
      });
      if (open.length === 0) continue;
      const change = prepareRevocation(
        await main(),
        id,
        open.map((v) => v.version),
        { run: 'sandbox' },
      );
      if (await propose(change, at, true)) await mergeAndDistribute(change, minutes(at, 30));
    }
  }

  try {
    say(`rekey sandbox: a git repository at ${dir}, a virtual clock, the demo age identity\n`);
    await git.init();
    for (const p of ['.sops.yaml', 'policies', 'keys-manifest'])
      await cp(join(opts.templateDir, p), join(dir, p), { recursive: true });
    const imported = await git.commitAll('chore: import the rekey template', T.imported);
    const v = validateTree(await main(), T.imported);
    say(
      `${time(T.imported)}  template imported as ${imported.slice(0, 12)}: ${v.counts.keys} keys, ${v.counts.versions} versions, ${v.diagnostics.length} problems`,
    );
    await distribute(imported, minutes(T.imported, 10));

    say(`\n${time(T.schedule)}  scheduled rotate run (79 days later)`);
    await scheduledRun(T.schedule);

    say(
      `\n${time(T.schedule)}  a hand-edited change that breaks the lifecycle is refused by verify:`,
    );
    {
      const tree = await main();
      const path = 'keys-manifest/payments/webhook-signing/key.yaml';
      const text = dec(tree.get(path)!);
      const tampered = text.replace(/(version: 2, state: )deactivated/, '$1active');
      const result = verifyTrees(
        tree,
        new Map(tree).set(path, new TextEncoder().encode(tampered)),
        { now: T.schedule },
      );
      for (const d of result.diagnostics) say(`    verify: ${formatDiagnostic(d)}`);
      if (result.diagnostics.length === 0) failures += 1;
    }

    say(
      `\n${time(T.promote)}  scheduled rotate run: prepublished versions whose time has come are promoted`,
    );
    await scheduledRun(T.promote);
    say(`\n${time(T.promote)}  scheduled revoke run: the gate waits for the grace period`);
    await revocationRun(T.promote);

    say(`\n${time(T.revoke)}  scheduled revoke run (grace passed)`);
    await revocationRun(T.revoke);

    const incident = minutes(T.revoke, 120);
    say(`\n${time(incident)}  emergency dispatch: infra/deploy-ssh's active key was exposed`);
    const snap = loadSnapshot(await main()).snapshot;
    const active = snap.keys
      .get('infra/deploy-ssh')!
      .value.versions.find((x) => x.state === 'active')!;
    const emergency = await prepareEmergency(
      await main(),
      'infra/deploy-ssh',
      {
        now: incident,
        sopsConfig: opts.sopsConfig(await main()),
        reason: 'private key printed in a CI log',
        compromised: true,
        run: 'sandbox',
      },
      { codec },
    );
    if (await propose(emergency, incident))
      await mergeAndDistribute(emergency, minutes(incident, 15));
    say(`  v${active.version} is compromised: it leaves every target at once and needs no grace`);
    await revocationRun(minutes(incident, 40));

    const end = minutes(incident, 60);
    const final = validateTree(await main(), end);
    say(
      `\n${time(end)}  main: ${final.counts.keys} keys, ${final.counts.versions} versions, ${final.diagnostics.length} problems`,
    );
    const history = await buildHistoryIndex(dir, 'main');
    for (const [id, key] of loadSnapshot(await main()).snapshot.keys) {
      say(
        `  ${id} (${key.value.type}, policy ${key.value.policy}, cryptoperiod ${Math.round(durationMs(policyOf(snap, key.value)) / 86_400_000)} d)`,
      );
      for (const ver of key.value.versions) {
        const entered = history.keys.get(id)?.versions.get(ver.version)?.entered ?? {};
        const trail = Object.entries(entered)
          .map(([state, ref]) => `${state} ${ref!.time.slice(0, 10)} ${ref!.sha.slice(0, 7)}`)
          .join(' -> ');
        say(`    v${ver.version} ${ver.state.padEnd(11)} ${ver.fingerprint.padEnd(52)} ${trail}`);
      }
    }
    const ok = failures === 0 && final.diagnostics.length === 0;
    say(
      `\n${ok ? 'demo complete' : `demo FAILED (${failures} unexpected results)`}; ${opts.keep ? `repository kept at ${dir}` : 'sandbox removed'}`,
    );
    return { ok, ...(opts.keep ? { repo: dir } : {}) };
  } finally {
    if (!opts.keep) await rm(dir, { recursive: true, force: true });
  }
}

function policyOf(snap: ReturnType<typeof loadSnapshot>['snapshot'], key: KeyDocument): string {
  return snap.policies.get(key.policy)?.value.cryptoperiod ?? '0d';
}
