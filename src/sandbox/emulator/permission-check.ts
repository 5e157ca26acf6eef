// Compares the emulator's permission table (permissions.ts) with a copy of GitHub's
// server-to-server-permissions.json, the file the table was written from. Pure: the script
// scripts/check-permissions.ts reads the file and prints what this returns.
import { z } from 'zod';
import type { Grant, RoutePermission } from './permissions.ts';

const operation = z.looseObject({
  verb: z.string(),
  requestPath: z.string(),
  access: z.string(),
  'server-to-server': z.boolean(),
  'additional-permissions': z.boolean().optional(),
});

/** GitHub's file: permission name -> the operations it opens. */
export const githubPermissionData = z.record(
  z.string(),
  z.looseObject({ title: z.string().optional(), permissions: z.array(operation) }),
);
export type GitHubPermissionData = z.infer<typeof githubPermissionData>;

const label = (x: Grant): string => `${x.name}=${x.access}`;

/** What the table requires or expects GitHub to list for a route. */
function tableGrants(entry: RoutePermission): Set<string> {
  const out = new Set(entry.anyOf.flatMap((set) => set.map(label)));
  for (const c of entry.conditional ?? []) if (c.inData) out.add(label(c));
  return out;
}

/** Every difference between the table and GitHub's data, one line each; empty when none. */
export function comparePermissions(
  table: readonly RoutePermission[],
  data: GitHubPermissionData,
): string[] {
  const listed = new Map<string, { apps: Set<string>; usersOnly: boolean }>();
  for (const [name, group] of Object.entries(data)) {
    for (const op of group.permissions) {
      const key = `${op.verb.toUpperCase()} ${op.requestPath}`;
      const seen = listed.get(key) ?? { apps: new Set<string>(), usersOnly: true };
      if (op['server-to-server']) {
        seen.apps.add(`${name}=${op.access}`);
        seen.usersOnly = false;
      }
      listed.set(key, seen);
    }
  }
  const problems: string[] = [];
  for (const entry of table) {
    const key = `${entry.method} ${entry.route}`;
    const seen = listed.get(key);
    if (!seen) {
      problems.push(`${key}: not in GitHub's data (renamed, removed, or never listed)`);
      continue;
    }
    if (seen.usersOnly) {
      problems.push(`${key}: GitHub lists it for user tokens only, not for GitHub Apps`);
      continue;
    }
    const ours = tableGrants(entry);
    for (const g of [...seen.apps].sort())
      if (!ours.has(g)) problems.push(`${key}: GitHub lists ${g}, the table does not`);
    for (const g of [...ours].sort())
      if (!seen.apps.has(g)) problems.push(`${key}: the table has ${g}, GitHub's data does not`);
  }
  return problems;
}
