import { doctor } from '../../commands/doctor.ts';
import { formatDoctorText } from '../../core/doctor/report.ts';
import { createGitHubClient } from '../../adapters/github/client.ts';
import { parseRepository } from '../../adapters/github/index.ts';
import { createRepoSettingsAdapter } from '../../adapters/github/repo-settings.ts';
import { createReviewerLookupAdapter } from '../../adapters/github/reviewers.ts';
import { classifyToken, describeTokenKind } from '../../adapters/github/token.ts';
import { readWorkingTree } from '../../adapters/files/working-tree.ts';
import { githubEndpoints, originUrl } from '../remote.ts';
import { EXIT, parse, parseNow, UsageError, type CliCommand } from '../args.ts';
import { doctorReportJson } from '../../core/reports/index.ts';
import { printJson } from '../output.ts';
import { repoDir } from '../repo.ts';

const help = `Usage: rekey doctor [--dir DIR] [--repo OWNER/NAME] [--json | --format text|json]
                    [--verify-check NAME] [--now ISO]

Checks a repository's setup against rekey's design, each finding with a rule id, a
severity, where (file:line for local files) and how to fix it (docs/doctor.md):

  local   workflow hardening, the shared concurrency group rekey-mutations, the token each
          rekey step is given, the distribute job's id-token against the aws-secret targets,
          CODEOWNERS covering keys-manifest/ and .sops.yaml, the .sops.yaml recipients for
          keys-manifest material
  remote  the kind of token, a ruleset or branch protection on the default branch requiring
          the verify check (--verify-check, default "rekey verify") and a review, scheduled
          workflows enabled and recently run, every key owner and policy reviewer someone
          GitHub accepts in a review request (members read for teams)

The remote checks need a token in REKEY_TOKEN, GITHUB_TOKEN or GH_TOKEN (metadata and
actions read; administration read for classic protection) and the repository (--repo, else
GITHUB_REPOSITORY); GITHUB_API_URL selects GitHub Enterprise Server. Without them only the
local checks run, and the report lists the skipped ones and why. Doctor writes nothing.
--json (or --format json) prints rekey.doctor/v1 (docs/cli.md).

Exit: 0 no error-severity finding, 1 errors found, 2 usage or configuration error.
`;

/** What doctor reads of the checkout. */
const PREFIXES = [
  '.github/',
  'CODEOWNERS',
  'docs/CODEOWNERS',
  '.sops.yaml',
  'keys-manifest/',
  'policies/',
];

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: "check a repository's rekey setup (workflows, tokens, protection, CODEOWNERS, SOPS)",
  help,
  async run(argv, io) {
    const { values } = parse('doctor', argv, {
      dir: { type: 'string' },
      repo: { type: 'string' },
      format: { type: 'string', default: 'text' },
      json: { type: 'boolean', default: false },
      'verify-check': { type: 'string' },
      now: { type: 'string' },
    });
    if (values.format !== 'text' && values.format !== 'json')
      throw new UsageError(
        `rekey doctor: --format is text or json, not ${JSON.stringify(values.format)}`,
      );
    const json = values.json || values.format === 'json';
    const dir = repoDir(io, values.dir);
    const tree = await readWorkingTree(dir, PREFIXES);
    for (const s of tree.irregular ?? []) io.stderr(`warning: ${s.path} not read (${s.reason})\n`);
    const token = io.env.REKEY_TOKEN || io.env.GITHUB_TOKEN || io.env.GH_TOKEN;
    const repository = values.repo ?? io.env.GITHUB_REPOSITORY;
    let input: Parameters<typeof doctor>[0]['token'];
    let ports: Parameters<typeof doctor>[1];
    if (!token) input = { missing: 'no token: set REKEY_TOKEN, GITHUB_TOKEN or GH_TOKEN' };
    else if (!repository)
      input = { missing: 'no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY' };
    else {
      // The API of the clone's origin (a GHES clone talks to its server); the env wins.
      const client = createGitHubClient({
        token,
        ...githubEndpoints(io.env, await originUrl(dir)),
        userAgent: 'rekey-doctor',
      });
      const kind = classifyToken(token, {
        ...(io.env.GITHUB_ACTIONS === 'true' && io.env.GITHUB_TOKEN
          ? { githubToken: io.env.GITHUB_TOKEN }
          : {}),
      });
      io.stderr(`doctor reads ${repository} with ${describeTokenKind(kind)}\n`);
      input = { kind };
      const at = parseRepository(repository);
      ports = {
        settings: createRepoSettingsAdapter(client, at),
        reviewers: createReviewerLookupAdapter(client, at),
      };
    }
    const report = await doctor(
      {
        tree,
        now: parseNow(values.now, io),
        token: input,
        ...(values['verify-check'] ? { verifyCheck: values['verify-check'] } : {}),
      },
      ports,
    );
    io.stdout(json ? printJson(doctorReportJson(report)) : formatDoctorText(report));
    return report.errors === 0 ? EXIT.ok : EXIT.findings;
  },
};
