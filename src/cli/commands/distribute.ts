import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { readCheckout } from '../../adapters/git/commits.ts';
import { createGitHubPorts } from '../../adapters/github/index.ts';
import { createStateRefAdapter } from '../../adapters/github/refs.ts';
import { assertCanDistribute } from '../../adapters/github/token.ts';
import { loadAgeIdentities } from '../../adapters/sops-identities.ts';
import { createHttpsProbe, createTargetPorts } from '../../adapters/targets/index.ts';
import { distribute, renderDistributeSummary } from '../../commands/distribute/index.ts';
import { durationMs } from '../../core/duration.ts';
import { keyId } from '../../core/formats/index.ts';
import { loadSnapshot } from '../../core/load-snapshot.ts';
import { BuiltinSopsCodec } from '../../crypto/sops/index.ts';
import { EXIT, parse, UsageError, type CliCommand } from '../args.ts';
import { cliProgress } from '../output.ts';
import {
  cliClient,
  cliHolder,
  cliRepository,
  cliToken,
  cliTokenKind,
  scrubber,
  type ClientOverrides,
} from '../github.ts';
import { repoDir } from '../repo.ts';

const help = `Usage: rekey distribute [--dry-run] [--resume KEY-ID]... [--concurrency N]
                       [--lease-wait 5m] [--output-dir DIR] [--evidence FILE]
                       [--dir DIR] [--repo OWNER/NAME]

What the distribute action does, from a local clone (--dir, default the working directory)
whose HEAD is the head of the default branch on GitHub: takes the distribution lease as
cli:<user>@<host>:<pid>, decrypts each key's versions with the age identities in
SOPS_AGE_KEY / SOPS_AGE_KEY_FILE, writes secrets, deploy keys and files (--output-dir, default
rekey-files in the clone), sets the rekey/distribution status on the commit and opens or
updates failure issues. --dry-run plans and writes nothing. The evidence JSON goes to
--evidence (default rekey-distribution.json in the clone). No value is ever printed.

The token comes from REKEY_TOKEN, GITHUB_TOKEN or GH_TOKEN (a GitHub App installation token
with secrets/administration write; a workflow's GITHUB_TOKEN is refused when recognised).
The repository is --repo, else the origin remote; GITHUB_API_URL / GITHUB_SERVER_URL for GHES.

Exit: 0 converged, dry run, busy or superseded; 1 some key failed, preflight failed or the
manifest is invalid, or the clone is not at the default branch head; 2 usage or configuration
error.
`;

const FAILING = new Set(['failed', 'preflight-failed', 'invalid']);

