/**
 * The demo's proof of distribution, independent of the distribute command: every target of
 * every key on main is read back from where distribution wrote it, and compared with key.yaml
 * by fingerprint.
 *
 * - GitHub secrets are opened with the private key the emulator kept for the scope
 *   (`openSecret`), the way only the consuming workflow could open them on GitHub; the value
 *   is fingerprinted at once and never leaves this function.
 * - Deploy keys are listed through the REST API; their public keys are fingerprinted.
 * - `jwks` files are read from the output folder; each `kid` is a version's fingerprint.
 *
 * What must be there: the active version in `name`, the newest deactivated one in `previous`
 * (and nothing when there is none); the active and deactivated versions as deploy keys and
 * nothing else rekey added; pre-activation, active and deactivated public keys in a JWKS.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { managedDeployKeyVersion } from '../../core/targets/desired.ts';
import type { KeyDocument } from '../../core/formats/index.ts';
import { fingerprintOf } from '../../crypto/keys/index.ts';
import type { Sandbox } from './sandbox.ts';

export interface TargetCheck {
  readonly keyId: string;
  /** Where: `acme/payments-api (production) WEBHOOK_SIGNING_KEY`, a deploy key, a file. */
  readonly where: string;
  /** What key.yaml wants there: versions and their fingerprints; empty: nothing. */
  readonly want: readonly { version: number; fingerprint: string }[];
  /** The fingerprints found there (computed from what was opened or read). */
  readonly found: readonly string[];
  readonly ok: boolean;
}

const newestFirst = (k: KeyDocument, ...states: string[]) =>
  k.versions.filter((v) => states.includes(v.state)).sort((a, b) => b.version - a.version);

function check(
  keyId: string,
  where: string,
  want: TargetCheck['want'],
  found: string[],
): TargetCheck {
  const expected = want.map((w) => w.fingerprint).sort();
  const got = [...found].sort();
  const ok = expected.length === got.length && expected.every((f, i) => f === got[i]);
  return { keyId, where, want, found: got, ok };
}

export async function checkTargets(
  sb: Sandbox,
  keys: ReadonlyMap<string, KeyDocument>,
): Promise<TargetCheck[]> {
  const out: TargetCheck[] = [];
  for (const [keyId, key] of keys) {
    for (const t of key.targets) {
      if (t.kind === 'github-secret') {
        if (t.repository === undefined) continue; // organization secrets: not in the example
        const scope = {
          app: t.app ?? 'actions',
          repository: t.repository,
          ...(t.environment === undefined ? {} : { environment: t.environment }),
        };
        const names = new Set(sb.emu.secretNames(scope));
        const slots: [string, ReturnType<typeof newestFirst>[number] | undefined][] = [
          [t.name, newestFirst(key, 'active')[0]],
        ];
        if (t.previous !== undefined) slots.push([t.previous, newestFirst(key, 'deactivated')[0]]);
        for (const [name, version] of slots) {
          const found = names.has(name)
            ? [
                await fingerprintOf(
                  key.type,
                  { secret: sb.emu.openSecret(scope, name) },
                  key.options,
                ),
              ]
            : [];
          const where = `${t.repository}${t.environment ? ` (${t.environment})` : ''} secret ${name}`;
          out.push(check(keyId, where, version ? [version] : [], found));
        }
      } else if (t.kind === 'github-deploy-key') {
        const [owner, repo] = t.repository.split('/') as [string, string];
        const listed = await sb.distributor.targets.octokit.request(
          'GET /repos/{owner}/{repo}/keys',
          {
            owner,
            repo,
            per_page: 100,
          },
        );
        const found: string[] = [];
        for (const k of listed.data)
          if (managedDeployKeyVersion(k.title, keyId) !== null)
            found.push(await fingerprintOf('ssh-ed25519', { secret: '', public: k.key }));
        out.push(
          check(
            keyId,
            `${t.repository} deploy keys`,
            newestFirst(key, 'active', 'deactivated'),
            found,
          ),
        );
      } else if (t.kind === 'file' && t.format === 'jwks') {
        const text = await readFile(join(sb.outputDir, t.path), 'utf8').catch(() => null);
        const found =
          text === null
            ? []
            : (JSON.parse(text) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
        out.push(
          check(
            keyId,
            `file ${t.path}`,
            newestFirst(key, 'pre-activation', 'active', 'deactivated'),
            found,
          ),
        );
      }
    }
  }
  return out;
}
