// The generated 10,000-key manifest the loader, plan and CLI benchmarks share: key.yaml
// files like the ones rekey writes (comments, flow entries, two targets, five versions) and
// the policies, with an in-memory first-parent history index. No material files here: the
// CLI benchmark adds them when it writes the repository to disk.
import type { KeyState } from '../src/core/formats/index.ts';
import type { HistoryIndex, KeyTimeline, VersionTimeline } from '../src/core/history/model.ts';

export const VERSIONS = 5;
export const NOW = new Date('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
const enc = new TextEncoder();
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const POLICIES: Record<string, string> = {
  'policies/standard.yaml':
    'name: standard\ncryptoperiod: 90d\nrotate-before: 14d\ngrace: 7d\napprovals: 1\nreviewers: ["@acme/security"]\n',
  'policies/strict.yaml':
    'name: strict\ncryptoperiod: 30d\nrotate-before: 7d\ngrace: 3d\nprepublish: 2d\napprovals: 2\nreviewers: ["@acme/security"]\n' +
    'window: { days: [mon, tue, wed, thu, fri], hours: "10:00-15:00", timezone: Europe/Berlin }\n',
  'policies/pipeline.yaml':
    'default-branch: main\nmax-open-prs: 100\nretry-budget: 3\nlease-ttl: 30m\n',
};

/** A key.yaml like the ones rekey writes: comments, flow entries, two targets. */
export function keyYaml(
  id: string,
  policy: string,
  versions: { n: number; state: KeyState; created: string }[],
): string {
  const repo = `acme/${id.replace(/\//g, '-')}`;
  return (
    `# Managed by rekey: edit through pull requests.\n` +
    `id: ${id}\ndescription: Signs outbound webhooks for ${id}\nowner: "@acme/payments"\npolicy: ${policy}\n` +
    `type: random\noptions: { bytes: 32, encoding: base64 }\ntargets:\n` +
    `  - kind: github-secret\n    repository: ${repo}\n    environment: production\n    name: WEBHOOK_SIGNING_KEY\n    previous: WEBHOOK_SIGNING_KEY_PREVIOUS\n` +
    `  - kind: file\n    path: out/${id}.env\n    format: env\n    name: WEBHOOK_SIGNING_KEY\n` +
    `versions: # newest first\n` +
    versions
      .map(
        (v) =>
          `  - { version: ${v.n}, state: ${v.state}, created: ${v.created}, fingerprint: "kcv:${(v.n * 7919 + id.length).toString(16).padStart(16, '0')}" }\n`,
      )
      .join('')
  );
}

export function generate(KEYS: number): {
  tree: Map<string, Uint8Array>;
  history: HistoryIndex;
  bytes: number;
} {
  const tree = new Map<string, Uint8Array>();
  const keys = new Map<string, KeyTimeline>();
  let bytes = 0;
  for (const [p, t] of Object.entries(POLICIES)) {
    const b = enc.encode(t);
    tree.set(p, b);
    bytes += b.length;
  }
  for (let i = 0; i < KEYS; i++) {
    const id = `team-${i % 50}/service-${Math.floor(i / 50)}/key-${i}`;
    const strict = i % 10 === 0;
    // Ages spread over a cryptoperiod and a bit beyond: some keys due, some overdue, most ok.
    const activeSince = NOW.getTime() - ((i * 37) % 100) * DAY;
    const versions: { n: number; state: KeyState; created: string }[] = [];
    const timelines = new Map<number, VersionTimeline>();
    for (let n = VERSIONS; n >= 1; n--) {
      const state: KeyState =
        n === VERSIONS
          ? strict && i % 20 === 0
            ? 'pre-activation'
            : 'active'
          : n === VERSIONS - 1
            ? strict && i % 20 === 0
              ? 'active'
              : 'deactivated'
            : 'destroyed';
      const since = activeSince - (VERSIONS - n) * 90 * DAY;
      versions.push({ n, state, created: iso(since) });
      const at = {
        sha: (i * 8 + n).toString(16).padStart(40, '0'),
        time: iso(since),
        author: 'Rekey Bot <bot@example.com>',
      };
      timelines.set(n, { appeared: at, entered: { [state]: at }, state });
    }
    const b = enc.encode(keyYaml(id, strict ? 'strict' : 'standard', versions));
    tree.set(`keys-manifest/${id}/key.yaml`, b);
    bytes += b.length;
    keys.set(id, { appeared: timelines.get(1)!.appeared, versions: timelines });
  }
  return { tree, history: { keys, problems: [], commits: KEYS }, bytes };
}
