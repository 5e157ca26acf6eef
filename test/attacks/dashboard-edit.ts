// Shared by the dashboard tick tests: a person editing the dashboard issue in the web UI (the
// emulator's state, no API call, as a browser edit is not the action's doing), and the
// `issues` `edited` event GitHub delivers for it, shaped as GitHub's webhook documentation
// gives it: `action`, the `issue` as the REST API renders it, `changes.body.from`, the
// `repository` and the `sender`.
import type { Emulator } from '../../src/sandbox/emulator/index.ts';

/** Ticks (or unticks) the box of `kind` for `keyId` in `body`; throws if there is none. */
export function tick(body: string, kind: string, keyId: string, on = true): string {
  const tag = `<!-- rekey:request ${kind} ${keyId} -->`;
  const from = `- [${on ? ' ' : 'x'}] ${tag}`;
  if (!body.includes(from)) throw new Error(`no ${on ? 'unticked' : 'ticked'} box ${tag}`);
  return body.replace(from, `- [${on ? 'x' : ' '}] ${tag}`);
}

async function api(emu: Emulator, token: string, path: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${emu.apiUrl}${path}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' },
  });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return (await r.json()) as Record<string, unknown>;
}

/**
 * `login` edits issue `number` of `fullName` to `body` in the browser; returns the event
 * payload GitHub sends for it. `token` only reads the issue and repository to shape it.
 */
export async function editAs(
  emu: Emulator,
  token: string,
  fullName: string,
  number: number,
  login: string,
  body: string,
): Promise<Record<string, unknown>> {
  const issue = emu.repo(fullName).issues.get(number);
  if (!issue) throw new Error(`no issue #${number}`);
  const from = issue.body ?? '';
  issue.body = body;
  const user = emu.addUser(login);
  return {
    action: 'edited',
    issue: await api(emu, token, `/repos/${fullName}/issues/${number}`),
    changes: { body: { from } },
    repository: await api(emu, token, `/repos/${fullName}`),
    sender: {
      login: user.login,
      id: user.id,
      node_id: Buffer.from(`User:${user.id}`).toString('base64url'),
      type: 'User',
      site_admin: false,
    },
  };
}
