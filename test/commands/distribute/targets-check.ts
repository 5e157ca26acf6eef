// What every target of the STANDARD manifest holds, compared with the manifest's material.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { deployKeyTitle } from '../../../src/core/targets/index.ts';
import type { DistBed } from './bed.ts';

export function targetChecks(bed: DistBed) {
  const secret = (id: string, v: number) => bed.material(id, v).secret;
  const repoSecret = (name: string, app: 'actions' | 'dependabot' = 'actions') =>
    bed.emu.openSecret({ app, repository: 'acme/api' }, name);

  /** What every target holds, compared with the manifest. */
  async function expectDistributed(): Promise<void> {
    const webhook = bed.key('payments/webhook');
    const active = webhook.versions.find((v) => v.state === 'active')!.version;
    const deactivated = webhook.versions
      .filter((v) => v.state === 'deactivated')
      .sort((a, b) => b.version - a.version)[0]?.version;
    expect(repoSecret('WEBHOOK_KEY')).toBe(secret('payments/webhook', active));
    expect(
      bed.emu.openSecret({ repository: 'acme/api', environment: 'production' }, 'WEBHOOK_KEY'),
    ).toBe(secret('payments/webhook', active));
    if (deactivated === undefined)
      expect(bed.emu.secretNames({ repository: 'acme/api' })).not.toContain('WEBHOOK_KEY_PREVIOUS');
    else expect(repoSecret('WEBHOOK_KEY_PREVIOUS')).toBe(secret('payments/webhook', deactivated));
    expect(readFileSync(join(bed.out, 'payments.env'), 'utf8')).toBe(
      `PAYMENTS_WEBHOOK=${secret('payments/webhook', active)}\n`,
    );

    const npm = bed.key('shared/npm');
    const npmActive = npm.versions.find((v) => v.state === 'active')!.version;
    const npmPrevious = npm.versions
      .filter((v) => v.state === 'deactivated')
      .sort((a, b) => b.version - a.version)[0]?.version;
    const org = { app: 'dependabot' as const, organization: 'acme' };
    if (npmPrevious === undefined) expect(bed.emu.secretNames(org)).not.toContain('NPM_TOKEN_OLD');
    else expect(bed.emu.openSecret(org, 'NPM_TOKEN_OLD')).toBe(secret('shared/npm', npmPrevious));
    expect(bed.emu.openSecret({ app: 'dependabot', organization: 'acme' }, 'NPM_TOKEN')).toBe(
      secret('shared/npm', npmActive),
    );
    expect(bed.emu.openSecret({ repository: 'acme/web' }, 'NPM_TOKEN')).toBe(
      secret('shared/npm', npmActive),
    );

    const deploy = bed.key('infra/deploy');
    const keys = await bed.ports().targets.deployKeys.listDeployKeys('acme/deploy');
    const want = deploy.versions
      .filter((v) => v.state === 'active' || v.state === 'deactivated')
      .map((v) => ({
        title: deployKeyTitle('ci', 'infra/deploy', v.version),
        key: bed.material('infra/deploy', v.version).public!.split(' ').slice(0, 2).join(' '),
      }));
    expect(
      keys
        .map((k) => ({ title: k.title, key: k.key }))
        .sort((a, b) => (a.title < b.title ? -1 : 1)),
    ).toEqual(want.sort((a, b) => (a.title < b.title ? -1 : 1)));
    const deployActive = deploy.versions.find((v) => v.state === 'active')!.version;
    expect(readFileSync(join(bed.out, 'deploy/id_ed25519'), 'utf8')).toBe(
      secret('infra/deploy', deployActive),
    );

    const jwks = JSON.parse(readFileSync(join(bed.out, 'jwks.json'), 'utf8')) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual(
      bed
        .key('auth/jwt')
        .versions.filter((v) => ['pre-activation', 'active', 'deactivated'].includes(v.state))
        .sort((a, b) => b.version - a.version)
        .map((v) => v.fingerprint),
    );
    const jwtActive = bed.key('auth/jwt').versions.find((v) => v.state === 'active')!.version;
    const k8s = readFileSync(join(bed.out, 'k8s/jwt.yaml'), 'utf8');
    expect(k8s).toContain(
      `signing.pem: ${Buffer.from(secret('auth/jwt', jwtActive)).toString('base64')}`,
    );
  }

  /** No slot, deploy key or file holds any of these versions' material. */
  async function expectGone(gone: readonly { id: string; version: number }[]) {
    const sealed = [
      ...bed.emu.secretNames({ repository: 'acme/api' }).map((n) => repoSecret(n)),
      ...bed.emu
        .secretNames({ repository: 'acme/api', environment: 'production' })
        .map((n) => bed.emu.openSecret({ repository: 'acme/api', environment: 'production' }, n)),
      ...bed.emu
        .secretNames({ app: 'dependabot', organization: 'acme' })
        .map((n) => bed.emu.openSecret({ app: 'dependabot', organization: 'acme' }, n)),
      ...bed.emu
        .secretNames({ repository: 'acme/web' })
        .map((n) => bed.emu.openSecret({ repository: 'acme/web' }, n)),
    ];
    const deployKeys = (await bed.ports().targets.deployKeys.listDeployKeys('acme/deploy')).map(
      (k) => k.key,
    );
    const files = ['payments.env', 'deploy/id_ed25519', 'jwks.json', 'k8s/jwt.yaml']
      .filter((f) => existsSync(join(bed.out, f)))
      .map((f) => readFileSync(join(bed.out, f), 'utf8'));
    for (const { id, version } of gone) {
      const m = bed.material(id, version);
      expect(sealed.some((s) => s === m.secret)).toBe(false);
      if (m.public) {
        const pub = m.public.split(' ').slice(0, 2).join(' ');
        expect(deployKeys).not.toContain(pub);
        if (m.public.startsWith('ssh-'))
          expect(files.some((f) => f.includes(pub.split(' ')[1]!))).toBe(false);
      }
      expect(files.some((f) => f.includes(m.secret.trim()))).toBe(false);
    }
  }

  return { expectDistributed, expectGone };
}
