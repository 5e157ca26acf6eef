import { generateKeyPairSync } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, harness, type Harness, REPO, statusOf } from './harness.ts';

const o = { owner: 'acme', repo: 'infra' };
let h: Harness;
beforeAll(async () => {
  await sodium.ready;
  h = await harness();
  await h.emu.addRepo({ fullName: 'acme/payments' });
});
afterAll(async () => {
  h.emu.assertNoInvalidRequests();
  expect(h.emu.problems).toEqual([]);
  await h.emu.close();
});

/** Seals a value for a public key as GitHub's docs describe (libsodium sealed box). */
function seal(key: string, value: string): string {
  const pk = sodium.from_base64(key, sodium.base64_variants.ORIGINAL);
  return sodium.to_base64(
    sodium.crypto_box_seal(sodium.from_string(value), pk),
    sodium.base64_variants.ORIGINAL,
  );
}

describe('repository and environment secrets', () => {
  it('accepts a sealed box for the current key and opens to the value', async () => {
    const key = await h.app.request('GET /repos/{owner}/{repo}/actions/secrets/public-key', o);
    const put = await h.app.request('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
      ...o,
      secret_name: 'WEBHOOK_SIGNING_KEY',
      key_id: key.data.key_id,
      encrypted_value: seal(key.data.key, 'value-1'),
    });
    expect(put.status).toBe(201);
    expect(h.emu.openSecret({ repository: REPO }, 'WEBHOOK_SIGNING_KEY')).toBe('value-1');
    const again = await h.app.request('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
      ...o,
      secret_name: 'WEBHOOK_SIGNING_KEY',
      key_id: key.data.key_id,
      encrypted_value: seal(key.data.key, 'value-2'),
    });
    expect(again.status).toBe(204);
    expect(h.emu.openSecret({ repository: REPO }, 'WEBHOOK_SIGNING_KEY')).toBe('value-2');
    const got = await h.app.request('GET /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
      ...o,
      secret_name: 'WEBHOOK_SIGNING_KEY',
    });
    expect(Object.keys(got.data).sort()).toEqual(['created_at', 'name', 'updated_at']);
    const list = await h.app.request('GET /repos/{owner}/{repo}/actions/secrets', o);
    expect(list.data).toMatchObject({ total_count: 1, secrets: [{ name: 'WEBHOOK_SIGNING_KEY' }] });
  });

  it('rejects with 422 a value that is not a sealed box for the current key', async () => {
    const key = await h.app.request('GET /repos/{owner}/{repo}/actions/secrets/public-key', o);
    const other = sodium.crypto_box_keypair();
    const wrongKey = seal(sodium.to_base64(other.publicKey, sodium.base64_variants.ORIGINAL), 'v');
    const cases = [
      { key_id: key.data.key_id, encrypted_value: wrongKey },
      {
        key_id: key.data.key_id,
        encrypted_value: Buffer.from('plain text value').toString('base64'),
      },
      { key_id: 'not-the-key-id', encrypted_value: seal(key.data.key, 'v') },
    ];
    for (const body of cases) {
      const res = h.app.request('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
        ...o,
        secret_name: 'BAD',
        ...body,
      });
      expect(await statusOf(res)).toBe(422);
    }
    expect(h.emu.secretNames({ repository: REPO })).toEqual(['WEBHOOK_SIGNING_KEY']);
  });

  it('refuses a value sealed for the previous key after the key rotates', async () => {
    const old = await h.app.request('GET /repos/{owner}/{repo}/actions/secrets/public-key', o);
    h.emu.rotateSecretKey({ repository: REPO });
    const res = h.app.request('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
      ...o,
      secret_name: 'X',
      key_id: old.data.key_id,
      encrypted_value: seal(old.data.key, 'v'),
    });
    expect(await statusOf(res)).toBe(422);
    expect(h.emu.openSecret({ repository: REPO }, 'WEBHOOK_SIGNING_KEY')).toBe('value-2');
  });

  it('serves environment secrets with their own key, 404 for an unknown environment', async () => {
    const env = { ...o, environment_name: 'production' };
    const key = await h.app.request(
      'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
      env,
    );
    const repoKey = await h.app.request('GET /repos/{owner}/{repo}/actions/secrets/public-key', o);
    expect(key.data.key).not.toBe(repoKey.data.key);
    await h.app.request(
      'PUT /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
      {
        ...env,
        secret_name: 'API_KEY',
        key_id: key.data.key_id,
        encrypted_value: seal(key.data.key, 'prod'),
      },
    );
    expect(h.emu.openSecret({ repository: REPO, environment: 'production' }, 'API_KEY')).toBe(
      'prod',
    );
    const del = await h.app.request(
      'DELETE /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
      { ...env, secret_name: 'API_KEY' },
    );
    expect(del.status).toBe(204);
    expect(h.emu.secretNames({ repository: REPO, environment: 'production' })).toEqual([]);
    const got = await h.app.request(
      'GET /repos/{owner}/{repo}/environments/{environment_name}',
      env,
    );
    expect(got.data.name).toBe('production');
    const noEnv = h.app.request('GET /repos/{owner}/{repo}/environments/{environment_name}', {
      ...o,
      environment_name: 'staging',
    });
    expect(await statusOf(noEnv)).toBe(404);
    const missing = h.app.request(
      'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
      { ...o, environment_name: 'staging' },
    );
    expect(await statusOf(missing)).toBe(404);
  });

  it('serves Dependabot secrets separately from Actions secrets', async () => {
    const key = await h.app.request('GET /repos/{owner}/{repo}/dependabot/secrets/public-key', o);
    await h.app.request('PUT /repos/{owner}/{repo}/dependabot/secrets/{secret_name}', {
      ...o,
      secret_name: 'NPM_TOKEN',
      key_id: key.data.key_id,
      encrypted_value: seal(key.data.key, 'npm'),
    });
    expect(h.emu.openSecret({ app: 'dependabot', repository: REPO }, 'NPM_TOKEN')).toBe('npm');
    expect(h.emu.secretNames({ repository: REPO })).not.toContain('NPM_TOKEN');
  });
});

