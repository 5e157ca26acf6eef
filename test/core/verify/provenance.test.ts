import { describe, expect, it } from 'vitest';
import { isLoginIdentity } from '../../../src/core/verify/provenance.ts';

const app = ['rekey-app[bot]'];

describe('isLoginIdentity', () => {
  it.each([
    [{ name: 'rekey-app[bot]', email: '41898282+rekey-app[bot]@users.noreply.github.com' }, true],
    [{ name: 'Rekey-App[bot]', email: 'rekey-app[bot]@users.noreply.github.com' }, true],
    [{ name: 'rekey-app[bot]', email: 'alice@example.com' }, false],
    [{ name: 'alice', email: '41898282+rekey-app[bot]@users.noreply.github.com' }, false],
    [{ name: 'rekey-app[bot]', email: '1+rekey-appX[bot]@users.noreply.github.com' }, false],
    [{ name: 'rekey-app[bot]', email: 'x+rekey-app[bot]@users.noreply.github.com' }, false],
  ])('%o: %s', (who, expected) => expect(isLoginIdentity(who, app)).toBe(expected));
});
