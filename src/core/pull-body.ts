/**
 * The pull request a rekey change opens, written for its reviewer: what changes and why,
 * the fingerprints to check, what merging will do to each target, and when revocation
 * follows. A hidden marker `<!-- rekey:v1 {...} -->` lets rekey recognise its own PRs without
 * parsing prose (release-please's lesson). Pure: rendering only.
 *
 * Everything interpolated is either constrained by the schemas (key ids, versions,
 * fingerprints, secret names) or escaped (descriptions, reasons), so a manifest cannot inject
 * Markdown, HTML or a forged marker into the body.
 */
import { z } from 'zod';
import type { KeyDocument, KeyState, PolicyDocument, Target } from './formats/index.ts';
import { targetKind } from './targets/registry.ts';

export const MARKER_VERSION = 'v1';

export const pullMarker = z.strictObject({
  action: z.enum(['rotate', 'promote', 'revoke', 'emergency']),
  key: z.string().max(100),
  versions: z.array(z.int().min(1)).min(1).max(1000),
});
export type PullMarker = z.infer<typeof pullMarker>;

export interface PullContent {
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
}

export interface PullInput {
  readonly action: PullMarker['action'];
  readonly key: KeyDocument;
  readonly policy: PolicyDocument;
  readonly version: number;
  readonly moves: readonly { version: number; from: KeyState | undefined; to: KeyState }[];
  /** Fingerprint of each version the change adds or moves. */
  readonly fingerprints: ReadonlyMap<number, string>;
  /** The planner's reason ("v2 active 79 d of a 90 d cryptoperiod; rotate-before 14 d"). */
  readonly reason: string;
  /** Emergency: the operator's reason, quoted for the record. */
  readonly incident?: string;
  /** Revocation: the gate's verdict per destroyed version. */
  readonly evidence?: readonly string[];
}

/**
 * Text a manifest, an operator or a pull request wrote, made inert in Markdown: no HTML, links,
 * code spans or table cells, and no @-mention (a zero-width space after `@`, so a hostile
 * branch name or reason quoted on the dashboard notifies nobody).
 */
