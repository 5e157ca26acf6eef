import { describe, expect, it } from 'vitest';
import {
  ageBar,
  DASHBOARD_MARKER,
  renderDashboard,
  renderInvalidDashboard,
  type DashboardPull,
  type HaltedKey,
} from '../../../src/core/dashboard/render.ts';
import { diagnostic } from '../../../src/core/diagnostics.ts';
import { renderMarker } from '../../../src/core/pull-body.ts';
import { claimReasons } from '../../../src/core/rekey-pulls.ts';
import { plan } from '../../../src/core/plan/plan.ts';
import { history, key, snapshot } from '../plan/fixtures.ts';

const DAY = 86_400_000;

describe('ageBar', () => {
  it.each([
    [0, '`░░░░░░░░░░` 0 d of 90 d'],
    [45 * DAY, '`▓▓▓▓▓░░░░░` 45 d of 90 d'],
    [89.9 * DAY, '`▓▓▓▓▓▓▓▓▓░` 89 d of 90 d'],
    [90 * DAY, '`▓▓▓▓▓▓▓▓▓▓` 90 d of 90 d ⚠'],
    [200 * DAY, '`▓▓▓▓▓▓▓▓▓▓` 200 d of 90 d ⚠'],
  ])('%d ms of 90 d', (age, text) => {
    expect(ageBar(age, 90 * DAY)).toBe(text);
  });
});

const snap = snapshot([
  key('payments/webhook', 'standard', [
    [2, 'active', '2026-09-01T09:00:00Z'],
    [1, 'deactivated', '2026-06-01T09:00:00Z'],
  ]),
  key('infra/db', 'standard', [[1, 'active', '2026-08-01T09:00:00Z']]),
  key('search/api', 'prepub', [
    [2, 'pre-activation', '2026-11-20T09:00:00Z'],
    [1, 'active', '2026-10-01T09:00:00Z'],
  ]),
  key('legacy/old', 'standard', [[1, 'destroyed', '2026-01-01T09:00:00Z']]),
]);
const hist = history({
  // History knows v2 became active a day after it was created: the age comes from history.
  'payments/webhook': { 2: { active: '2026-09-02T09:00:00Z' } },
});
const render = (
  now: string,
  pulls: DashboardPull[] = [],
  halted: ReadonlyMap<string, HaltedKey> = new Map(),
) => {
  const at = new Date(now);
  const p = plan({
    snapshot: snap,
    history: hist,
    openPulls: pulls,
    halted: [...halted.keys()],
    now: at,
  });
  return renderDashboard({ snapshot: snap, plan: p, history: hist, pulls, halted, now: at });
};
/** The key's row in the Keys table. */
const row = (body: string, id: string) =>
  body
    .slice(body.indexOf('## Keys'))
    .split('\n')
    .find((l) => l.startsWith(`| \`${id}\``));

