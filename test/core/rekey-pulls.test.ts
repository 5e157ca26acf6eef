import { describe, expect, it } from 'vitest';
import { renderMarker } from '../../src/core/pull-body.ts';
import { recognisePulls } from '../../src/core/rekey-pulls.ts';

const marker = renderMarker({ action: 'rotate', key: 'team/a', versions: [2, 1] });
const own = {
  number: 1,
  url: 'https://github.invalid/acme/keys/pull/1',
  body: `text\n${marker}\n`,
  author: 'Rekey-App[bot]',
  headRef: 'rekey/rotate/team/a',
  headRepo: 'acme/keys',
  baseRepo: 'ACME/keys',
  labels: ['rekey', 'rekey:rotation'],
};
const authors = ['rekey-app[bot]'];

describe('recognisePulls', () => {
  it("takes a PR by a pinned author, on its own branch, labelled, as rekey's", () => {
    expect(recognisePulls([own], { authors })).toEqual({
      rekey: [{ number: 1, url: own.url, keyId: 'team/a', kind: 'rotate' }],
      claiming: [],
    });
  });

  const cases: [string, Partial<typeof own>, RegExp][] = [
    [
      'another author',
      { author: 'mallory' },
      /author mallory is not in pipeline.yaml pull-authors/,
    ],
    ['a fork', { headRepo: 'mallory/keys' }, /head branch is in mallory\/keys, not in ACME\/keys/],
    ['a deleted fork', { headRepo: null as unknown as string }, /a deleted fork/],
    ['another branch', { headRef: 'rekey/rotate/team/b' }, /is not rekey\/rotate\/team\/a/],
    ["another action's branch", { headRef: 'rekey/revoke/team/a' }, /is not rekey\/rotate/],
    ['no rekey label', { labels: ['rekey:rotation'] }, /no `rekey` label/],
    ['a broken marker', { body: '<!-- rekey:v1 {"key":1} -->' }, /not well formed/],
  ];
  it.each(cases)('ignores %s, with the reason', (_what, change, reason) => {
    const r = recognisePulls([{ ...own, ...change }], { authors });
    expect(r.rekey).toEqual([]);
    expect(r.claiming).toHaveLength(1);
    expect(r.claiming[0]!.reasons.join('; ')).toMatch(reason);
  });

  it('checks no author while pull-authors is unset, and every other rule still', () => {
    expect(
      recognisePulls([{ ...own, author: 'mallory' }], { authors: undefined }).rekey,
    ).toHaveLength(1);
    expect(
      recognisePulls([{ ...own, author: 'mallory', labels: [] }], { authors: undefined }).rekey,
    ).toEqual([]);
  });
});
