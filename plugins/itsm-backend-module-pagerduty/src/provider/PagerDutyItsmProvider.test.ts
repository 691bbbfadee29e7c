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
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { PagerDutyClient, PagerDutyIncident } from '../client';
import {
  BASE_URL,
  FakePagerDuty,
  stall,
  TOKEN,
} from '../__testUtils__/fakePagerDuty';
import {
  makeChangeEvent,
  makeIncident,
  makeLogEntry,
} from '../__testUtils__/pagerDutyData';
import { runSync } from '../__testUtils__/runSync';
import { VirtualClock } from '../__testUtils__/virtualClock';
import incidentsFixture from '../__fixtures__/pagerduty-incidents.json';
import logEntriesFixture from '../__fixtures__/pagerduty-log_entries.json';
import changeEventsFixture from '../__fixtures__/pagerduty-change-events-list.json';
import relatedFixture from '../__fixtures__/pagerduty-incident-related-change-events.json';
import { DEFAULT_CAUSED_BY_CHANGE_REASONS } from '../config';
import {
  PagerDutyItsmProvider,
  PagerDutyItsmProviderOptions,
} from './PagerDutyItsmProvider';

const server = setupServer();
registerMswTestHooks(server);

const T0 = Date.parse('2026-03-10T00:00:00Z');
const SERVICE = { id: 'PSVC001', type: 'service_reference', summary: 'Mail' };
const OTHER_SERVICE = { id: 'PSVC002', type: 'service_reference' };

let fake: FakePagerDuty;
/** The wall clock the provider reads (its windows and watermarks). */
let clock: number;
/** The HTTP layer's time: its retries and rate wait without waiting. */
let time: VirtualClock;

beforeEach(() => {
  fake = new FakePagerDuty();
  clock = T0;
  time = new VirtualClock();
  fake.now = time.now;
  server.use(...fake.handlers());
});

function provider(
  options: Partial<PagerDutyItsmProviderOptions> & {
    token?: string;
    timeoutMs?: number;
    retryBudgetMs?: number;
    maxRequestsPerSecond?: number;
  } = {},
) {
  const { token, timeoutMs, retryBudgetMs, maxRequestsPerSecond, ...rest } =
    options;
  return new PagerDutyItsmProvider({
    id: 'pagerduty:main',
    client: new PagerDutyClient({
      accountId: 'pagerduty:main',
      configPath: 'itsm.providers.pagerduty.main',
      baseUrl: BASE_URL,
      token: token ?? TOKEN,
      timeoutMs: timeoutMs ?? 5000,
      retryBudgetMs,
      maxRequestsPerSecond: maxRequestsPerSecond ?? Infinity,
      http: {
        now: time.now,
        sleep: time.sleep,
        fetch: time.fetch(),
        random: () => 0.5,
      },
    }),
    since: '2026-01-01T00:00:00Z',
    pageSize: 2,
    overlapMs: 120_000,
    concurrency: 2,
    causedByChange: {
      maxPriority: 2,
      reasons: [...DEFAULT_CAUSED_BY_CHANGE_REASONS],
    },
    now: () => clock,
    ...rest,
  });
}

/** Five incidents of early March with their log entries, three change events. */
function seed() {
  const incidents = [
    makeIncident({
      id: 'PINC001',
      incident_number: 1,
      title: 'Mail is down',
      created_at: '2026-03-01T10:00:00Z',
      status: 'resolved',
      priority: { id: 'PP1', type: 'priority_reference', summary: 'P1' },
      urgency: 'high',
      service: SERVICE,
      resolved_at: '2026-03-01T11:00:00Z',
      updated_at: '2026-03-01T11:00:00Z',
      last_status_change_at: '2026-03-01T11:00:00Z',
      assignments: [],
    }),
    makeIncident({
      id: 'PINC002',
      incident_number: 2,
      created_at: '2026-03-02T10:00:00Z',
      status: 'acknowledged',
      priority: null,
      urgency: 'low',
      service: SERVICE,
    }),
    makeIncident({
      id: 'PINC003',
      incident_number: 3,
      created_at: '2026-03-03T10:00:00Z',
      status: 'triggered',
      priority: null,
      urgency: 'high',
      service: OTHER_SERVICE,
    }),
    makeIncident({
      id: 'PINC004',
      incident_number: 4,
      created_at: '2026-03-04T10:00:00Z',
      status: 'triggered',
      priority: { id: 'PP3', type: 'priority_reference', summary: 'P3' },
      urgency: 'high',
      service: SERVICE,
    }),
    makeIncident({
      id: 'PINC005',
      incident_number: 5,
      created_at: '2026-03-05T10:00:00Z',
      status: 'triggered',
      priority: { id: 'PP5', type: 'priority_reference', summary: 'P5' },
      urgency: 'low',
      service: SERVICE,
    }),
  ];
  fake.incidents.push(...incidents);
  for (const incident of incidents) {
    fake.logEntries.push(
      makeLogEntry('trigger_log_entry', incident, incident.created_at!),
    );
  }
  fake.logEntries.push(
    makeLogEntry('acknowledge_log_entry', incidents[0], '2026-03-01T10:05:00Z'),
    makeLogEntry('resolve_log_entry', incidents[0], '2026-03-01T11:00:00Z'),
    makeLogEntry('acknowledge_log_entry', incidents[1], '2026-03-02T10:30:00Z'),
  );
  fake.changeEvents.push(
    makeChangeEvent({
      id: 'CHG001',
      timestamp: '2026-03-01T09:30:00Z',
      services: [SERVICE],
    }),
    makeChangeEvent({
      id: 'CHG002',
      timestamp: '2026-03-02T09:30:00Z',
      services: [SERVICE, OTHER_SERVICE],
    }),
    makeChangeEvent({
      id: 'CHG003',
      timestamp: '2026-03-03T09:30:00Z',
      services: [OTHER_SERVICE],
    }),
  );
  return incidents;
}

