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

/**
 * Collects every item of a paginated list, at most `maxPages` pages. Pages are asked for by
 * number with the route template (`fetchPage(2)`), rather than by following `Link` URLs as
 * Octokit's paginate plugin does, so that a failure on page 2 still names the route template
 * and carries no query values. GitHub's `Link: rel="next"` says whether another page exists.
 */
export async function allPages<T>(
  what: string,
  fetchPage: (page: number) => Promise<{ data: T[]; headers: { link?: string } }>,
  maxPages = MAX_PAGES,
): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const r = await fetchPage(page);
    items.push(...r.data);
    if (!/\brel="next"/.test(r.headers.link ?? '')) return items;
  }
  throw new PaginationLimitError(what, maxPages);
}

/** Owner and name of the repository an adapter is bound to. */
export interface RepoCoordinates {
  readonly owner: string;
  readonly repo: string;
}