describe('organization secrets', () => {
  it('stores visibility and selected repositories', async () => {
    const payments = h.emu.repo('acme/payments');
    const key = await h.app.request('GET /orgs/{org}/actions/secrets/public-key', { org: 'acme' });
    const put = await h.app.request('PUT /orgs/{org}/actions/secrets/{secret_name}', {
      org: 'acme',
      secret_name: 'SHARED',
      key_id: key.data.key_id,
      encrypted_value: seal(key.data.key, 'org-value'),
      visibility: 'selected',
      selected_repository_ids: [payments.id],
    });
    expect(put.status).toBe(201);
    expect(h.emu.openSecret({ organization: 'acme' }, 'SHARED')).toBe('org-value');
    const got = await h.app.request('GET /orgs/{org}/actions/secrets/{secret_name}', {
      org: 'acme',
      secret_name: 'SHARED',
    });
    expect(got.data.visibility).toBe('selected');
    const repos = await h.app.request(
      'GET /orgs/{org}/actions/secrets/{secret_name}/repositories',
      { org: 'acme', secret_name: 'SHARED' },
    );
    expect(repos.data.repositories.map((r) => r.full_name)).toEqual(['acme/payments']);
    const infra = h.emu.repo(REPO);
    await h.app.request(
      'PUT /orgs/{org}/actions/secrets/{secret_name}/repositories/{repository_id}',
      { org: 'acme', secret_name: 'SHARED', repository_id: infra.id },
    );
    const after = await h.app.request(
      'GET /orgs/{org}/actions/secrets/{secret_name}/repositories',
      { org: 'acme', secret_name: 'SHARED' },
    );
    expect(after.data.total_count).toBe(2);
    expect(
      await statusOf(
        h.app.request('GET /orgs/{org}/actions/secrets/public-key', { org: 'nobody' }),
      ),
    ).toBe(404);
  });
});