/** The first `GET /incidents` is refused as PagerDuty does: over its limit for 7 s more. */
function rateLimitFirstIncidentsPage() {
  let limited = false;
  fake.fault = (_req, url) => {
    if (url.pathname === '/incidents' && !limited) {
      limited = true;
      return HttpResponse.json(
        { error: { message: 'Rate Limit Exceeded', code: 2020 } },
        {
          status: 429,
          headers: {
            'ratelimit-limit': '960',
            'ratelimit-remaining': '0',
            'ratelimit-reset': '7',
          },
        },
      );
    }
    return undefined;
  };
}

const ids = (records: Array<{ externalId: string }>) =>
  records.map(r => r.externalId).sort();

describe('PagerDutyItsmProvider', () => {
  it('reads every incident and change event over several pages on the first run', async () => {
    seed();
    const run = await runSync(provider(), null);

    expect(run.error).toBeUndefined();
    expect(run.invalid).toEqual([]);
    expect(ids(run.records)).toEqual([
      'CHG001',
      'CHG002',
      'CHG003',
      'PINC001',
      'PINC002',
      'PINC003',
      'PINC004',
      'PINC005',
    ]);

    // The window holding the five incidents is read in pages of two.
    const pages = fake
      .requestsTo('/incidents')
      .filter(u => u.searchParams.get('until') === '2026-03-10T00:00:00Z');
    expect(pages.map(u => u.searchParams.get('offset'))).toEqual([
      '0',
      '2',
      '4',
    ]);
    expect(pages.map(u => u.searchParams.get('total'))).toEqual([
      'true',
      null,
      null,
    ]);
    for (const u of fake.requestsTo('/incidents')) {
      expect(u.searchParams.get('limit')).toBe('2');
      expect(u.searchParams.get('sort_by')).toBe('created_at:asc');
      expect(u.searchParams.get('time_zone')).toBe('UTC');
      expect(u.searchParams.getAll('statuses[]')).toEqual([
        'triggered',
        'acknowledged',
        'resolved',
      ]);
      expect(u.searchParams.get('since')).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
      );
    }
    // Windows tile history from `since` to now, without gaps.
    const windows = fake
      .requestsTo('/incidents')
      .filter(u => u.searchParams.get('offset') === '0')
      .map(u => [u.searchParams.get('since'), u.searchParams.get('until')]);
    expect(windows[0][0]).toBe('2026-01-01T00:00:00Z');
    expect(windows[windows.length - 1][1]).toBe('2026-03-10T00:00:00Z');
    windows.slice(1).forEach(([since], i) => expect(since).toBe(windows[i][1]));
    // The first run has nothing to update yet.
    expect(fake.requestsTo('/log_entries')).toEqual([]);

    const cursor = JSON.parse(run.cursor!);
    expect(cursor).toEqual({
      v: 1,
      updates: { from: '2026-03-10T00:00:00Z' },
      incidents: { from: '2026-03-10T00:00:00Z' },
      changes: { from: '2026-03-10T00:00:00Z' },
      // Everything was just read: the first re-read of resolved incidents is due in 6 hours.
      reread: { last: '2026-03-10T00:00:00Z' },
    });
  });

  it('normalises incidents: states, priorities, instants from log entries, mapping', async () => {
    seed();
    const run = await runSync(provider(), null);
    const byId = new Map(run.records.map(r => [r.externalId, r]));

    expect(byId.get('PINC001')).toMatchObject({
      kind: 'incident',
      number: '#1',
      title: 'Mail is down',
      url: 'https://subdomain.pagerduty.com/incidents/PINC001',
      state: 'resolved',
      priority: 1,
      openedAt: '2026-03-01T10:00:00.000Z',
      acknowledgedAt: '2026-03-01T10:05:00.000Z',
      resolvedAt: '2026-03-01T11:00:00.000Z',
      assignmentGroup: 'Another Escalation Policy',
      sourceUpdatedAt: '2026-03-01T11:00:00.000Z',
      mappings: [{ annotation: 'pagerduty.com/service-id', value: 'PSVC001' }],
    });
    expect(byId.get('PINC002')).toMatchObject({
      state: 'in_progress',
      priority: 4, // no priority, urgency low
      acknowledgedAt: '2026-03-02T10:30:00.000Z',
      resolvedAt: null,
      sourceUpdatedAt: '2026-03-02T10:30:00.000Z', // its last log entry
    });
    expect(byId.get('PINC003')).toMatchObject({
      state: 'new',
      priority: 3, // no priority, urgency high: not an outage at P2
      acknowledgedAt: null,
    });
    expect(byId.get('PINC004')?.priority).toBe(3);
    expect(byId.get('PINC005')?.priority).toBe(5);
    expect((byId.get('PINC001')?.payload as PagerDutyIncident).id).toBe(
      'PINC001',
    );
  });

  it('takes the first acknowledge and the resolve from the log entries of a resolved incident', async () => {
    // PagerDuty clears assignments and acknowledgements on resolve; the log
    // (fixture: ack, unack by timeout, escalate, resolve) keeps them.
    const incident = makeIncident({
      ...incidentsFixture.incidents[0],
      id: 'P31FVLZ',
      incident_number: 12,
      created_at: '2013-03-06T20:28:46Z',
      updated_at: '2013-03-06T21:33:15Z',
      last_status_change_at: '2013-03-06T21:33:15Z',
      resolved_at: '2013-03-06T21:33:15Z',
      status: 'resolved',
      priority: null,
      service: { id: 'P4672E4', type: 'service_reference' },
    });
    fake.incidents.push(incident);
    fake.logEntries.push(...logEntriesFixture.log_entries);
    clock = Date.parse('2013-03-07T00:00:00Z');

    const run = await runSync(
      provider({ since: '2013-03-06T00:00:00Z' }),
      null,
    );
    expect(run.error).toBeUndefined();
    expect(run.records).toEqual([
      expect.objectContaining({
        externalId: 'P31FVLZ',
        state: 'resolved',
        priority: 3, // no priority on the account, urgency high
        openedAt: '2013-03-06T20:28:46.000Z',
        acknowledgedAt: '2013-03-06T20:29:30.000Z', // first ack, not the one after the timeout
        resolvedAt: '2013-03-06T21:33:15.000Z',
        assignee: 'Bob Smith', // the last escalation
        assignmentGroup: 'Default',
        mappings: [
          { annotation: 'pagerduty.com/service-id', value: 'P4672E4' },
        ],
      }),
    ]);
  });

  it('picks up an incident updated since the last run through the account log entries', async () => {
    const incidents = seed();
    const first = await runSync(provider(), null);
    expect(first.error).toBeUndefined();

    // After the first run: PINC003 (created a week ago) is acknowledged,
    // and a new incident arrives.
    Object.assign(incidents[2], {
      status: 'acknowledged',
      updated_at: '2026-03-10T01:00:00Z',
      last_status_change_at: '2026-03-10T01:00:00Z',
    });
    fake.logEntries.push(
      makeLogEntry(
        'acknowledge_log_entry',
        incidents[2],
        '2026-03-10T01:00:00Z',
      ),
    );
    const created = makeIncident({
      id: 'PINC006',
      incident_number: 6,
      created_at: '2026-03-10T02:00:00Z',
      service: SERVICE,
    });
    fake.incidents.push(created);
    fake.logEntries.push(
      makeLogEntry('trigger_log_entry', created, '2026-03-10T02:00:00Z'),
    );
    fake.requests.length = 0;
    clock = Date.parse('2026-03-10T03:00:00Z');

    const second = await runSync(provider(), first.cursor);
    expect(second.error).toBeUndefined();
    expect(second.invalid).toEqual([]);

    const updated = second.records.find(r => r.externalId === 'PINC003');
    expect(updated).toMatchObject({
      state: 'in_progress',
      acknowledgedAt: '2026-03-10T01:00:00.000Z',
      sourceUpdatedAt: '2026-03-10T01:00:00.000Z',
    });
    expect(second.records.map(r => r.externalId)).toContain('PINC006');
    // Untouched incidents are not read again.
    expect(second.records.map(r => r.externalId)).not.toContain('PINC001');

    const [logRequest] = fake.requestsTo('/log_entries');
    expect(logRequest.searchParams.get('since')).toBe('2026-03-09T23:58:00Z'); // 2 min overlap
    expect(logRequest.searchParams.get('until')).toBe('2026-03-10T03:00:00Z');
    expect(fake.requestsTo('/incidents/PINC003')).toHaveLength(1);
    expect(JSON.parse(second.cursor!)).toEqual({
      v: 1,
      updates: { from: '2026-03-10T03:00:00Z' },
      incidents: { from: '2026-03-10T03:00:00Z' },
      changes: { from: '2026-03-10T03:00:00Z' },
      // Three hours after the first run: no re-read yet.
      reread: { last: '2026-03-10T00:00:00Z' },
    });
  });

  it('fails a 429 asking for more than the retry budget with status and retryAfterMs from ratelimit-reset', async () => {
    seed();
    rateLimitFirstIncidentsPage();
    const run = await runSync(provider({ retryBudgetMs: 5000 }), null);
    expect(run.error).toMatchObject({
      name: 'PagerDutyRequestError',
      status: 429,
      retryable: true,
      retryAfterMs: 7000,
    });
    expect(String(run.error)).toMatch(
      /pagerduty:main: GET \/incidents was rate limited/,
    );

    // The engine waits and runs again from the last committed cursor.
    const retry = await runSync(provider(), run.cursor);
    expect(retry.error).toBeUndefined();
    expect(ids(retry.records)).toHaveLength(8);
  });

  it('waits out a 429 within the run when the wait fits the retry budget', async () => {
    seed();
    rateLimitFirstIncidentsPage();
    const run = await runSync(provider(), null);
    expect(run.error).toBeUndefined();
    expect(ids(run.records)).toHaveLength(8);
    expect(run.reported.retries).toEqual([
      expect.objectContaining({ status: 429, waitMs: 7000 }),
    ]);
    expect(run.reported.requests).toBe(fake.requests.length);
  });

  it('resumes after a 5xx outlasting the retry budget from the last yielded cursor, without loss or duplicates', async () => {
    seed();
    let failed = false;
    fake.fault = (_req, url) => {
      if (
        url.pathname === '/incidents' &&
        url.searchParams.get('offset') === '4' &&
        !failed
      ) {
        failed = true;
        return HttpResponse.json(
          { error: { message: 'Internal Server Error' } },
          { status: 503 },
        );
      }
      return undefined;
    };
    const first = await runSync(provider({ retryBudgetMs: 0 }), null);
    expect(first.error).toMatchObject({ status: 503 });
    expect((first.error as { retryable?: boolean }).retryable).toBeUndefined();
    expect(ids(first.records)).toEqual([
      'PINC001',
      'PINC002',
      'PINC003',
      'PINC004',
    ]);
    expect(JSON.parse(first.cursor!).incidents).toEqual({
      from: expect.any(String),
      window: { until: '2026-03-10T00:00:00Z', offset: 4 },
    });

    // The engine's retry: the same provider, from the committed cursor.
    clock += 60_000;
    fake.requests.length = 0;
    const second = await runSync(provider(), first.cursor);
    expect(second.error).toBeUndefined();
    const [resumed] = fake.requestsTo('/incidents');
    expect(resumed.searchParams.get('offset')).toBe('4');
    expect(resumed.searchParams.get('until')).toBe('2026-03-10T00:00:00Z');

    const all = [...first.records, ...second.records].map(r => r.externalId);
    expect(all.sort()).toEqual([
      'CHG001',
      'CHG002',
      'CHG003',
      'PINC001',
      'PINC002',
      'PINC003',
      'PINC004',
      'PINC005',
    ]);
  });

  it('keeps the batches before a page that fails halfway, and resumes at that page', async () => {
    seed();
    let broken = false;
    fake.fault = (_req, url) => {
      if (
        url.pathname === '/incidents' &&
        url.searchParams.get('offset') === '2' &&
        !broken
      ) {
        broken = true;
        // Half a page, then the connection drops.
        const stream = new ReadableStream({
          start(controller) {
            controller.enqueue(
              new TextEncoder().encode('{"incidents":[{"id":"PINC003",'),
            );
            controller.error(new Error('socket hang up'));
          },
        });
        return new HttpResponse(stream, {
          headers: { 'content-type': 'application/json' },
        });
      }
      return undefined;
    };
    const first = await runSync(provider({ retryBudgetMs: 0 }), null);
    expect(first.error).toMatchObject({
      name: 'PagerDutyRequestError',
      retryable: true,
    });
    expect(ids(first.records)).toEqual(['PINC001', 'PINC002']);
    expect(JSON.parse(first.cursor!).incidents.window).toEqual({
      until: '2026-03-10T00:00:00Z',
      offset: 2,
    });

    const second = await runSync(provider(), first.cursor);
    expect(second.error).toBeUndefined();
    expect(ids(second.records)).toEqual([
      'CHG001',
      'CHG002',
      'CHG003',
      'PINC003',
      'PINC004',
      'PINC005',
    ]);
  });

  it('fails a request that times out as retryable', async () => {
    seed();
    fake.fault = async (req, url) => {
      if (url.pathname === '/change_events') {
        await stall(req, 2000);
        return HttpResponse.json({ change_events: [], more: false });
      }
      return undefined;
    };
    const run = await runSync(
      provider({ timeoutMs: 100, retryBudgetMs: 0 }),
      null,
    );
    expect(run.error).toMatchObject({
      name: 'PagerDutyRequestError',
      retryable: true,
    });
    expect(String(run.error)).toMatch(
      /pagerduty:main: GET \/change_events timed out/,
    );
    // Incidents were committed before the change events timed out.
    expect(ids(run.records)).toHaveLength(5);
  });

  it('stops when the run is aborted, without calling it retryable', async () => {
    seed();
    const controller = new AbortController();
    fake.fault = async (req, url) => {
      if (url.pathname === '/change_events') {
        controller.abort(new Error('task timed out'));
        await stall(req, 2000);
      }
      return undefined;
    };
    const run = await runSync(provider(), null, controller.signal);
    expect(String(run.error)).toMatch(/task timed out/);
    expect((run.error as { retryable?: boolean }).retryable).toBeUndefined();
  });

  it('refuses a rejected token without retrying, naming the account and the key', async () => {
    seed();
    const run = await runSync(provider({ token: 'wrong' }), null);
    expect(run.error).toMatchObject({ status: 401, retryable: false });
    expect(String(run.error)).toMatch(/pagerduty:main/);
    expect(String(run.error)).toMatch(
      /itsm\.providers\.pagerduty\.main\.token/,
    );
    expect(fake.requests).toHaveLength(1);
    expect(run.cursor).toBeNull();
  });

  it('yields malformed incidents for the engine to dead-letter, naming the field', async () => {
    const good = makeIncident({
      id: 'PGOOD01',
      created_at: '2026-03-01T00:00:00Z',
      service: SERVICE,
    });
    const missingCreatedAt: PagerDutyIncident = { ...good, id: 'PBAD001' };
    delete missingCreatedAt.created_at;
    // Sanitised real capture: its id is blank.
    const blankId = incidentsFixture.incidents[0];
    fake.fault = (_req, url) =>
      url.pathname === '/incidents' && url.searchParams.get('offset') === '0'
        ? HttpResponse.json({
            incidents:
              url.searchParams.get('since') === '2026-01-01T00:00:00Z'
                ? [good, missingCreatedAt, blankId]
                : [],
            limit: 100,
            offset: 0,
            total: 3,
            more: false,
          })
        : undefined;

    const run = await runSync(provider({ pageSize: 100 }), null);
    expect(run.error).toBeUndefined();
    expect(ids(run.records)).toEqual(['PGOOD01']);
    expect(run.invalid).toHaveLength(2);
    const [bad, blank] = run.invalid;
    expect(bad.paths).toEqual(['openedAt']);
    expect(bad.reason).toMatch(/^openedAt: /);
    expect(blank.paths).toEqual(['externalId']);
    // Nothing was asked about an incident without an id.
    expect(fake.requestsTo(/^\/incidents\/.+/).map(u => u.pathname)).toEqual(
      expect.arrayContaining(['/incidents/PGOOD01/log_entries']),
    );
    expect(fake.requestsTo('/incidents//log_entries')).toEqual([]);
  });

  it('turns change events into closed changes mapped to each service', async () => {
    fake.changeEvents.push(
      ...changeEventsFixture.change_events,
      makeChangeEvent({
        id: 'CHGEMERG',
        timestamp: '2020-07-17T09:00:00Z',
        custom_details: { change_type: 'Emergency' },
        services: [SERVICE, OTHER_SERVICE],
      }),
    );
    clock = Date.parse('2020-07-18T00:00:00Z');
    const run = await runSync(
      provider({ since: '2020-07-17T00:00:00Z' }),
      null,
    );
    expect(run.invalid).toEqual([]);
    const byId = new Map(run.records.map(r => [r.externalId, r]));
    expect(byId.get('01BBYA6PEVW6A852BUO6QYUE7O')).toMatchObject({
      kind: 'change',
      title: 'Build Success - Increase snapshot create timeout to 30 seconds',
      url: 'https://acme.pagerduty.dev/build/2',
      state: 'closed',
      changeType: 'normal',
      outcome: null,
      openedAt: '2020-07-17T08:42:58.000Z',
      actualStart: '2020-07-17T08:42:58.000Z',
      actualEnd: '2020-07-17T08:42:58.000Z',
      closedAt: '2020-07-17T08:42:58.000Z',
      sourceUpdatedAt: '2020-07-17T08:42:58.000Z',
      mappings: [{ annotation: 'pagerduty.com/service-id', value: 'PEYSGRV' }],
    });
    expect(byId.get('CHGEMERG')).toMatchObject({
      changeType: 'emergency',
      mappings: [
        { annotation: 'pagerduty.com/service-id', value: 'PSVC001' },
        { annotation: 'pagerduty.com/service-id', value: 'PSVC002' },
      ],
    });
    // Change events refuse fractional or zoned times: ours are plain UTC seconds.
    for (const u of fake.requestsTo('/change_events')) {
      expect(u.searchParams.get('since')).toMatch(/:\d\dZ$/);
    }
  });

  describe('causedByChange', () => {
    function seedRelated(reasons: string[]) {
      const incidents = seed();
      const events = relatedFixture.change_events.map((e, i) => ({
        ...e,
        correlation_reason: { reason: reasons[i] },
      }));
      fake.related.set('PINC001', events);
      return incidents;
    }

    it('links the change PagerDuty correlates, for the reasons it documents, by default', async () => {
      // The fixture, PagerDuty's own example: most_recent, then related_service.
      seed();
      fake.related.set('PINC001', relatedFixture.change_events);
      const run = await runSync(provider(), null);
      expect(
        run.records.find(r => r.externalId === 'PINC001')?.causedByChange,
      ).toBe('01BBYA6PEVW6A852BUO6QYUE7O');
      expect(
        fake.requestsTo('/incidents/PINC001/related_change_events'),
      ).toHaveLength(1);
    });

    it("prefers reasons in their configured order, not PagerDuty's", async () => {
      // Default order: intelligent, most_recent, related_service.
      seedRelated(['related_service', 'most_recent']);
      let run = await runSync(provider(), null);
      expect(
        run.records.find(r => r.externalId === 'PINC001')?.causedByChange,
      ).toBe('01BBYA6PDIXPL8KO1HPIUL9CZN');

      fake.related.set(
        'PINC001',
        relatedFixture.change_events.map((e, i) => ({
          ...e,
          correlation_reason: {
            reason: ['most_recent', 'related_service'][i],
          },
        })),
      );
      run = await runSync(
        provider({
          causedByChange: {
            maxPriority: 2,
            reasons: ['related_service', 'most_recent'],
          },
        }),
        null,
      );
      expect(
        run.records.find(r => r.externalId === 'PINC001')?.causedByChange,
      ).toBe('01BBYA6PDIXPL8KO1HPIUL9CZN');
    });

    it('honours configured reasons', async () => {
      seedRelated(['most_recent', 'intelligent']);
      const run = await runSync(
        provider({
          causedByChange: { maxPriority: 2, reasons: ['intelligent'] },
        }),
        null,
      );
      expect(
        run.records.find(r => r.externalId === 'PINC001')?.causedByChange,
      ).toBe('01BBYA6PDIXPL8KO1HPIUL9CZN');
    });

    it('links nothing when no related change has a configured reason', async () => {
      seed();
      fake.related.set('PINC001', relatedFixture.change_events);
      const run = await runSync(
        provider({
          causedByChange: { maxPriority: 2, reasons: ['intelligent'] },
        }),
        null,
      );
      expect(
        run.records.find(r => r.externalId === 'PINC001')?.causedByChange,
      ).toBeNull();
      expect(
        fake.requestsTo('/incidents/PINC001/related_change_events'),
      ).toHaveLength(1);
    });

    it('only asks about P1/P2 incidents and high-urgency ones without a priority', async () => {
      seed();
      const run = await runSync(provider(), null);
      expect(
        fake
          .requestsTo(/related_change_events$/)
          .map(u => u.pathname)
          .sort(),
      ).toEqual([
        '/incidents/PINC001/related_change_events', // P1
        '/incidents/PINC003/related_change_events', // no priority, urgency high
      ]);
      // Asked about, although its urgency maps to P3: which incidents a
      // change can cause is not what counts as an outage.
      expect(run.records.find(r => r.externalId === 'PINC003')?.priority).toBe(
        3,
      );

      fake.requests.length = 0;
      await runSync(
        provider({ urgencyPriority: { high: null, low: null } }),
        null,
      );
      expect(
        fake
          .requestsTo(/related_change_events$/)
          .map(u => u.pathname)
          .sort(),
      ).toEqual([
        '/incidents/PINC001/related_change_events',
        '/incidents/PINC003/related_change_events',
      ]);

      for (const causedByChange of [
        { maxPriority: 0, reasons: ['intelligent'] },
        { maxPriority: 2, reasons: [] },
      ]) {
        fake.requests.length = 0;
        await runSync(provider({ causedByChange }), null);
        expect(fake.requestsTo(/related_change_events$/)).toEqual([]);
      }
    });
  });

  describe('priority from urgency', () => {
    it('gives incidents without a PagerDuty priority the configured priority of their urgency', async () => {
      seed();
      const run = await runSync(
        provider({ urgencyPriority: { high: null, low: 5 } }),
        null,
      );
      const byId = new Map(run.records.map(r => [r.externalId, r]));
      expect(byId.get('PINC001')?.priority).toBe(1); // P1, urgency high
      expect(byId.get('PINC002')?.priority).toBe(5); // no priority, low
      expect(byId.get('PINC003')?.priority).toBeNull(); // no priority, high
      expect(byId.get('PINC004')?.priority).toBe(3); // P3, urgency high
    });
  });

  describe('what it can measure', () => {
    it('maps on pagerduty.com/service-id and cannot measure what PagerDuty does not report', () => {
      const p = provider();
      expect(p.mapsOnAnnotations).toEqual(['pagerduty.com/service-id']);
      expect(Object.keys(p.unmeasurable).sort()).toEqual([
        'csat',
        'fulfilment_time',
        'nps',
        'problem_backlog',
        'reopen_rate',
        'sla_attainment',
      ]);
      expect(p.unmeasurable.reopen_rate).toMatch(
        /^PagerDuty does not report reopenings/,
      );
      // What it measures has no reason to be unknown.
      for (const id of [
        'incident_count',
        'mtta',
        'mttr',
        'availability',
        'mtbf',
        'change_count',
        'change_failure_rate',
        'backlog',
      ] as const) {
        expect(p.unmeasurable[id]).toBeUndefined();
      }
    });

    it("notes that the change link is PagerDuty's correlation, naming the configured reasons", () => {
      expect(provider().metricNotes.change_failure_rate).toBe(
        "A PagerDuty change counts as failed when PagerDuty's change correlation relates it to a P1 to P2 incident (or a high-urgency one without a priority) for the reason intelligent (machine learning), most_recent (the latest change on the incident's service) and related_service (a change on a service it depends on): a heuristic, not a confirmed cause.",
      );
      const one = provider({
        causedByChange: { maxPriority: 1, reasons: ['most_recent'] },
      });
      expect(one.metricNotes.change_failure_rate).toContain(
        "to a P1 incident (or a high-urgency one without a priority) for the reason most_recent (the latest change on the incident's service): a heuristic",
      );
      expect(one.metricNotes.change_failure_rate).not.toContain('intelligent');
    });

    it('cannot measure change failure rate when the correlation is turned off', () => {
      for (const causedByChange of [
        { maxPriority: 0, reasons: ['intelligent'] },
        { maxPriority: 2, reasons: [] },
      ]) {
        const p = provider({ causedByChange });
        expect(p.unmeasurable.change_failure_rate).toMatch(
          /PagerDuty does not report whether a change failed.*turned off \(causedByChange\)/,
        );
        expect(p.metricNotes.change_failure_rate).toBeUndefined();
      }
    });

    it('notes where priority, hence an outage, comes from, by the configured urgency mapping', () => {
      const byDefault = provider().metricNotes;
      expect(byDefault.availability).toBe(
        "Priority comes from the PagerDuty priority (P1 to P5, SEV1 to SEV5); incidents without one get it from their urgency, a notification setting (urgencyPriority: high to P3, low to P4). Outages are incidents at or above the entity's outage threshold (P2 unless annotation backstage-itsm.io/outage-priority-threshold sets it), so a high-urgency page without a priority is not an outage unless the entity sets the threshold to 3 or more.",
      );
      expect(byDefault.mtbf).toBe(byDefault.availability);

      const pages = provider({ urgencyPriority: { high: 2, low: 4 } });
      expect(pages.metricNotes.availability).toContain(
        'urgencyPriority: high to P2, low to P4',
      );
      expect(pages.metricNotes.availability).toMatch(
        /so every high-urgency page without a priority counts as an outage\.$/,
      );

      const none = provider({ urgencyPriority: { high: null, low: null } });
      expect(none.metricNotes.availability).toContain(
        'urgencyPriority: high to no priority, low to no priority',
      );
      expect(none.metricNotes.availability).toMatch(
        /so a page without a priority never counts as an outage\.$/,
      );
    });
  });

  it('walks smaller time windows to stay under the offset cap', async () => {
    fake.maxOffset = 10;
    for (let i = 0; i < 25; i++) {
      const incident = makeIncident({
        id: `PMANY${String(i).padStart(3, '0')}`,
        created_at: new Date(
          Date.parse('2026-03-09T00:00:00Z') + i * 60_000,
        ).toISOString(),
        service: SERVICE,
        urgency: 'low',
      });
      fake.incidents.push(incident);
    }
    const run = await runSync(provider({ pageSize: 4, maxOffset: 10 }), null);
    expect(run.error).toBeUndefined();
    expect(run.records).toHaveLength(25);
    expect(new Set(run.records.map(r => r.externalId)).size).toBe(25);
    for (const u of fake.requestsTo('/incidents')) {
      expect(
        Number(u.searchParams.get('offset')) +
          Number(u.searchParams.get('limit')),
      ).toBeLessThanOrEqual(10);
    }
  });

  it('reads only the configured services', async () => {
    seed();
    const run = await runSync(provider({ serviceIds: ['PSVC002'] }), null);
    expect(ids(run.records)).toEqual(['CHG002', 'CHG003', 'PINC003']);
    for (const u of fake.requestsTo('/incidents')) {
      expect(u.searchParams.getAll('service_ids[]')).toEqual(['PSVC002']);
    }
  });

  describe('endpoints the key may not read', () => {
    const denied = () =>
      HttpResponse.json(
        { error: { message: 'Access Denied', code: 2010 } },
        { status: 403 },
      );

    it('reports change events refused with 403 as a failed part, and syncs the rest', async () => {
      seed();
      fake.fault = (_req, url) =>
        url.pathname === '/change_events' ? denied() : undefined;
      const run = await runSync(provider(), null);
      expect(run.error).toBeUndefined();
      expect(ids(run.records)).toEqual([
        'PINC001',
        'PINC002',
        'PINC003',
        'PINC004',
        'PINC005',
      ]);
      expect(run.reported.failedParts).toEqual([
        {
          part: '/change_events',
          error: expect.objectContaining({ status: 403, retryable: false }),
        },
      ]);
      expect(String(run.reported.failedParts[0].error)).toMatch(
        /GET \/change_events was refused \(403.*Access Denied/,
      );
      expect(run.logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(/skipped \/change_events for this run/),
      );
      // The change events stream did not move: the next run reads them.
      const cursor = JSON.parse(run.cursor!);
      expect(cursor.changes).toEqual({ from: '2026-01-01T00:00:00Z' });
      expect(cursor.incidents).toEqual({ from: '2026-03-10T00:00:00Z' });

      fake.fault = undefined;
      clock += 60_000;
      const next = await runSync(provider(), run.cursor);
      expect(next.error).toBeUndefined();
      expect(ids(next.records)).toEqual(['CHG001', 'CHG002', 'CHG003']);
      expect(next.reported.failedParts).toEqual([]);
    });

    it('reports log entries refused on an incremental run, and reads new incidents', async () => {
      seed();
      const first = await runSync(provider(), null);
      const created = makeIncident({
        id: 'PINC006',
        incident_number: 6,
        created_at: '2026-03-10T02:00:00Z',
        service: SERVICE,
        urgency: 'low',
        priority: null,
      });
      fake.incidents.push(created);
      clock = Date.parse('2026-03-10T03:00:00Z');
      fake.fault = (_req, url) =>
        url.pathname === '/log_entries' ? denied() : undefined;
      const second = await runSync(provider(), first.cursor);
      expect(second.error).toBeUndefined();
      expect(ids(second.records)).toEqual(['PINC006']);
      expect(second.reported.failedParts.map(p => p.part)).toEqual([
        '/log_entries',
      ]);
      expect(JSON.parse(second.cursor!).updates).toEqual({
        from: '2026-03-10T00:00:00Z',
      });
    });

    it('stores incidents without a cause when related change events are refused, asking once', async () => {
      seed();
      fake.related.set('PINC001', relatedFixture.change_events);
      fake.fault = (_req, url) =>
        url.pathname.endsWith('/related_change_events') ? denied() : undefined;
      const run = await runSync(provider(), null);
      expect(run.error).toBeUndefined();
      expect(run.records).toHaveLength(8);
      expect(
        run.records.find(r => r.externalId === 'PINC001')?.causedByChange,
      ).toBeNull();
      expect(run.reported.failedParts.map(p => p.part)).toEqual([
        '/incidents/{id}/related_change_events',
      ]);
      // PINC003 (priority 2) was not asked about once the endpoint refused.
      expect(fake.requestsTo(/related_change_events$/)).toHaveLength(1);
    });

    it('fails the run when no endpoint can be read', async () => {
      seed();
      fake.fault = () => denied();
      const run = await runSync(provider(), null);
      expect(run.error).toMatchObject({
        name: 'PagerDutyRequestError',
        status: 403,
        retryable: false,
      });
      expect(String(run.error)).toMatch(
        /^PagerDutyRequestError: PagerDuty account pagerduty:main: no endpoint could be read \(\/incidents, \/change_events\); caused by .*GET \/incidents was refused \(403/,
      );
      expect(run.reported.failedParts.map(p => p.part)).toEqual([
        '/incidents',
        '/change_events',
      ]);
      expect(run.records).toEqual([]);
      expect(run.cursor).toBeNull();
    });
  });

  describe('re-reading recently resolved incidents', () => {
    /** Resolved incidents of early March, their log entries, one a day. */
    function seedResolved(count: number) {
      const resolved: PagerDutyIncident[] = [];
      for (let i = 0; i < count; i++) {
        const created = Date.parse('2026-03-04T08:00:00Z') + i * 86_400_000;
        const incident = makeIncident({
          id: `PRES00${i}`,
          incident_number: 100 + i,
          title: `Resolved ${i}`,
          created_at: new Date(created).toISOString().replace('.000', ''),
          status: 'resolved',
          resolved_at: new Date(created + 3_600_000)
            .toISOString()
            .replace('.000', ''),
          priority: null,
          urgency: 'low',
          service: SERVICE,
        });
        resolved.push(incident);
        fake.incidents.push(incident);
        fake.logEntries.push(
          makeLogEntry('trigger_log_entry', incident, incident.created_at!),
          makeLogEntry('resolve_log_entry', incident, incident.resolved_at!),
        );
      }
      return resolved;
    }
    const rereads = () =>
      fake
        .requestsTo('/incidents')
        .filter(u => u.searchParams.get('date_range') === 'all');

    it('yields edits that leave no log entry, every 6 hours, for incidents resolved in the last 7 days', async () => {
      const incidents = seed();
      const [recent] = seedResolved(1);
      const first = await runSync(provider(), null);
      expect(first.error).toBeUndefined();
      expect(rereads()).toEqual([]);

      // Edited in PagerDuty, no log entry: the incremental read cannot see it.
      Object.assign(recent, {
        title: 'Renamed after the review',
        updated_at: '2026-03-10T00:30:00Z',
      });
      // Resolved on 1 March: more than 7 days before any re-read below.
      Object.assign(incidents[0], {
        resolved_at: '2026-03-01T11:00:00Z',
        title: 'Also renamed',
        updated_at: '2026-03-10T00:30:00Z',
      });

      clock = Date.parse('2026-03-10T01:00:00Z');
      const early = await runSync(provider(), first.cursor);
      expect(early.records.map(r => r.externalId)).not.toContain('PRES000');
      expect(rereads()).toEqual([]);

      clock = Date.parse('2026-03-10T06:00:00Z');
      const due = await runSync(provider(), early.cursor);
      expect(due.error).toBeUndefined();
      const reread = due.records.filter(r => r.externalId === 'PRES000');
      expect(reread).toEqual([
        expect.objectContaining({
          title: 'Renamed after the review',
          state: 'resolved',
          resolvedAt: '2026-03-04T09:00:00.000Z',
          sourceUpdatedAt: '2026-03-10T00:30:00.000Z',
        }),
      ]);
      expect(due.records.map(r => r.externalId)).not.toContain('PINC001');
      const [request] = rereads();
      expect(request.searchParams.getAll('statuses[]')).toEqual(['resolved']);
      expect(request.searchParams.get('sort_by')).toBe('resolved_at:desc');
      expect(request.searchParams.get('offset')).toBe('0');
      expect(JSON.parse(due.cursor!).reread).toEqual({
        last: '2026-03-10T06:00:00Z',
      });

      fake.requests.length = 0;
      clock = Date.parse('2026-03-10T11:59:00Z');
      const later = await runSync(provider(), due.cursor);
      expect(later.error).toBeUndefined();
      expect(rereads()).toEqual([]);
    });

    it('re-reads at once from a cursor of an older version, and honours its configuration', async () => {
      seed();
      seedResolved(3);
      const first = await runSync(provider(), null);
      const old = JSON.parse(first.cursor!);
      delete old.reread;
      clock += 60_000;
      const run = await runSync(
        provider({
          rereadResolved: { everyMs: 3_600_000, withinMs: 5 * 86_400_000 },
        }),
        JSON.stringify(old),
      );
      expect(run.error).toBeUndefined();
      // Resolved on 4, 5 and 6 March; within 5 days of 10 March: 5 and 6.
      expect(
        run.records.map(r => r.externalId).filter(id => id.startsWith('PRES')),
      ).toEqual(['PRES002', 'PRES001']);
    });

    it('resumes an interrupted re-read where it stopped, keeping the instant it started', async () => {
      seed();
      seedResolved(5);
      const first = await runSync(provider(), null);
      clock = Date.parse('2026-03-10T06:00:00Z');
      let broken = false;
      fake.fault = (_req, url) => {
        if (
          url.searchParams.get('date_range') === 'all' &&
          url.searchParams.get('offset') === '2' &&
          !broken
        ) {
          broken = true;
          return HttpResponse.json({}, { status: 503 });
        }
        return undefined;
      };
      const stopped = await runSync(
        provider({ retryBudgetMs: 0 }),
        first.cursor,
      );
      expect(stopped.error).toMatchObject({ status: 503 });
      expect(JSON.parse(stopped.cursor!).reread).toEqual({
        last: '2026-03-10T00:00:00Z',
        current: { at: '2026-03-10T06:00:00Z', offset: 2 },
      });

      fake.requests.length = 0;
      clock = Date.parse('2026-03-10T06:30:00Z');
      const resumed = await runSync(provider(), stopped.cursor);
      expect(resumed.error).toBeUndefined();
      expect(rereads()[0].searchParams.get('offset')).toBe('2');
      const all = [...stopped.records, ...resumed.records]
        .map(r => r.externalId)
        .filter(id => id.startsWith('PRES'))
        .sort();
      expect(all).toEqual([
        'PRES000',
        'PRES001',
        'PRES002',
        'PRES003',
        'PRES004',
      ]);
      expect(JSON.parse(resumed.cursor!).reread).toEqual({
        last: '2026-03-10T06:00:00Z',
      });
    });
  });

  it('starts over, with a warning, from a cursor that is not its own', async () => {
    seed();
    const run = await runSync(provider(), '{"offset":3}');
    expect(run.error).toBeUndefined();
    expect(run.records).toHaveLength(8);
    expect(run.logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/not a PagerDuty cursor/),
    );
  });

  it('defaults the start of history to 365 days before the first run', async () => {
    await runSync(provider({ since: undefined }), null);
    const [first] = fake.requestsTo('/incidents');
    expect(first.searchParams.get('since')).toBe('2025-03-10T00:00:00Z');
  });
});