export function inert(text: string, max = 500): string {
  const one = text.replace(/\s+/g, ' ').trim();
  const cut = one.length > max ? `${one.slice(0, max)}…` : one;
  return cut.replace(/[\\`*_{}[\]()#+!|<>~&-]/g, (c) => `\\${c}`).replace(/@/g, '@\u200b');
}

const code = (s: string) => `\`${s.replace(/`/g, '')}\``;

function describeTarget(t: Target): string {
  switch (t.kind) {
    case 'github-secret': {
      const where = t.organization
        ? `organization ${code(t.organization)}${t.visibility ? ` (${t.visibility})` : ''}`
        : `${code(t.repository!)}${t.environment ? `, environment ${code(t.environment)}` : ''}`;
      const app = t.app === 'dependabot' ? 'Dependabot' : 'Actions';
      return `${app} secret ${code(t.name)} in ${where}${t.previous ? `; previous version to ${code(t.previous)}` : ''}`;
    }
    case 'github-deploy-key':
      return `deploy key ${code(t.title)} on ${code(t.repository)} (${t['read-only'] ? 'read-only' : 'read-write'})`;
    case 'file':
      return `file ${code(t.path)} (${t.format})`;
    default:
      // Kinds beyond GitHub and files describe themselves (src/core/targets/registry.ts).
      return code(targetKind(t.kind).where(t));
  }
}

const TITLES: Record<PullMarker['action'], (id: string, v: string) => string> = {
  rotate: (id, v) => `rekey: rotate ${id} to ${v}`,
  promote: (id, v) => `rekey: promote ${id} ${v} to active`,
  revoke: (id, v) => `rekey: revoke ${id} ${v}`,
  emergency: (id, v) => `rekey: EMERGENCY rotation of ${id} to ${v}`,
};

function afterMerge(p: PullInput): string[] {
  const { policy } = p;
  const grace = `the policy's grace period (${policy.grace})`;
  switch (p.action) {
    case 'rotate':
      return p.moves.some((m) => m.to === 'pre-activation')
        ? [
            `Distribution publishes v${p.version} (pre-activation) to every target that takes a public part; nothing signs with it yet.`,
            `After the prepublish period (${policy.prepublish}) and proven distribution, a promotion PR makes it active.`,
          ]
        : [
            `Distribution puts v${p.version} on every target and records the commit status \`rekey/distribution\` on the merge commit.`,
            `The previous version stays on \`previous\` targets for ${grace} after that, then a revocation PR destroys it.`,
          ];
    case 'promote':
      return [
        `Distribution moves v${p.version} to every target's active slot and the previous version to \`previous\`.`,
        `The previous version is destroyed by a revocation PR after ${grace}.`,
      ];
    case 'revoke':
      return [
        'Distribution removes the destroyed versions from every target; their material files are deleted in this PR.',
      ];
    case 'emergency':
      return [
        `Distribution puts v${p.version} on every target at once; a compromised version is removed from every target immediately.`,
        'A compromised version needs no grace period: the revocation PR can follow as soon as distribution is proven.',
      ];
  }
}

/** Title, body and labels of the PR for one key's change. */
export function renderPull(p: PullInput): PullContent {
  const id = p.key.id;
  const versions = p.moves.map((m) => m.version);
  const title = TITLES[p.action](
    id,
    p.action === 'revoke' ? versions.map((v) => `v${v}`).join(', ') : `v${p.version}`,
  );
  const rows = p.moves.map(
    (m) =>
      `| v${m.version} | ${m.from ?? 'new'} → ${m.to} | ${code(p.fingerprints.get(m.version) ?? 'unknown')} |`,
  );
  const reviewers = p.action === 'emergency' && p.policy.emergency ? p.policy.emergency : p.policy;
  const lines = [
    `## ${title.replace(/^rekey: /, '')}`,
    '',
    `${inert(p.key.description)} (owner ${code(p.key.owner)}, policy ${code(p.policy.name)}, type ${code(p.key.type)})`,
    '',
    `**Why:** ${inert(p.reason)}`,
    ...(p.incident !== undefined
      ? ['', `**Incident reported by the operator:** ${inert(p.incident)}`]
      : []),
    '',
    '| version | change | fingerprint |',
    '|---|---|---|',
    ...rows,
    '',
    '**Targets:**',
    ...(p.key.targets.length > 0
      ? p.key.targets.map((t) => `- ${describeTarget(t)}`)
      : ['- none configured']),
    '',
    '**What merging does:**',
    ...afterMerge(p).map((l) => `- ${l}`),
    ...(p.evidence && p.evidence.length > 0
      ? ['', '**Revocation gate:**', ...p.evidence.map((e) => `- ${inert(e)}`)]
      : []),
    '',
    '**Review:**',
    `- ${reviewers.approvals} approval${reviewers.approvals === 1 ? '' : 's'} required, not by the author and not by a bot.`,
    '- The material is encrypted to the recipients in `.sops.yaml` on the default branch; the `rekey/verify` check enforces it and the lifecycle rules.',
    '- A fingerprint can be recomputed from the decrypted material by the distribution job (see docs/key-types.md); no reviewer needs the secret.',
    '',
    renderMarker({ action: p.action, key: id, versions }),
  ];
  const labels = [
    'rekey',
    p.action === 'revoke'
      ? 'rekey:revocation'
      : p.action === 'emergency'
        ? 'rekey:emergency'
        : 'rekey:rotation',
  ];
  return { title, body: `${lines.join('\n')}\n`, labels };
}

/** The hidden marker. JSON with `<`, `>` and `-` escaped, so it can never close the comment early. */
export function renderMarker(m: PullMarker): string {
  const json = JSON.stringify(pullMarker.parse(m)).replace(
    /[<>-]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `<!-- rekey:${MARKER_VERSION} ${json} -->`;
}

/** The marker of a rekey PR body, or undefined when there is none or it is not well formed. */
export function parseMarker(body: string): PullMarker | undefined {
  const m = /<!-- rekey:v1 (\{[^\n]*?\}) -->/.exec(body);
  if (!m) return undefined;
  try {
    const parsed = pullMarker.safeParse(JSON.parse(m[1]!));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
