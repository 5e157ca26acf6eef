/**
 * Probes (docs/targets.md "Probes"): "distributed" can mean "in use". A target may declare an
 * HTTPS URL whose answer must show the key's active version: a JWKS that lists its `kid`, or a
 * health endpoint that shows its fingerprint. Pure: the verdict from an answer; the request is
 * the `ProbePort`'s (src/adapters/targets/probe-https.ts).
 *
 * A probe never sends a secret: the port takes a URL and nothing else (no header, no body),
 * and the URL is key.yaml's, public by construction. Verdicts name versions and fingerprints,
 * never the body: an answer is the consumer's text, not ours to print.
 */
import type { KeyDocument, ProbeSpec } from '../formats/key.ts';
import type { TargetPorts } from '../ports/targets.ts';
import type { DesiredState } from './desired.ts';
import type { ProbeResult as KindProbeResult } from './kind.ts';
import { targetKind } from './registry.ts';

/** What the port got: the status and, for 2xx, the body (bounded by the port). */
export interface ProbeResponse {
  readonly status: number;
  readonly body: string;
}

export interface ProbePort {
  /** GET over HTTPS with certificate verification; no redirects followed. Throws when there is no answer. */
  get(url: string): Promise<ProbeResponse>;
}

/**
 * A probe's verdict (the seam's `ProbeRecord`, ./kind.ts), with the versions an HTTPS
 * probe's answer shows, newest first (for jwks: every listed version of the key).
 */
export interface ProbeRecord extends KindProbeResult {
  readonly shows?: readonly number[];
}

type Version = Pick<KeyDocument['versions'][number], 'version' | 'fingerprint'>;

/** Fingerprint characters: a match must not be part of a longer token. */
const TOKEN = /[A-Za-z0-9+/:=_-]/;

function showsFingerprint(body: string, fingerprint: string): boolean {
  for (let at = body.indexOf(fingerprint); at !== -1; at = body.indexOf(fingerprint, at + 1)) {
    const before = body[at - 1];
    const after = body[at + fingerprint.length];
    if (
      (before === undefined || !TOKEN.test(before)) &&
      (after === undefined || !TOKEN.test(after))
    )
      return true;
  }
  return false;
}

function jwksKids(body: string): string[] | null {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return null;
  }
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return null;
  return keys.flatMap((k) => {
    const kid = (k as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' ? [kid] : [];
  });
}

/** The verdict on `want` from one answer; `versions` are the key's, to say what it shows instead. */
export function probeVerdict(
  spec: ProbeSpec,
  response: ProbeResponse,
  want: Version,
  versions: readonly Version[],
): Pick<ProbeRecord, 'outcome' | 'shows' | 'detail'> {
  if (response.status < 200 || response.status > 299)
    return {
      outcome: 'failed',
      detail:
        response.status >= 300 && response.status < 400
          ? `HTTP ${response.status}: probes follow no redirects; point the probe at the final URL`
          : `HTTP ${response.status}`,
    };
  let shown: (v: Version) => boolean;
  if (spec.expect === 'jwks-kid') {
    const kids = jwksKids(response.body);
    if (kids === null)
      return { outcome: 'failed', detail: 'the answer is not a JWKS ({"keys": [...]})' };
    shown = (v) => kids.includes(v.fingerprint);
  } else shown = (v) => showsFingerprint(response.body, v.fingerprint);
  const shows = [...versions]
    .sort((a, b) => b.version - a.version)
    .filter(shown)
    .map((v) => v.version);
  const list = shows.length === 0 ? 'no version of the key' : shows.map((v) => `v${v}`).join(', ');
  return shows.includes(want.version)
    ? { outcome: 'confirmed', shows, detail: `shows ${list}` }
    : {
        outcome: 'refuted',
        shows,
        detail: `shows ${list}, not v${want.version} ${want.fingerprint}`,
      };
}

export const describeProbe = (spec: ProbeSpec): string => `GET ${spec.url} (${spec.expect})`;

/**
 * Runs every probe key.yaml declares, each against the key's active version (the successor
 * the revocation gate waits for). A key without an active version has nothing to confirm.
 * One request per probe; probes run one after another.
 */
export async function runHttpProbes(
  key: Pick<KeyDocument, 'targets' | 'versions'>,
  port: ProbePort,
): Promise<ProbeRecord[]> {
  const active = key.versions
    .filter((v) => v.state === 'active')
    .sort((a, b) => b.version - a.version)[0];
  if (active === undefined) return [];
  const results: ProbeRecord[] = [];
  for (const [target, t] of key.targets.entries()) {
    if (t.probe === undefined) continue;
    const base = {
      target,
      version: active.version,
      fingerprint: active.fingerprint,
      probe: describeProbe(t.probe),
    };
    try {
      const response = await port.get(t.probe.url);
      results.push({ ...base, ...probeVerdict(t.probe, response, active, key.versions) });
    } catch (e) {
      results.push({
        ...base,
        outcome: 'failed',
        detail: e instanceof Error ? `${e.name}: ${e.message}` : 'no answer',
      });
    }
  }
  return results;
}

/**
 * The kinds' own probes (the seam's `probe` hook; postgres-role: a login with the version's
 * password); kinds without one are skipped. A probe that throws is one `failed` result for the
 * whole target (version 0, no fingerprint), never a confirmation.
 */
export async function probeTargets(
  desired: DesiredState,
  ports: TargetPorts,
): Promise<ProbeRecord[]> {
  const out: ProbeRecord[] = [];
  for (const d of desired.targets) {
    const kind = targetKind(d.kind);
    if (kind.probe === undefined) continue;
    try {
      out.push(...(await kind.probe(d, ports)));
    } catch (e) {
      out.push({
        target: d.target,
        version: 0,
        fingerprint: '',
        probe: `${d.kind} target ${d.target}`,
        outcome: 'failed',
        detail: e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error',
      });
    }
  }
  return out;
}
