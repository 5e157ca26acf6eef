import { describe, expect, it } from 'vitest';
import { KEY_STATES } from '../../../src/core/formats/index.ts';
import { classifyEdge } from '../../../src/core/lifecycle/states.ts';

describe('classifyEdge', () => {
  // Every pair of states, spelled out: the table is the specification.
  const table = {
    'pre-activation': {
      'pre-activation': 'unchanged',
      active: 'promote',
      deactivated: 'skip',
      compromised: 'compromise',
      destroyed: 'skip',
    },
    active: {
      'pre-activation': 'backward',
      active: 'unchanged',
      deactivated: 'deactivate',
      compromised: 'compromise',
      destroyed: 'skip',
    },
    deactivated: {
      'pre-activation': 'backward',
      active: 'backward',
      deactivated: 'unchanged',
      compromised: 'compromise',
      destroyed: 'destroy',
    },
    compromised: {
      'pre-activation': 'backward',
      active: 'backward',
      deactivated: 'backward',
      compromised: 'unchanged',
      destroyed: 'destroy',
    },
    destroyed: {
      'pre-activation': 'backward',
      active: 'backward',
      deactivated: 'backward',
      compromised: 'backward',
      destroyed: 'unchanged',
    },
  } as const;
  it.each(
    KEY_STATES.flatMap((from) => KEY_STATES.map((to) => [from, to, table[from][to]] as const)),
  )('%s -> %s is %s', (from, to, edge) => expect(classifyEdge(from, to)).toBe(edge));
});
