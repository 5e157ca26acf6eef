/**
 * The emulator's side of the campaign's faults: a request carrying the wire's fault header
 * gets that fault (5xx, 429, a secondary rate limit, or its response lost after the write
 * was applied), and while a target is stuck every secret write to it fails with 503, however
 * often it is retried: the target that keeps failing past the budget.
 */
import type { FaultHook, FaultSpec } from '../emulator/index.ts';
import { FAULT_HEADER } from './wire.ts';

export interface Stuck {
  /** The target repository's secret writes fail until this time (virtual); null: none. */
  until: Date | null;
}

export function faultHook(repo: string, stuck: Stuck, now: () => Date): FaultHook {
  const secretWrite = new RegExp(`^/api/v3/repos/${repo}/actions/secrets/[^/]+$`);
  return (req) => {
    const asked = req.header(FAULT_HEADER);
    if (asked !== undefined) return specOf(asked);
    if (
      stuck.until !== null &&
      now() < stuck.until &&
      req.method === 'PUT' &&
      secretWrite.test(req.path)
    )
      return { path: secretWrite, status: 503 };
    return null;
  };
}

function specOf(asked: string): FaultSpec | null {
  const [kind, detail = ''] = asked.split(':');
  const path = /./;
  switch (kind) {
    case '5xx':
      return { path, status: Number(detail) || 500 };
    case '429':
      return { path, status: 429, retryAfter: 60 };
    case 'secondary-rate-limit':
      return { path, secondaryRateLimit: true, retryAfter: Number(detail) || 60 };
    case 'lost-response':
      return { path, lost: true };
    default:
      return null;
  }
}
