/**
 * `audit/material-by-person`: a new version of an existing key whose material was not made by
 * rekey's App (pipeline.yaml `pull-authors` at the audited ref). Whoever made material by hand
 * knows it, so the version is a candidate for rotation, whatever the approvals say.
 *
 * Evidence, strongest first:
 * - with a token, the author of the pull request that merged the version (a GitHub account);
 * - otherwise the git author of the first-parent commit that added it, when that commit is not
 *   a merge (a merge commit's author is whoever merged, not who wrote the material). GitHub
 *   writes an App's commits as `<slug>[bot] <<id>+<slug>[bot]@users.noreply.github.com>`.
 * Git author fields are free text: this is a flag for review, not proof either way. Versions
 * that arrived with their key (a new key) and history without `pull-authors` are not judged.
 */
import { isPullAuthor } from '../rekey-pulls.ts';
import { isLoginIdentity } from '../verify/provenance.ts';
import type { FindingInput } from './findings.ts';
import type { Finding } from './model.ts';
import { findingCommit } from './timeline.ts';

/** `Name <email>` as git prints a person. */
function person(s: string): { name: string; email: string } {
  const m = /^(.*?)\s*<([^>]*)>$/.exec(s);
  return m ? { name: m[1]!, email: m[2]! } : { name: s, email: '' };
}

export function provenanceFindings(
  input: FindingInput & { readonly pullAuthors?: readonly string[] },
): Finding[] {
  const { history, link, github, pullAuthors } = input;
  if (!pullAuthors) return [];
  const bySha = new Map(history.commits.map((c) => [c.commit.sha, c] as const));
  const out: Finding[] = [];
  for (const [keyId, key] of history.index.keys)
    for (const [version, v] of key.versions) {
      if (v.appeared.sha === key.appeared.sha) continue; // arrived with its key
      const commit = bySha.get(v.appeared.sha);
      const pull = github?.pulls.get(v.appeared.sha);
      let who: string | undefined;
      if (pull) {
        if (!isPullAuthor(pull.author, pullAuthors))
          who = `pull request #${pull.number} was opened by ${pull.author}`;
      } else if (commit && commit.parents.length <= 1) {
        if (!isLoginIdentity(person(v.appeared.author), pullAuthors))
          who = `commit ${v.appeared.sha.slice(0, 12)} was authored by ${person(v.appeared.author).name.slice(0, 100)}`;
      }
      if (who === undefined) continue;
      out.push({
        rule: 'audit/material-by-person',
        severity: 'high',
        key: keyId,
        version,
        commits: [findingCommit(v.appeared, link)],
        ...(pull ? { pull: { number: pull.number, url: pull.url } } : {}),
        message: `${keyId} v${version} was added by someone other than rekey's App (${pullAuthors.join(', ')}): ${who}. Whoever made the material may know it; rotate the key if that is not expected. Git author fields can be forged: GitHub's "Verified" mark on the commit helps tell.`,
      });
    }
  return out;
}
