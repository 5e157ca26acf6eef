// The emulator's side of the campaign's faults: the fault header picks a fault for one request,
// a lost response still applies the write, and a stuck target refuses secret writes until
// its time is over.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sandbox/emulator/index.ts';
import { faultHook, type Stuck } from '../../src/sandbox/chaos/hook.ts';
import { FAULT_HEADER } from '../../src/sandbox/chaos/wire.ts';

let emu: Emulator;
let token: string;
let clock = new Date('2027-01-01T00:00:00Z');
const stuck: Stuck = { until: null };
const received: string[] = [];

beforeEach(async () => {
  emu = await startEmulator({ now: () => clock, onReceived: (path) => void received.push(path) });
  await emu.addRepo({ fullName: 'acme/api' });
  token = emu.addToken({
    kind: 'app',
    login: 'x',
    permissions: { issues: 'write', secrets: 'write' },
  });
  emu.setFaultHook(faultHook('acme/api', stuck, () => clock));
});
afterEach(() => emu.close());

const issue = (fault?: string) =>
  fetch(`${emu.apiUrl}/repos/acme/api/issues`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(fault ? { [FAULT_HEADER]: fault } : {}) },
    body: JSON.stringify({ title: 't' }),
  });
const openIssues = () => [...emu.repo('acme/api').issues.values()].length;

describe('the campaign fault hook', () => {
  it('answers a 5xx before the handler runs', async () => {
    expect((await issue('5xx:502')).status).toBe(502);
    expect(openIssues()).toBe(0);
    expect(received).toContain('/api/v3/repos/acme/api/issues');
  });

  it('applies a write whose response is lost', async () => {
    await expect(issue('lost-response:POST')).rejects.toThrow();
    expect(openIssues()).toBe(1);
  });

  it('answers secondary rate limits with the asked retry-after', async () => {
    const r = await issue('secondary-rate-limit:600');
    expect(r.status).toBe(403);
    expect(r.headers.get('retry-after')).toBe('600');
  });

  it('refuses secret writes to a stuck target until its time is over', async () => {
    const put = () =>
      fetch(`${emu.apiUrl}/repos/acme/api/actions/secrets/X`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify({ encrypted_value: 'AAAA', key_id: '1' }),
      });
    stuck.until = new Date(clock.getTime() + 60_000);
    expect((await put()).status).toBe(503);
    clock = new Date(clock.getTime() + 120_000);
    expect((await put()).status).not.toBe(503);
    stuck.until = null;
  });
});
