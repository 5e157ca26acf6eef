/**
 * Provenance of new key material (issue #10, deliverable 9): a new version of an existing key
 * must come from the App rekey runs as, not from a person. A person who generated the material
 * knows it, so "rotating" it that way replaces a secret nobody knew with one somebody does.
 *
 * A change that adds a version to a key the base branch has is refused as
 * `change/manual-rotation`, at that version's entry in key.yaml, when
 * - the pull request's author is not in the BASE branch's pipeline.yaml `pull-authors`, or
 * - a commit of the pull request that wrote the version's material file was authored or
 *   committed by someone who is not one of them (a person pushing onto the App's branch);
 * unless the BASE branch's pipeline.yaml says `manual-rotation: true` (a weaker mode). The
 * PR's own pipeline.yaml never decides: a PR cannot let itself through.
 *
 * Git author and committer fields are free text, so the commit check catches honest and
 * careless cases, not a forger; the PR author (GitHub's account) is the strong half. Pure.
 */
import type { Diagnostic } from '../diagnostics.ts';
import { violation } from '../lifecycle/rules.ts';
import type { KeyChange } from '../lifecycle/change.ts';
import { isPullAuthor } from '../rekey-pulls.ts';
import type { ManifestSnapshot } from '../snapshot.ts';

/** A git identity as a commit records it. */
export interface GitIdentity {
  readonly name: string;
  readonly email: string;
}

/** A commit of the pull request that wrote a material file. */
export interface MaterialCommit {
  readonly sha: string;
  readonly author: GitIdentity;
  readonly committer: GitIdentity;
}

/**
 * Whether a git identity is one of `logins` (`my-app[bot]`): GitHub writes an App's commits as
 * name `my-app[bot]`, email `<id>+my-app[bot]@users.noreply.github.com`. Both must agree, so
 * a bare name is not enough; still forgeable by anyone who sets these fields.
 */
export function isLoginIdentity(p: GitIdentity, logins: readonly string[]): boolean {
  const email = p.email.toLowerCase();
  return logins.some((login) => {
    const l = login.toLowerCase();
    return (
      p.name.toLowerCase() === l &&
      (email === `${l}@users.noreply.github.com` ||
        new RegExp(`^\\d+\\+${l.replace(/[[\]]/g, '\\$&')}@users\\.noreply\\.github\\.com$`).test(
          email,
        ))
    );
  });
}

/** The versions a change adds to keys the base has: what provenance applies to. */
export function addedVersions(
  keys: readonly KeyChange[],
  base: ManifestSnapshot,
): { keyId: string; version: number; file: string }[] {
  return keys.flatMap((k) =>
    base.keys.has(k.keyId)
      ? k.moves
          .filter((m) => m.from === undefined && m.to !== undefined)
          .map((m) => ({
            keyId: k.keyId,
            version: m.version,
            file: `keys-manifest/${k.keyId}/v${m.version}.sops.yaml`,
          }))
      : [],
  );
}

export interface ProvenanceInput {
  readonly base: ManifestSnapshot;
  readonly head: ManifestSnapshot;
  readonly keys: readonly KeyChange[];
  /** The PR author's login; null: unknown (refused when the check applies). */
  readonly author: string | null;
  /** Per material file, the PR's commits that wrote it. */
  readonly commits: ReadonlyMap<string, readonly MaterialCommit[]>;
}

/** Whether the base branch asks for the check at all (pull-authors set, manual-rotation off). */
export function provenanceApplies(base: ManifestSnapshot): boolean {
  return base.pipeline['pull-authors'] !== undefined && !base.pipeline['manual-rotation'];
}

export function checkProvenance(input: ProvenanceInput): Diagnostic[] {
  const { base, head } = input;
  if (!provenanceApplies(base)) return [];
  const logins = base.pipeline['pull-authors']!;
  const out: Diagnostic[] = [];
  for (const v of addedVersions(input.keys, base)) {
    const why: string[] = [];
    if (input.author === null || !isPullAuthor(input.author, logins))
      why.push(`the pull request was opened by ${input.author ?? 'an unknown author'}`);
    for (const c of input.commits.get(v.file) ?? []) {
      const people = [c.author, c.committer].filter((p) => !isLoginIdentity(p, logins));
      if (people.length > 0)
        why.push(
          `commit ${c.sha.slice(0, 12)} writing ${v.file} was ${people[0] === c.author ? 'authored' : 'committed'} by ${people[0]!.name.slice(0, 100)}`,
        );
    }
    if (why.length === 0) continue;
    const doc = head.keys.get(v.keyId);
    const index = doc?.value.versions.findIndex((x) => x.version === v.version) ?? -1;
    const at = doc
      ? doc.locate(index >= 0 ? ['versions', index] : ['versions'])
      : { file: v.file, line: 0, column: 0 };
    out.push(
      violation(
        'change/manual-rotation',
        `v${v.version} of ${v.keyId} is new material not made by rekey's App (${logins.join(', ')}): ${why.join('; ')}. Close this PR and let rekey rotate the key (or dispatch an emergency rotation); a person who made the material knows it. The base branch's pipeline.yaml can allow this with manual-rotation: true (a weaker mode, docs/formats.md)`,
        at,
      ),
    );
  }
  return out;
}
