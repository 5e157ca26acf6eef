/**
 * Pagination with a bound. Lists rekey reads (open PRs, open issues with a label, statuses of
 * a commit) are short in practice; a list longer than `maxPages` pages of 100 is an error, not
 * something to walk forever or to truncate silently.
 */
export const PER_PAGE = 100;
export const MAX_PAGES = 50;

export class PaginationLimitError extends Error {
  override readonly name = 'PaginationLimitError';
  constructor(what: string, maxPages: number) {
    super(`${what}: more than ${maxPages * PER_PAGE} items; refusing to read further`);
  }
}

/** Collects every item of a paginated list (Octokit's `paginate.iterator`), at most `maxPages` pages. */
export async function allPages<T>(
  what: string,
  pages: AsyncIterable<{ data: T[] }>,
  maxPages = MAX_PAGES,
): Promise<T[]> {
  const items: T[] = [];
  let n = 0;
  for await (const page of pages) {
    if (++n > maxPages) throw new PaginationLimitError(what, maxPages);
    items.push(...page.data);
  }
  return items;
}

/** Owner and name of the repository an adapter is bound to. */
export interface RepoCoordinates {
  readonly owner: string;
  readonly repo: string;
}
