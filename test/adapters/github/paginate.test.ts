import { describe, expect, it } from 'vitest';
import { allPages, PaginationLimitError } from '../../../src/adapters/github/paginate.ts';

const next = { link: '<https://api.github.com/x?page=2>; rel="next", <…>; rel="last"' };

describe('allPages', () => {
  it('asks page 1, 2, ... while GitHub says there is a next page', async () => {
    const asked: number[] = [];
    const items = await allPages('things', async (page) => {
      asked.push(page);
      return { data: [page * 10, page * 10 + 1], headers: page < 3 ? next : {} };
    });
    expect(asked).toEqual([1, 2, 3]);
    expect(items).toEqual([10, 11, 20, 21, 30, 31]);
  });

  it('stops with an error instead of reading past the bound', async () => {
    let calls = 0;
    const err = await allPages(
      'things',
      async () => {
        calls++;
        return { data: [1], headers: next };
      },
      4,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaginationLimitError);
    expect(String(err)).toContain('more than 400 items');
    expect(calls).toBe(4);
  });
});
