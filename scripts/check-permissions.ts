// Compares the emulator's permission table (src/sandbox/emulator/permissions.ts) with a copy of
// GitHub's published App permission data that a maintainer downloads:
//
//   curl -fsSLO https://raw.githubusercontent.com/github/docs/main/src/github-apps/data/fpt-2022-11-28/server-to-server-permissions.json
//   node scripts/check-permissions.ts server-to-server-permissions.json
//
// Prints every difference and exits 1 on any (2 when the file cannot be read). CI has no
// network, so this is run by hand; the table records the commit it was last checked against.
import { readFileSync } from 'node:fs';
import {
  comparePermissions,
  githubPermissionData,
} from '../src/sandbox/emulator/permission-check.ts';
import { ROUTE_PERMISSIONS } from '../src/sandbox/emulator/permissions.ts';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

export function main(argv: readonly string[], io: Io): number {
  const file = argv[0];
  if (!file) {
    io.err('usage: node scripts/check-permissions.ts <server-to-server-permissions.json>');
    return 2;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    io.err(`${file}: cannot read it as JSON: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const data = githubPermissionData.safeParse(parsed);
  if (!data.success) {
    const issue = data.error.issues[0];
    io.err(
      `${file}: not the shape of GitHub's server-to-server-permissions.json at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`,
    );
    return 2;
  }
  const problems = comparePermissions(ROUTE_PERMISSIONS, data.data);
  for (const p of problems) io.out(p);
  io.out(
    problems.length === 0
      ? `${ROUTE_PERMISSIONS.length} routes checked against ${file}: the table matches`
      : `${problems.length} difference(s) in ${ROUTE_PERMISSIONS.length} routes: update src/sandbox/emulator/permissions.ts (and the commit it names), then the workflows' grants`,
  );
  return problems.length === 0 ? 0 : 1;
}

if (import.meta.main)
  process.exitCode = main(process.argv.slice(2), {
    out: (l) => console.log(l),
    err: (l) => console.error(l),
  });
