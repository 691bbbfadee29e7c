/*
 * Copyright 2026 The Backstage ITSM Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

import { ConfigReader } from '@backstage/config';
import { readPagerDutyConfigs } from './config';

type ConfigData = ConstructorParameters<typeof ConfigReader>[0];

function read(pagerduty: unknown) {
  return readPagerDutyConfigs(
    new ConfigReader({ itsm: { providers: { pagerduty } } } as ConfigData),
  );
}

describe('readPagerDutyConfigs', () => {
  it('reads nothing when no account is configured', () => {
    expect(readPagerDutyConfigs(new ConfigReader({}))).toEqual([]);
  });

  it('reads accounts with their defaults', () => {
    expect(
      read({
        main: { token: 't1' },
        eu: {
          token: 't2',
          baseUrl: 'http://localhost:7007/pd/',
          since: '2025-06-01T02:00:00+02:00',
          pageSize: 25,
          timeoutSeconds: 5,
          overlapSeconds: 0,
          concurrency: 8,
          serviceIds: ['PX1', ' PX2 '],
          causedByChange: {
            maxPriority: 5,
            reasons: ['most_recent', 'intelligent', 'most_recent'],
          },
          urgencyPriority: { high: 'none', low: 5 },
          schedule: { frequency: { minutes: 5 }, timeout: { minutes: 4 } },
          retryBudgetSeconds: 60,
          maxRequestsPerSecond: 2.5,
          rereadResolved: { every: '2h', within: { days: 3 } },
        },
      }),
    ).toEqual([
      {
        key: 'main',
        id: 'pagerduty:main',
        configPath: 'itsm.providers.pagerduty.main',
        token: 't1',
        baseUrl: 'https://api.pagerduty.com',
        schedule: undefined,
        since: undefined,
        pageSize: 100,
        timeoutMs: 30_000,
        overlapMs: 120_000,
        concurrency: 4,
        serviceIds: undefined,
        // Every correlation reason PagerDuty documents (fixture
        // pagerduty-incident-related-change-events.json: most_recent,
        // related_service; its schema adds intelligent).
        causedByChange: {
          maxPriority: 2,
          reasons: ['intelligent', 'most_recent', 'related_service'],
        },
        // Urgency is no impact: a page without a priority is no outage at P2.
        urgencyPriority: { high: 3, low: 4 },
        retryBudgetMs: 300_000,
        // PagerDuty's 960 requests a minute per key.
        maxRequestsPerSecond: 16,
        rereadResolved: { everyMs: 6 * 3600_000, withinMs: 7 * 86_400_000 },
      },
      {
        key: 'eu',
        id: 'pagerduty:eu',
        configPath: 'itsm.providers.pagerduty.eu',
        token: 't2',
        baseUrl: 'http://localhost:7007/pd',
        schedule: {
          frequency: { minutes: 5 },
          timeout: { minutes: 4 },
          initialDelay: undefined,
          scope: undefined,
        },
        since: '2025-06-01T00:00:00.000Z',
        pageSize: 25,
        timeoutMs: 5000,
        overlapMs: 0,
        concurrency: 8,
        serviceIds: ['PX1', 'PX2'],
        causedByChange: {
          maxPriority: 5,
          reasons: ['most_recent', 'intelligent'],
        },
        urgencyPriority: { high: null, low: 5 },
        retryBudgetMs: 60_000,
        maxRequestsPerSecond: 2.5,
        rereadResolved: { everyMs: 2 * 3600_000, withinMs: 3 * 86_400_000 },
      },
    ]);
  });

  it.each([
    [{ main: {} }, /itsm\.providers\.pagerduty\.main\.token/],
    [{ main: { token: 42 } }, /itsm\.providers\.pagerduty\.main\.token/],
    [
      { main: { token: ' ' } },
      /itsm\.providers\.pagerduty\.main\.token: must not be empty/,
    ],
    [
      { main: { token: 't', baseUrl: 'api.pagerduty.com' } },
      /itsm\.providers\.pagerduty\.main\.baseUrl: 'api\.pagerduty\.com' is not a URL/,
    ],
    [
      { main: { token: 't', baseUrl: 'ftp://pd' } },
      /itsm\.providers\.pagerduty\.main\.baseUrl: must be an http\(s\) URL/,
    ],
    [
      { main: { token: 't', since: '2025-01-01' } },
      /itsm\.providers\.pagerduty\.main\.since: '2025-01-01' is not an ISO 8601 instant with a zone/,
    ],
    [
      { main: { token: 't', pageSize: 500 } },
      /itsm\.providers\.pagerduty\.main\.pageSize: must be an integer from 1 to 100, got 500/,
    ],
    [
      { main: { token: 't', pageSize: 'many' } },
      /itsm\.providers\.pagerduty\.main\.pageSize/,
    ],
    [
      { main: { token: 't', timeoutSeconds: 0 } },
      /itsm\.providers\.pagerduty\.main\.timeoutSeconds/,
    ],
    [
      { main: { token: 't', overlapSeconds: 1.5 } },
      /itsm\.providers\.pagerduty\.main\.overlapSeconds/,
    ],
    [
      { main: { token: 't', concurrency: 100 } },
      /itsm\.providers\.pagerduty\.main\.concurrency/,
    ],
    [
      { main: { token: 't', serviceIds: [] } },
      /itsm\.providers\.pagerduty\.main\.serviceIds: must list at least one/,
    ],
    [
      { main: { token: 't', serviceIds: ['PX1', ''] } },
      /itsm\.providers\.pagerduty\.main\.serviceIds\[1\]/,
    ],
    [
      { main: { token: 't', serviceIds: ['PX1', ' '] } },
      /itsm\.providers\.pagerduty\.main\.serviceIds\[1\]: must not be empty/,
    ],
    [
      { main: { token: 't', serviceIds: 'PX1' } },
      /itsm\.providers\.pagerduty\.main\.serviceIds/,
    ],
    [
      { main: { token: 't', causedByChange: { maxPriority: 9 } } },
      /itsm\.providers\.pagerduty\.main\.causedByChange\.maxPriority/,
    ],
    [
      { main: { token: 't', causedByChange: { reasons: 'cause' } } },
      /itsm\.providers\.pagerduty\.main\.causedByChange\.reasons/,
    ],
    [
      {
        main: {
          token: 't',
          causedByChange: { reasons: ['most_recent', 'cause'] },
        },
      },
      /itsm\.providers\.pagerduty\.main\.causedByChange\.reasons\[1\]: 'cause' is not a correlation reason PagerDuty sends \(intelligent, most_recent, related_service\)/,
    ],
    [
      { main: { token: 't', urgencyPriority: { high: 0 } } },
      /itsm\.providers\.pagerduty\.main\.urgencyPriority\.high: must be a priority from 1 to 5 or 'none', got 0/,
    ],
    [
      { main: { token: 't', urgencyPriority: { low: 'P4' } } },
      /itsm\.providers\.pagerduty\.main\.urgencyPriority\.low: must be a priority from 1 to 5 or 'none', got "P4"/,
    ],
    [
      { main: { token: 't', urgencyPriority: { medium: 3 } } },
      /itsm\.providers\.pagerduty\.main\.urgencyPriority\.medium: PagerDuty urgencies are high and low/,
    ],
    [
      { main: { token: 't', urgencyPriority: 3 } },
      /itsm\.providers\.pagerduty\.main\.urgencyPriority/,
    ],
    [
      { main: { token: 't', schedule: { frequency: { minutes: 5 } } } },
      /Invalid config at itsm\.providers\.pagerduty\.main\.schedule; caused by .*timeout/,
    ],
    [{ main: 'token' }, /itsm\.providers\.pagerduty\.main/],
    [
      { main: { token: 't', retryBudgetSeconds: 0 } },
      /itsm\.providers\.pagerduty\.main\.retryBudgetSeconds: must be an integer from 1 to 86400, got 0/,
    ],
    [
      { main: { token: 't', maxRequestsPerSecond: 0 } },
      /itsm\.providers\.pagerduty\.main\.maxRequestsPerSecond: must be a number above 0 and at most 1000, got 0/,
    ],
    [
      { main: { token: 't', maxRequestsPerSecond: 'fast' } },
      /itsm\.providers\.pagerduty\.main\.maxRequestsPerSecond/,
    ],
    [
      { main: { token: 't', rereadResolved: { every: 'soon' } } },
      /Invalid config at itsm\.providers\.pagerduty\.main\.rereadResolved\.every/,
    ],
    [
      { main: { token: 't', rereadResolved: { within: { days: 0 } } } },
      /itsm\.providers\.pagerduty\.main\.rereadResolved\.within: must be a duration longer than zero/,
    ],
    [
      { main: { token: 't', rereadResolved: 'daily' } },
      /itsm\.providers\.pagerduty\.main\.rereadResolved/,
    ],
  ])('refuses %j, naming the key', (pagerduty, message) => {
    expect(() => read(pagerduty)).toThrow(message);
  });

  it('reads urgencyPriority given in part, as numbers or digits, and reasons: [] as linking none', () => {
    const [account] = read({
      main: {
        token: 't',
        urgencyPriority: { low: '5' },
        causedByChange: { reasons: [] },
      },
    });
    expect(account.urgencyPriority).toEqual({ high: 3, low: 5 });
    expect(account.causedByChange).toEqual({ maxPriority: 2, reasons: [] });
  });
});