/** The command, with client settings tests override (the throttle); `distributeCommand` uses none. */
export function distributeCommandWith(client: ClientOverrides = {}): CliCommand {
  return {
    name: 'distribute',
    summary: 'push each key to its targets from a local clone (as the distribute action)',
    help,
    async run(argv, rawIo) {
      const { values } = parse('distribute', argv, {
        'dry-run': { type: 'boolean', default: false },
        resume: { type: 'string', multiple: true },
        concurrency: { type: 'string', default: '4' },
        'lease-wait': { type: 'string', default: '5m' },
        'output-dir': { type: 'string' },
        evidence: { type: 'string' },
        dir: { type: 'string' },
        repo: { type: 'string' },
      });
      const concurrency = Number(values.concurrency);
      if (!/^\d+$/.test(values.concurrency) || concurrency < 1 || concurrency > 32)
        throw new UsageError('rekey distribute: --concurrency is a whole number from 1 to 32');
      if (!/^(0|[1-9]\d{0,3})(m|h)$/.test(values['lease-wait']))
        throw new UsageError('rekey distribute: --lease-wait is an integer and m or h, like 5m');
      const resume = (values.resume ?? []).flatMap((s) => s.split(/[\s,]+/).filter(Boolean));
      for (const id of resume)
        if (!keyId.safeParse(id).success)
          throw new UsageError(`rekey distribute: --resume: not a key id: ${JSON.stringify(id)}`);

      const token = cliToken(rawIo, 'distribute');
      const io = scrubber(rawIo);
      io.mask(token);
      assertCanDistribute(cliTokenKind(rawIo, token));
      const ages = await loadAgeIdentities({
        env: rawIo.env,
        homedir: rawIo.env.HOME || homedir(),
      });
      for (const id of ages.identities) io.mask(id);
      // postgres-role admin URLs carry a password: never echoed, masked all the same.
      for (const [name, value] of Object.entries(rawIo.env))
        if (name.startsWith('REKEY_PG_') && value) io.mask(value);
      if (ages.identities.length === 0)
        throw new UsageError(
          'rekey distribute: no age identity to decrypt keys-manifest/ with: set SOPS_AGE_KEY or SOPS_AGE_KEY_FILE',
        );
      io.stderr(`age identities from ${ages.sources.join(', ')}\n`);
      for (const ignored of ages.ignored)
        io.stderr(
          `warning: ${ignored} is set but not supported by rekey's built-in SOPS codec; ignored\n`,
        );

      const dir = repoDir(rawIo, values.dir);
      const at = await cliRepository('distribute', dir, values.repo);
      const { sha, tree } = await readCheckout(dir);
      const defaultBranch = loadSnapshot(tree).snapshot.pipeline['default-branch'];
      const gh = cliClient(rawIo, token, at.origin, client);
      const github = createGitHubPorts(gh, at);
      if (!values['dry-run']) {
        // The command checks this too (and again before writing); checked here first so a
        // stale clone gets a message about the clone, and no lease is taken.
        const head = await github.git.getBranchHead(defaultBranch);
        if (head?.commit !== sha) {
          io.stderr(
            `rekey distribute: the clone's HEAD ${sha.slice(0, 12)} is not the head of ${defaultBranch} on GitHub (${head ? head.commit.slice(0, 12) : 'no such branch'}): ` +
              `distribution runs on the default branch head only. Run \`git fetch origin && git checkout --detach origin/${defaultBranch}\` and try again. Nothing was written.\n`,
          );
          return EXIT.findings;
        }
      }
      const outputDir = path.resolve(dir, values['output-dir'] ?? 'rekey-files');
      mkdirSync(outputDir, { recursive: true, mode: 0o700 });
      const result = await distribute(
        {
          commit: sha,
          tree,
          defaultBranch,
          holder: cliHolder(),
          now: () => rawIo.now(),
          concurrency,
          dryRun: values['dry-run'],
          resume,
          leaseWaitMs: durationMs(values['lease-wait']),
          mask: io.mask,
          log: {
            info: (m) => io.stderr(`${m}\n`),
            warn: (m) => io.stderr(`warning: ${m}\n`),
          },
          progress: cliProgress({ now: () => rawIo.now(), stderr: (t) => io.stderr(t) }),
        },
        {
          git: github.git,
          statuses: github.statuses,
          issues: github.issues,
          state: createStateRefAdapter(gh, at),
          targets: createTargetPorts(gh, outputDir, { env: (n) => rawIo.env[n] }),
          probes: createHttpsProbe(),
          sops: new BuiltinSopsCodec({ identities: ages.identities }),
        },
      );
      const evidencePath = path.resolve(dir, values.evidence ?? 'rekey-distribution.json');
      mkdirSync(path.dirname(evidencePath), { recursive: true });
      writeFileSync(evidencePath, `${JSON.stringify(result.evidence, null, 2)}\n`);
      io.stdout(renderDistributeSummary(result));
      for (const k of result.keys)
        io.stdout(`${k.key}: ${k.outcome}${k.issue ? ` (${k.issue})` : ''}\n`);
      for (const p of result.problems) io.stderr(`error: ${p}\n`);
      if (result.outcome === 'superseded')
        io.stderr(
          `the default branch moved while this run prepared; fetch it and run again from its head\n`,
        );
      io.stdout(
        `rekey distribute: ${result.outcome} at ${sha}${result.status ? `, rekey/distribution = ${result.status}` : ''}\nwrote ${evidencePath}\n`,
      );
      return FAILING.has(result.outcome) ? EXIT.findings : EXIT.ok;
    },
  };
}

export const distributeCommand = distributeCommandWith();