describe('renderDashboard', () => {
  it('shows every key: status, live versions, age against the cryptoperiod, next action and date', () => {
    const { title, body } = render('2026-10-01T12:00:00Z');
    expect(title).toBe('rekey dashboard');
    // [key, whole row]
    const ROWS: [string, string][] = [
      [
        'payments/webhook',
        '| `payments/webhook` | 🟢 ok | v2 active, v1 deactivated | `▓▓▓░░░░░░░` 29 d of 90 d | rotate on 2026-11-17 09:00 UTC |  |',
      ],
      [
        'infra/db',
        '| `infra/db` | 🟢 ok | v1 active | `▓▓▓▓▓▓░░░░` 61 d of 90 d | rotate on 2026-10-16 09:00 UTC |  |',
      ],
      [
        'search/api',
        '| `search/api` | 🟢 ok | v2 pre-activation, v1 active | `░░░░░░░░░░` 0 d of 90 d | promote on 2026-11-27 09:00 UTC |  |',
      ],
      ['legacy/old', '| `legacy/old` | 🟡 due | none | — | rotate to v2: due now |  |'],
    ];
    for (const [id, text] of ROWS) expect(row(body, id)).toBe(text);
    expect(body).toContain(
      '**4 keys**: 3 ok, 1 due, 0 overdue, 0 halted; 0 with an open pull request.',
    );
    expect(body).not.toContain('## Halted keys');
    expect(body).not.toContain('## Open rekey pull requests');
    expect(body.trimEnd().endsWith(DASHBOARD_MARKER)).toBe(true);
  });

  it('links open PRs, says what a key waits for, and lists halted keys with the reason', () => {
    const pulls: DashboardPull[] = [
      {
        keyId: 'infra/db',
        kind: 'rotate',
        number: 12,
        url: 'https://github.example/acme/infra/pull/12',
      },
    ];
    const halted = new Map([
      [
        'payments/webhook',
        {
          issue: 7,
          url: 'https://github.example/acme/infra/issues/7',
          reason: 'acme/api: 403 <b>secrets</b> [x](y)',
        },
      ],
    ]);
    const { body } = render('2026-12-01T12:00:00Z', pulls, halted);
    expect(row(body, 'infra/db')).toBe(
      '| `infra/db` | 🔴 overdue | v1 active | `▓▓▓▓▓▓▓▓▓▓` 122 d of 90 d ⚠ | rotate due 2026-10-16 09:00 UTC; waiting for [#12](https://github.example/acme/infra/pull/12) | [#12](https://github.example/acme/infra/pull/12) |',
    );
    expect(row(body, 'payments/webhook')).toMatch(
      /^\| `payments\/webhook` \| ⛔ halted \| .* rotate due 2026-11-17 09:00 UTC; halted \|  \|$/,
    );
    expect(body).toContain('## Halted keys');
    // The reason is made inert: no HTML, no link.
    expect(body).toContain(
      '| `payments/webhook` | acme/api: 403 \\<b\\>secrets\\</b\\> \\[x\\]\\(y\\) | [#7](https://github.example/acme/infra/issues/7) |',
    );
    expect(body).toContain(
      '| [#12](https://github.example/acme/infra/pull/12) | `infra/db` | rotation |',
    );
  });

  it('quotes a claiming PR whose branch name is hostile inertly: no mention, link, HTML or cell', () => {
    const branch = 'rekey/@acme/everyone|<img src=x>[x](https://evil.example)';
    const reasons = claimReasons(
      {
        number: 9,
        url: 'https://github.example/acme/infra/pull/9',
        body: renderMarker({ action: 'rotate', key: 'infra/db', versions: [2] }),
        author: 'mallory',
        headRef: branch,
        headRepo: 'acme/infra',
        baseRepo: 'acme/infra',
        labels: ['rekey'],
      },
      { action: 'rotate', key: 'infra/db', versions: [2] },
      { authors: ['rekey[bot]'] },
    );
    const at = new Date('2026-10-01T12:00:00Z');
    const p = plan({ snapshot: snap, history: hist, openPulls: [], halted: [], now: at });
    const { body } = renderDashboard({
      snapshot: snap,
      plan: p,
      history: hist,
      pulls: [],
      claiming: [
        {
          number: 9,
          url: 'https://github.example/acme/infra/pull/9',
          author: 'mallory',
          keyId: 'infra/db',
          reasons,
        },
      ],
      halted: new Map(),
      now: at,
    });
    const line = body.split('\n').find((l) => l.startsWith('| [#9]'))!;
    expect(line).toContain('@\u200bacme/everyone');
    // In the reasons cell no mention, and no `<`, `[` or `(` that is not escaped.
    expect(line.slice(line.indexOf('author mallory'))).not.toMatch(/@acme|(?<!\\)[<>[\]()]/);
    // The row keeps its four cells: the branch's `|` is escaped.
    expect(line.split(/(?<!\\)\|/).length).toBe(6);
  });

  it('is the same text at another hour of the same day, and changes when a key becomes due', () => {
    const a = render('2026-10-01T12:00:00Z').body;
    expect(render('2026-10-01T13:00:00Z').body).toBe(a);
    expect(render('2026-10-01T23:59:00Z').body).toBe(a);
    const due = render('2026-10-16T09:00:00Z').body;
    expect(due).not.toBe(a);
    expect(row(due, 'infra/db')).toContain('🟡 due');
    expect(row(due, 'infra/db')).toContain('rotate to v2: due 2026-10-16 09:00 UTC');
  });

  it('carries no time finer than a day except the planner dates', () => {
    const { body } = render('2026-10-01T12:34:56Z');
    expect(body).not.toMatch(/12:34|T12:|:56/);
  });
});

describe('renderInvalidDashboard', () => {
  it('lists where the manifest is broken, and the halted keys', () => {
    const { body } = renderInvalidDashboard(
      [
        diagnostic('lifecycle/multiple-active', 'two active', {
          file: 'keys-manifest/a/key.yaml',
          line: 7,
          column: 5,
        }),
      ],
      new Map([['a', { issue: 3, url: 'https://x/3', reason: 'r' }]]),
    );
    expect(body).toContain('**The manifest on the default branch is invalid** (1 problem)');
    expect(body).toContain('| `keys-manifest/a/key.yaml:7` | `lifecycle/multiple-active` |');
    expect(body).toContain('Halted keys: `a` ([#3](https://x/3)).');
    expect(body).not.toContain('two active'); // messages stay in `rekey validate`, the table names places
  });
});
