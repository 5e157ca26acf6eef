/**
 * The dashboard's checkboxes (Renovate's dependency dashboard is the model): one line per
 * request a person can make by ticking it, each carrying a hidden tag that says what it asks
 * for, so the text around it can change without changing what a tick means:
 *
 *   - [ ] <!-- rekey:request rotate payments/webhook --> rotate `payments/webhook` now
 *
 * A tick is only a wish. What decides is src/commands/dashboard-actions.ts: the issue is
 * rekey's own (read through the API, not from the event), the person who ticked has write
 * access (asked of the API), the key exists. Pure: text in, text out.
 */

export const REQUEST_KINDS = ['rotate', 'resume', 'retry'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export interface BoxRequest {
  readonly kind: RequestKind;
  readonly keyId: string;
}

/** A key id as DESIGN.md defines it: 1-4 segments of [a-z0-9][a-z0-9-]*, at most 100 chars. */
const KEY_ID = /^[a-z0-9][a-z0-9-]*(?:\/[a-z0-9][a-z0-9-]*){0,3}$/;
const BOX = /^- \[([ xX])\] <!-- rekey:request (rotate|resume|retry) ([a-z0-9/-]{1,100}) -->/;

const LABELS: Record<RequestKind, (key: string) => string> = {
  rotate: (k) => `rotate \`${k}\` now (an emergency rotation pull request, not compromised)`,
  resume: (k) => `resume \`${k}\` (remove rekey:halted, then distribute)`,
  retry: (k) => `retry the distribution of \`${k}\` now`,
};

/** The checkbox line for one request, unticked. */
export function boxLine(request: BoxRequest): string {
  if (!KEY_ID.test(request.keyId)) throw new RangeError(`not a key id: ${request.keyId}`);
  return `- [ ] <!-- rekey:request ${request.kind} ${request.keyId} --> ${LABELS[request.kind](request.keyId)}`;
}

const same = (a: BoxRequest, b: BoxRequest) => a.kind === b.kind && a.keyId === b.keyId;

/** Every ticked request in `body`, each once, in the order they appear. */
export function tickedBoxes(body: string): BoxRequest[] {
  const out: BoxRequest[] = [];
  for (const line of body.split('\n')) {
    const m = BOX.exec(line.replace(/\r$/, ''));
    if (!m || m[1] === ' ') continue;
    const request = { kind: m[2] as RequestKind, keyId: m[3]! };
    if (KEY_ID.test(request.keyId) && !out.some((r) => same(r, request))) out.push(request);
  }
  return out;
}

/**
 * The requests this edit ticked: ticked in `current` (the body as the API returns it now) and
 * not ticked in `before` (the event's `changes.body.from`, when the event has it). `before`
 * can only narrow the answer, never widen it: a box is acted on only while the API says it is
 * ticked, so a second delivery of the same event, after the box was unticked, finds nothing.
 */
export function newlyTicked(current: string, before?: string): BoxRequest[] {
  const was = before === undefined ? [] : tickedBoxes(before);
  return tickedBoxes(current).filter((r) => !was.some((w) => same(w, r)));
}

/** `body` with the boxes of `requests` unticked; every other byte unchanged. */
export function untick(body: string, requests: readonly BoxRequest[]): string {
  return body
    .split('\n')
    .map((line) => {
      const m = BOX.exec(line.replace(/\r$/, ''));
      if (!m || m[1] === ' ') return line;
      const request = { kind: m[2] as RequestKind, keyId: m[3]! };
      return requests.some((r) => same(r, request)) ? line.replace(/^- \[[xX]\]/, '- [ ]') : line;
    })
    .join('\n');
}
