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

import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { PagerDutyClient } from '../client';
import {
  BASE_URL,
  FakePagerDuty,
  PAGERDUTY_REST_LIMIT_PER_MINUTE,
  TOKEN,
} from '../__testUtils__/fakePagerDuty';
import { seedAccount } from '../__testUtils__/pagerDutyData';
import { runSync, SyncRun } from '../__testUtils__/runSync';
import { VirtualClock } from '../__testUtils__/virtualClock';
import { PagerDutyItsmProvider } from './PagerDutyItsmProvider';

/*
 * Whole syncs against a PagerDuty account that behaves like a busy real one:
 * its limit of 960 requests a minute per key, with the rate headers on every
 * answer, and faults injected by request number. Time is virtual: a sync
 * that waits for minutes takes seconds.
 */

const server = setupServer();
registerMswTestHooks(server);

// Thousands of requests through msw: seconds, not the default 5.
jest.setTimeout(60_000);

let fake: FakePagerDuty;
let time: VirtualClock;

beforeEach(() => {
  time = new VirtualClock();
  fake = new FakePagerDuty();
  fake.now = time.now;
  fake.rateLimitPerMinute = PAGERDUTY_REST_LIMIT_PER_MINUTE;
  server.use(...fake.handlers());
});

/** The provider as the module makes it from a config with defaults. */
function provider(options: { maxRequestsPerSecond?: number } = {}) {
  const client = new PagerDutyClient({
    accountId: 'pagerduty:main',
    configPath: 'itsm.providers.pagerduty.main',
    baseUrl: BASE_URL,
    token: TOKEN,
    timeoutMs: 30_000,
    maxRequestsPerSecond: options.maxRequestsPerSecond,
    http: { now: time.now, sleep: time.sleep, fetch: time.fetch() },
  });
  return {
    client,
    provider: new PagerDutyItsmProvider({
      id: 'pagerduty:main',
      client,
      since: '2026-01-01T00:00:00Z',
      pageSize: 100,
      overlapMs: 120_000,
      concurrency: 4,
      causedByChange: { maxPriority: 2, reasons: ['intelligent'] },
      now: () => Date.parse('2026-03-10T00:00:00Z'),
    }),
  };
}

/** Every id of the account, each exactly once: sorted lists compared whole. */
function expectEveryRecordOnce(run: SyncRun) {
  expect(run.error).toBeUndefined();
  expect(run.invalid).toEqual([]);
  expect(run.records.map(r => r.externalId).sort()).toEqual(fake.expectedIds());
}

describe('PagerDutyItsmProvider against a busy PagerDuty', () => {
  it('finishes 2,374 records under 960 requests a minute with a 500 every 900 requests, never idling on a 500 and never rate limited', async () => {
    seedAccount(fake, {
      incidents: 2000,
      changeEvents: 374,
      from: '2026-01-05T00:00:00Z',
      to: '2026-03-09T00:00:00Z',
    });
    fake.inject = [{ every: 900, status: 500 }];
    const { provider: p, client } = provider();

    const run = await runSync(p, null);

    expectEveryRecordOnce(run);
    expect(run.records).toHaveLength(2374);
    // The default rate (16 a second) keeps under PagerDuty's limit.
    expect(fake.stats.rateLimited).toBe(0);
    expect(fake.stats.injected).toBeGreaterThanOrEqual(2);
    // Every 500 was retried after a short backoff, not PagerDuty's
    // ratelimit-reset, which it carries too.
    expect(fake.failures.every(f => f.status === 500 && f.n % 900 === 0)).toBe(
      true,
    );
    expect(run.reported.retries).toHaveLength(fake.stats.injected);
    for (const retry of run.reported.retries) {
      expect(retry.status).toBe(500);
      expect(retry.waitMs).toBeLessThan(1000);
    }
    expect(Math.max(...time.waits)).toBeLessThan(1000);
    // The whole sync took the time its requests take at 16 a second.
    const requests = fake.stats.requests;
    expect(run.reported.requests).toBe(requests);
    expect(client.requestCount).toBe(requests);
    expect(time.now()).toBeLessThan((requests / 16) * 1000 + 5000);
    expect(time.now()).toBeGreaterThanOrEqual(((requests - 4) / 16) * 1000);
  });

  it('waits for the rate window on 429s when no client rate is set, and still finishes', async () => {
    seedAccount(fake, {
      incidents: 1200,
      changeEvents: 200,
      from: '2026-01-05T00:00:00Z',
      to: '2026-03-09T00:00:00Z',
    });
    const { provider: p } = provider({ maxRequestsPerSecond: Infinity });

    const run = await runSync(p, null);

    expectEveryRecordOnce(run);
    expect(fake.stats.rateLimited).toBeGreaterThan(0);
    const waited = run.reported.retries;
    expect(waited).toHaveLength(fake.stats.rateLimited);
    for (const retry of waited) {
      expect(retry.status).toBe(429);
      // ratelimit-reset: the rest of the minute, never more.
      expect(retry.waitMs).toBeGreaterThan(0);
      expect(retry.waitMs).toBeLessThanOrEqual(60_000);
    }
  });

  // Each 429 waits what it asks: its Retry-After, else the rest of the
  // rate window (whole seconds, up to a minute).
  it.each([
    ['the rate window reset', undefined, 1000, 60_000],
    ['Retry-After: 1', 1, 1000, 1000],
  ])(
    'finishes 2,500 records with every 5th request a 429 (%s) and every 7th a 500, each record once',
    async (_name, retryAfterSeconds, shortestWait, longestWait) => {
      seedAccount(fake, {
        incidents: 2000,
        changeEvents: 500,
        from: '2026-01-05T00:00:00Z',
        to: '2026-03-09T00:00:00Z',
      });
      fake.inject = [
        { every: 5, status: 429, retryAfterSeconds },
        { every: 7, status: 500 },
      ];
      const { provider: p } = provider();

      const run = await runSync(p, null);

      expectEveryRecordOnce(run);
      expect(run.records).toHaveLength(2500);
      const by429 = run.reported.retries.filter(r => r.status === 429);
      const by500 = run.reported.retries.filter(r => r.status === 500);
      expect(by429.length).toBeGreaterThan(400);
      expect(by500.length).toBeGreaterThan(250);
      expect(by429.length + by500.length).toBe(fake.stats.injected);
      expect(fake.stats.rateLimited).toBe(0);
      for (const retry of by429) {
        expect(retry.waitMs).toBeGreaterThanOrEqual(shortestWait);
        expect(retry.waitMs).toBeLessThanOrEqual(longestWait);
      }
      for (const retry of by500) {
        expect(retry.waitMs).toBeLessThanOrEqual(30_000);
      }
    },
  );
});
