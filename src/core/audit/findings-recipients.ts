/**
 * `audit/recipients-changed`: a `.sops.yaml` that adds or removes recipients. The first
 * `.sops.yaml` sets recipients up and changes none.
 */
import { parseSopsConfig } from '../sops-config.ts';
import { parseYaml } from '../yaml/index.ts';
import type { Finding } from './model.ts';
import type { FindingInput } from './findings.ts';
import { findingCommit } from './timeline.ts';

/** The recipients a `.sops.yaml` names (age recipients and PGP fingerprints), or undefined. */
export function sopsRecipients(bytes: Uint8Array): Set<string> | undefined {
  const parsed = parseYaml('.sops.yaml', bytes);
  if (parsed.value === undefined || parsed.value === null) return undefined;
  const { config } = parseSopsConfig('.sops.yaml', parsed.value);
  if (!config) return undefined;
  const out = new Set<string>();
  for (const rule of config.creationRules)
    for (const g of rule.keyGroups) for (const r of [...g.age, ...g.pgp]) out.add(r);
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

const brief = (r: string) => (r.length > 24 ? `${r.slice(0, 16)}…${r.slice(-6)}` : r);

export function recipientFindings({ history, link }: FindingInput): Finding[] {
  const out: Finding[] = [];
  for (const c of history.commits) {
    const change = c.sopsConfig;
    if (!change?.before) continue; // the first .sops.yaml sets recipients up; it changes none
    const before = sopsRecipients(change.before);
    const after = change.after ? sopsRecipients(change.after) : new Set<string>();
    let message: string;
    if (!before || !after) {
      if (change.after && sameBytes(change.after, change.before)) continue;
      message = `.sops.yaml changed at ${c.commit.time} and could not be read on ${before ? 'the new' : 'the old'} side; check its recipients by hand.`;
    } else {
      const added = [...after].filter((r) => !before.has(r));
      const removed = [...before].filter((r) => !after.has(r));
      if (added.length === 0 && removed.length === 0) continue;
      const list = (xs: string[]) => xs.map(brief).join(', ');
      message =
        `.sops.yaml recipients changed at ${c.commit.time}` +
        (added.length ? `; added ${list(added)}` : '') +
        (removed.length ? `; removed ${list(removed)}` : '') +
        (change.after ? '' : ' (the file was deleted)') +
        '. Check that this was approved; existing material is re-encrypted only by a rotation.';
    }
    out.push({
      rule: 'audit/recipients-changed',
      severity: 'review',
      commits: [findingCommit(c.commit, link)],
      message,
    });
  }
  return out;
}
