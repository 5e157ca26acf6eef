/**
 * The distribute action (DESIGN.md "Flows: distribute"): a push of the manifest to the default
 * branch, the daily retry, or a dispatch, on a full-history checkout of the default branch.
 * The token is checked before any request: distribution needs a GitHub App token, since
 * GITHUB_TOKEN can never be granted the secrets or administration permission. The age
 * identities come from SOPS_AGE_KEY / SOPS_AGE_KEY_FILE and are masked, never logged; every
 * decrypted value is masked by the command before anything is logged (`mask`).
 */
import * as core from '@actions/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { readCheckout } from '../adapters/git/commits.ts';
import { createGitHubClient } from '../adapters/github/client.ts';
import { createGitHubPorts, parseRepository } from '../adapters/github/index.ts';
import { createStateRefAdapter } from '../adapters/github/refs.ts';
import { assertCanDistribute, classifyToken } from '../adapters/github/token.ts';
import { loadAgeIdentities } from '../adapters/sops-identities.ts';
import { createHttpsProbe, createTargetPorts } from '../adapters/targets/index.ts';
import { distribute, renderDistributeSummary } from '../commands/distribute/index.ts';
import { durationMs } from '../core/duration.ts';
import { keyId } from '../core/formats/index.ts';
import { loadSnapshot } from '../core/load-snapshot.ts';
import { BuiltinSopsCodec } from '../crypto/sops/index.ts';
import {
  actionProgress,
  booleanInput,
  inputs,
  runAction,
  runContext,
  runUrl,
  summary,
} from './runtime.ts';

const count = z.string().regex(/^\d+$/, 'an integer').transform(Number);
const FAILING = new Set(['failed', 'preflight-failed', 'invalid']);

await runAction(async () => {
  const ctx = runContext();
  const i = inputs(
    z.object({
      token: z.string().min(1, 'a GitHub App installation token is required'),
      'targets-token': z.string().optional(),
      'github-token': z.string().optional(),
      'dry-run': booleanInput.default(false),
      resume: z
        .string()
        .default('')
        .transform((s) => s.split(/[\s,]+/).filter(Boolean))
        .pipe(z.array(keyId)),
      concurrency: count.pipe(z.int().min(1).max(32)).default(4),
      'lease-wait': z
        .string()
        .regex(/^(0|[1-9]\d{0,3})(m|h)$/, 'an integer and m or h, like 5m')
        .default('5m'),
      'output-dir': z.string().default('rekey-files'),
      'evidence-path': z.string().optional(),
    }),
  );
  for (const t of [i.token, i['targets-token'], i['github-token']]) if (t) core.setSecret(t);
  assertCanDistribute(classifyToken(i.token, { githubToken: i['github-token'] }));
  // Least privilege: targets are written with their own token, limited to the target
  // repositories and the secrets/administration permissions; `token` keeps the keys repository.
  const targetsToken = i['targets-token'] ?? i.token;
  assertCanDistribute(classifyToken(targetsToken, { githubToken: i['github-token'] }));

  const ages = await loadAgeIdentities({ env: process.env, homedir: homedir() });
  for (const id of ages.identities) core.setSecret(id);
  if (ages.identities.length === 0)
    throw new Error(
      'no age identity to decrypt keys-manifest/ with: set SOPS_AGE_KEY from a secret of the ' +
        "distribution job's environment (or SOPS_AGE_KEY_FILE)",
    );
  core.info(`age identities from ${ages.sources.join(', ')}`);
  for (const ignored of ages.ignored)
    core.warning(`${ignored} is set but not supported by rekey's built-in SOPS codec; ignored`);

  const { sha, tree } = await readCheckout(ctx.workspace);
  const repository = ctx.event.repository as { default_branch?: unknown } | undefined;
  const defaultBranch =
    typeof repository?.default_branch === 'string'
      ? repository.default_branch
      : loadSnapshot(tree).snapshot.pipeline['default-branch'];
  if (!i['dry-run'] && ctx.ref !== `refs/heads/${defaultBranch}`)
    throw new Error(
      `distribution runs on the default branch ${defaultBranch} only; this run is on ${ctx.ref || 'an unknown ref'}`,
    );

  const client = createGitHubClient({
    token: i.token,
    apiUrl: ctx.apiUrl,
    serverUrl: ctx.serverUrl,
    userAgent: 'rekey',
    log: { debug: core.debug, info: core.info, warn: core.warning, error: core.error },
  });
  const targetsClient =
    targetsToken === i.token
      ? client
      : createGitHubClient({
          token: targetsToken,
          apiUrl: ctx.apiUrl,
          serverUrl: ctx.serverUrl,
          userAgent: 'rekey',
          log: { debug: core.debug, info: core.info, warn: core.warning, error: core.error },
        });
  const at = parseRepository(ctx.repository);
  const github = createGitHubPorts(client, at);
  const outputDir = path.resolve(ctx.workspace, i['output-dir']);
  mkdirSync(outputDir, { recursive: true, mode: 0o700 });
  const run = runUrl(ctx);
  const codec = new BuiltinSopsCodec({ identities: ages.identities });
  const result = await distribute(
    {
      commit: sha,
      tree,
      defaultBranch,
      holder: `${run}/attempts/${ctx.runAttempt}`,
      now: () => new Date(),
      runUrl: run,
      concurrency: i.concurrency,
      dryRun: i['dry-run'],
      resume: i.resume,
      leaseWaitMs: durationMs(i['lease-wait']),
      mask: core.setSecret,
      log: { info: core.info, warn: core.warning },
      progress: actionProgress(),
    },
    {
      git: github.git,
      statuses: github.statuses,
      issues: github.issues,
      state: createStateRefAdapter(client, at),
      // postgres-role targets read their admin URL (REKEY_PG_*) from the job's environment.
      targets: createTargetPorts(targetsClient, outputDir, { env: (n) => process.env[n] }),
      sops: codec,
      // Keys whose material .sops.yaml wants re-wrapped: the rekey/rewrap PR (pull-requests: write).
      rewrap: { git: github.git, pulls: github.pulls, codec },
      probes: createHttpsProbe(),
    },
  );

  const evidencePath = path.resolve(
    i['evidence-path'] || path.join(process.env.RUNNER_TEMP || tmpdir(), 'rekey-distribution.json'),
  );
  mkdirSync(path.dirname(evidencePath), { recursive: true });
  writeFileSync(evidencePath, `${JSON.stringify(result.evidence, null, 2)}\n`);
  await summary(renderDistributeSummary(result));

  const failed = result.keys.filter((k) => k.outcome === 'failed' || k.outcome === 'halted');
  core.setOutput('outcome', result.outcome);
  core.setOutput('status', result.status ?? '');
  core.setOutput('evidence-path', evidencePath);
  core.setOutput('failed-keys', JSON.stringify(failed.map((k) => k.key)));
  for (const k of result.keys) core.info(`${k.key}: ${k.outcome}${k.issue ? ` (${k.issue})` : ''}`);
  for (const p of result.problems) core.error(p);

  const line = `rekey distribute: ${result.outcome} at ${sha}${result.status ? `, rekey/distribution = ${result.status}` : ''}`;
  if (FAILING.has(result.outcome)) core.setFailed(line);
  else if (result.outcome === 'superseded' || result.outcome === 'busy') core.notice(line);
  else core.info(line);
});
