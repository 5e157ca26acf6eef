import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { router } from '../../../src/sandbox/emulator/server.ts';
import { openApiValidator } from '../../support/openapi.ts';
import { harness, type Harness, statusOf } from './harness.ts';

const o = { owner: 'acme', repo: 'infra' };
const validator = openApiValidator();
let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h.emu.close();
});

describe('OpenAPI validation of requests', () => {
  it('every route the emulator serves is an operation of GitHub description', async () => {
    for (const r of router.routes) {
      const errors = await validator.validateRequest({
        method: r.method,
        template: r.template,
        params: {},
        query: new URLSearchParams(),
        body: undefined,
      });
      expect(errors.join('\n'), `${r.method} ${r.template}`).not.toMatch(/not an operation/);
    }
    const unknown = await validator.validateRequest({
      method: 'POST',
      template: '/repos/{owner}/{repo}/nonexistent',
      params: {},
      query: new URLSearchParams(),
      body: {},
    });
    expect(unknown).toEqual([
      "POST /repos/{owner}/{repo}/nonexistent is not an operation in GitHub's OpenAPI description",
    ]);
  });

  it.each([
    [
      'a body of the wrong type',
      'POST /repos/{owner}/{repo}/pulls',
      { head: 'a', base: 'main', draft: 'yes' },
      '/requestBody/draft must be boolean',
    ],
    [
      'a missing required field',
      'PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}',
      { secret_name: 'S', encrypted_value: 'AAAA' },
      "must have required property 'key_id'",
    ],
    [
      'a value outside an enum',
      'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge',
      { pull_number: 1, merge_method: 'fast-forward' },
      '/requestBody/merge_method must be equal to one of the allowed values',
    ],
    [
      'a query parameter outside its enum',
      'GET /repos/{owner}/{repo}/pulls',
      { state: 'merged' },
      'query parameter state must be equal to one of the allowed values',
    ],
    [
      'a path parameter of the wrong type',
      'GET /repos/{owner}/{repo}/pulls/{pull_number}',
      { pull_number: 'abc' },
      'path parameter pull_number must be integer',
    ],
  ])('flags %s: 422 and a recorded problem', async (_what, route, params, message) => {
    const before = h.emu.problems.length;
    const res = h.app.request(route, { ...o, ...params } as never);
    await expect(res).rejects.toMatchObject({
      status: 422,
      response: { data: { message: expect.stringContaining(message) } },
    });
    expect(h.emu.problems.slice(before)).toEqual([
      expect.objectContaining({
        kind: 'invalid-request',
        errors: [expect.stringContaining(message)],
      }),
    ]);
    expect(() => h.emu.assertNoInvalidRequests()).toThrow(message);
  });

  it('accepts a valid request', async () => {
    expect(
      await statusOf(
        h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...o, pull_number: 77 }),
      ),
    ).toBe(404);
    expect(h.emu.requestLog.at(-1)?.invalid).toBeUndefined();
  });
});

describe('OpenAPI validation of responses', () => {
  it('flags a field of the wrong type and ignores fields the emulator does not model', async () => {
    const validate = validator.validateResponse;
    if (!validate) throw new Error('the validator checks responses');
    const res = (body: unknown) =>
      validate({
        method: 'GET',
        template: '/repos/{owner}/{repo}/pulls/{pull_number}',
        status: 200,
        body,
      });
    expect(await res({ number: 1, state: 'open' })).toEqual([]);
    expect(await res({ number: '1', state: 'open' })).toEqual(['response/number must be integer']);
    // GitHub sends null where its description says string (label descriptions): tolerated.
    expect(await res({ number: 1, labels: [{ name: 'rekey', description: null }] })).toEqual([]);
    expect(await res({ number: 1, labels: [{ name: 'rekey', description: 5 }] })).toEqual([
      'response/labels/0/description must be string',
    ]);
    expect(
      await validate({ method: 'GET', template: '/repos/{owner}/{repo}', status: 299, body: {} }),
    ).toEqual(['status 299 is not documented']);
  });
});