describe('who may write secrets', () => {
  it('GITHUB_TOKEN can never be granted secrets', () => {
    expect(() =>
      h.emu.addToken({ kind: 'github-actions', permissions: { secrets: 'write' } }),
    ).toThrow(/GITHUB_TOKEN/);
    for (const p of ['environments', 'members', 'organization_dependabot_secrets'])
      expect(() =>
        h.emu.addToken({ kind: 'github-actions', permissions: { [p]: 'read' } }),
      ).toThrow(new RegExp(`GITHUB_TOKEN cannot be granted ${p}`));
  });

  it('a token without the permission gets 403 with x-accepted-github-permissions', async () => {
    const weak = client(h.emu, h.emu.addToken({ kind: 'app', permissions: { contents: 'read' } }));
    const res = weak.request('GET /repos/{owner}/{repo}/actions/secrets/public-key', o);
    await expect(res).rejects.toMatchObject({
      status: 403,
      response: {
        headers: { 'x-accepted-github-permissions': 'secrets=read' },
        data: { message: 'Resource not accessible by integration' },
      },
    });
  });
});

describe('deploy keys', () => {
  function sshKey(): string {
    const { publicKey } = generateKeyPairSync('ed25519');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
    const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    return `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]).toString('base64')} rekey`;
  }

  it('creates, lists and deletes a deploy key; rejects invalid and duplicate keys', async () => {
    const key = sshKey();
    const made = await h.app.request('POST /repos/{owner}/{repo}/keys', {
      ...o,
      key,
      title: 'rekey v1',
      read_only: true,
    });
    expect(made.status).toBe(201);
    expect(made.data.key).toBe(key.split(' ').slice(0, 2).join(' '));
    const dup = h.app.request('POST /repos/{owner}/{repo}/keys', { ...o, key, title: 'again' });
    expect(await statusOf(dup)).toBe(422);
    for (const bad of ['ssh-ed25519 AAAA', 'not a key', `ssh-rsa ${key.split(' ')[1] ?? ''}`]) {
      expect(
        await statusOf(h.app.request('POST /repos/{owner}/{repo}/keys', { ...o, key: bad })),
      ).toBe(422);
    }
    const list = await h.app.request('GET /repos/{owner}/{repo}/keys', o);
    expect(list.data.map((k) => k.title)).toEqual(['rekey v1']);
    const del = await h.app.request('DELETE /repos/{owner}/{repo}/keys/{key_id}', {
      ...o,
      key_id: made.data.id,
    });
    expect(del.status).toBe(204);
    expect(
      await statusOf(
        h.app.request('GET /repos/{owner}/{repo}/keys/{key_id}', { ...o, key_id: made.data.id }),
      ),
    ).toBe(404);
  });

  it('refuses a key that is already a deploy key of another repository, as GitHub does', async () => {
    await h.emu.addRepo({ fullName: 'acme/elsewhere' });
    const key = sshKey();
    const first = await h.app.request('POST /repos/{owner}/{repo}/keys', {
      owner: 'acme',
      repo: 'elsewhere',
      key,
      title: 'rekey v1',
    });
    expect(first.status).toBe(201);
    await expect(
      h.app.request('POST /repos/{owner}/{repo}/keys', { ...o, key, title: 'rekey v1' }),
    ).rejects.toMatchObject({
      status: 422,
      response: {
        data: {
          message: 'Validation Failed',
          errors: [{ resource: 'PublicKey', field: 'key', message: 'key is already in use' }],
        },
      },
    });
    expect((await h.app.request('GET /repos/{owner}/{repo}/keys', o)).data).toEqual([]);
    // Once it leaves the other repository it may be added here: the move order rekey needs.
    await h.app.request('DELETE /repos/{owner}/{repo}/keys/{key_id}', {
      owner: 'acme',
      repo: 'elsewhere',
      key_id: first.data.id,
    });
    const moved = await h.app.request('POST /repos/{owner}/{repo}/keys', {
      ...o,
      key,
      title: 'v1',
    });
    expect(moved.status).toBe(201);
  });
});
