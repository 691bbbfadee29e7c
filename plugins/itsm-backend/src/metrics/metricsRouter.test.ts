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

import {
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import type { IngestionEngine } from '../ingestion/IngestionEngine';
import {
  itsmRecordConditions,
  itsmRecordPermissionRules,
} from '../permissions/rules';
import { createRouter } from '../service/createRouter';
import {
  A,
  B,
  DAY,
  HOUR,
  MetricsHarness,
  MINUTE,
  NOW,
  T0,
} from '../__testUtils__/metricsHarness';
import { specCheckedServer } from '../schema/specCheckedServer';

jest.setTimeout(60_000);

function entity(
  kind: string,
  name: string,
  relations: Array<[string, string]> = [],
  annotations?: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default', annotations },
    spec: {},
    relations: relations.map(([type, targetRef]) => ({ type, targetRef })),
  };
}

/** A domain with one system of two components and an API, a group owning one component. */
const entities: Entity[] = [
  entity('Component', 'payments-api', [['partOf', 'system:default/payments']], {
    'backstage-itsm.io/mttr-target': '30m',
  }),
  entity('Component', 'checkout-web', [['partOf', 'system:default/payments']]),
  entity('API', 'payments', [['partOf', 'system:default/payments']]),
  entity('System', 'payments', [
    ['hasPart', A],
    ['hasPart', B],
    ['hasPart', 'api:default/payments'],
    ['partOf', 'domain:default/commerce'],
  ]),
  entity('Domain', 'commerce', [['hasPart', 'system:default/payments']]),
  entity('Group', 'payments-team', [['ownerOf', A]]),
  entity('Group', 'nobody'),
  // Bears the annotation PagerDuty maps on; no record maps to it.
  entity('Component', 'ledger', [['partOf', 'system:default/finance']], {
    'pagerduty.com/service-id': 'PLEDGER',
  }),
  entity('System', 'finance', [['hasPart', 'component:default/ledger']]),
];

/** The registered providers, as the engine sees them: PagerDuty maps on its annotation. */
const providers = [
  {
    id: 'pagerduty:main',
    department: 'it',
    kinds: ['incident' as const],
    mapsOnAnnotations: ['pagerduty.com/service-id'],
  },
];

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...databaseIds] });
const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('GET /metrics on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}

describe.each(databases.eachSupportedId())('GET /metrics on %s', databaseId => {
  let harness: MetricsHarness;
  let permissions: ReturnType<typeof mockServices.permissions.mock>;
  let app: string;

  beforeAll(async () => {
    harness = await MetricsHarness.create(
      await databases.init(databaseId),
      [],
      providers,
    );
    await harness.seed([
      // Mapped to both components of the system: one incident.
      {
        id: 'shared',
        priority: 1,
        opened: T0 + HOUR,
        resolved: T0 + 2 * HOUR,
        entities: [A, B],
      },
      { id: 'b-only', priority: 3, opened: T0 + 3 * HOUR, entities: [B] },
      {
        id: 'api',
        priority: 3,
        opened: T0 + 4 * HOUR,
        entities: ['api:default/payments'],
      },
      {
        id: 'hr',
        priority: 2,
        opened: T0 + 5 * HOUR,
        resolved: T0 + 6 * HOUR,
        provider: 'hr:desk',
      },
      // Long before every window: it only makes PagerDuty cover checkout-web.
      {
        id: 'pd-old',
        opened: T0 - 200 * DAY,
        resolved: T0 - 200 * DAY + HOUR,
        entities: [B],
        provider: 'pagerduty:main',
      },
    ]);
  });

  beforeEach(async () => {
    permissions = mockServices.permissions.mock();
    permissions.authorizeConditional.mockResolvedValue([
      { result: AuthorizeResult.ALLOW },
    ]);
    const permissionsRegistry = mockServices.permissionsRegistry.mock();
    permissionsRegistry.getPermissionRuleset.mockReturnValue({
      getRuleByName: (name: string) =>
        Object.values(itsmRecordPermissionRules).find(r => r.name === name)!,
    } as any);
    const router = await createRouter({
      store: harness.store,
      engine: {} as IngestionEngine,
      httpAuth: mockServices.httpAuth(),
      permissions,
      permissionsRegistry,
      auditor: mockServices.auditor.mock(),
      catalog: catalogServiceMock({ entities }),
      logger: mockServices.logger.mock(),
      metrics: harness.engine,
    });
    app = await specCheckedServer(
      express().use(router).use(mockErrorHandler()),
    );
    jest.useFakeTimers({ now: NOW, doNotFake: ['setImmediate', 'nextTick'] });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  const window = 'from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z';

  it('serves the metrics of a component with definitions, targets and health', async () => {
    const res = await request(app).get(
      `/metrics?entityRef=payments-api&${window}&metrics=incident_count,mttr`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      entityRef: A,
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-31T00:00:00.000Z',
      previous: {
        from: '2026-01-30T00:00:00.000Z',
        to: '2026-03-01T00:00:00.000Z',
      },
      scope: { entityCount: 1 },
      metrics: {
        incident_count: {
          value: 2,
          n: 2,
          byKey: { '1': { value: 1, n: 1 }, '2': { value: 1, n: 1 } },
          status: 'no_target',
          // Records map to the component: none opened before is 0, not unknown.
          previous: { value: 0, n: 0 },
        },
        mttr: {
          value: 3600,
          n: 2,
          target: 1800,
          status: 'breached',
          definition: {
            startEvent: 'opened_at',
            endEvent: 'resolved_at, else closed_at',
            clock: 'calendar',
            unit: 'seconds',
          },
        },
      },
      health: { verdict: 'unhealthy' },
      warnings: [],
    });
    expect(Object.keys(res.body.metrics)).toEqual(['incident_count', 'mttr']);
  });

  it('defaults to every metric over the last 30 days', async () => {
    const res = await request(app).get(
      '/metrics?entityRef=component:default/payments-api',
    );
    expect(res.status).toBe(200);
    expect(res.body.to).toBe(new Date(NOW).toISOString());
    expect(res.body.from).toBe(new Date(NOW - 30 * 24 * HOUR).toISOString());
    expect(Object.keys(res.body.metrics)).toEqual(harness.engine.metricIds);
  });

  it('rolls a system up over its components and APIs, counting a shared record once', async () => {
    const res = await request(app).get(
      `/metrics?entityRef=system:default/payments&${window}&metrics=incident_count`,
    );
    expect(res.status).toBe(200);
    // shared (once), b-only, api, hr
    expect(res.body.metrics.incident_count).toMatchObject({ value: 4, n: 4 });
    expect(res.body.scope).toEqual({ entityCount: 4 });
  });

  it('rolls a domain up over its systems and a group over what it owns', async () => {
    const domain = await request(app).get(
      `/metrics?entityRef=domain:default/commerce&${window}&metrics=incident_count`,
    );
    expect(domain.body.metrics.incident_count.value).toBe(4);
    const group = await request(app).get(
      `/metrics?entityRef=group:default/payments-team&${window}&metrics=incident_count`,
    );
    expect(group.body.metrics.incident_count.value).toBe(2);
  });

  const conditionalOn = (permissionName: string) => {
    permissions.authorizeConditional.mockImplementation((async (
      queries: Array<{ permission: { name: string } }>,
    ) =>
      queries.map(q =>
        q.permission.name === permissionName
          ? {
              result: AuthorizeResult.CONDITIONAL,
              pluginId: 'itsm',
              resourceType: 'itsm-record',
              conditions: {
                not: itsmRecordConditions.isInDepartment({
                  departments: ['hr'],
                }),
              },
            }
          : { result: AuthorizeResult.ALLOW },
      )) as any);
  };

  it('applies the itsm.metrics.read filter to every metric', async () => {
    conditionalOn('itsm.metrics.read');
    const spy = jest.spyOn(harness.engine, 'getMetrics');
    const res = await request(app).get(
      `/metrics?entityRef=payments-api&${window}&metrics=incident_count,mttr,availability&explain=incident_count`,
    );
    expect(res.status).toBe(200);
    expect(spy).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: { not: { key: 'department', values: ['hr'] } },
      }),
    );
    spy.mockRestore();
    expect(res.body.metrics.incident_count).toMatchObject({ value: 1, n: 1 });
    expect(res.body.metrics.mttr).toMatchObject({ value: 3600, n: 1 });
    // The HR P2 outage is not counted: only the shared P1 hour.
    expect(res.body.metrics.availability.value).toBeCloseTo(1 - 1 / 720, 12);
    expect(res.body.explain.recordIds).toHaveLength(1);
  });

  it('counts sealed records in the numbers but lists only readable ones', async () => {
    conditionalOn('itsm.record.read');
    const res = await request(app).get(
      `/metrics?entityRef=payments-api&${window}&metrics=incident_count&explain=incident_count`,
    );
    expect(res.status).toBe(200);
    expect(res.body.metrics.incident_count).toMatchObject({ value: 2, n: 2 });
    const shared = (await harness.store.listRecords({ limit: 10 })).items.find(
      r => r.externalId === 'shared',
    )!;
    expect(res.body.explain).toMatchObject({
      recordIds: [shared.id],
      hiddenRecordCount: 1,
    });
  });

  it('answers 403 when reading records is denied', async () => {
    permissions.authorizeConditional.mockResolvedValue([
      { result: AuthorizeResult.DENY },
    ]);
    const res = await request(app).get('/metrics?entityRef=payments-api');
    expect(res.status).toBe(403);
  });

  it('takes window bounds with offsets, normalised to UTC', async () => {
    const res = await request(app).get(
      `/metrics?entityRef=payments-api&from=${encodeURIComponent(
        '2026-03-01T02:00:00+02:00',
      )}&to=${encodeURIComponent(
        '2026-03-30T20:00:00-04:00',
      )}&metrics=incident_count`,
    );
    expect(res.status).toBe(200);
    expect(res.body.from).toBe('2026-03-01T00:00:00.000Z');
    expect(res.body.to).toBe('2026-03-31T00:00:00.000Z');
  });

  it('serves a series and an explanation', async () => {
    const res = await request(app).get(
      `/metrics?entityRef=payments-api&${window}&bucket=month&metrics=incident_count&explain=incident_count`,
    );
    expect(res.status).toBe(200);
    expect(res.body.series.incident_count).toEqual([
      {
        start: '2026-03-01T00:00:00.000Z',
        end: '2026-03-31T00:00:00.000Z',
        value: 2,
        n: 2,
      },
    ]);
    expect(res.body.explain).toMatchObject({
      metricId: 'incident_count',
      truncated: false,
      highlight: { description: 'incidents of priority 2 or higher' },
    });
    expect(res.body.explain.recordIds).toHaveLength(2);
  });

  describe('sources', () => {
    const SECRET = 'password=hunter2 on https://corp.service-now.com';

    /** One sync run through the store, at the given instants. */
    async function run(
      providerId: string,
      options: {
        start: number;
        end?: number;
        error?: string;
        failedParts?: Array<{ part: string; error: string }>;
      },
    ) {
      // Before the fake timers of each test: the store reads Date.now.
      const now = jest.spyOn(Date, 'now').mockReturnValue(options.start);
      try {
        await harness.store.markSyncStarted({
          providerId,
          department: providerId.startsWith('hr:') ? 'hr' : 'it',
          kinds: ['incident'],
        });
        if (options.end !== undefined) {
          now.mockReturnValue(options.end);
          await harness.store.markSyncFinished(providerId, {
            ...(options.error !== undefined ? { error: options.error } : {}),
            counts: {
              read: 10,
              upserted: 10,
              unchanged: 0,
              deadLettered: 0,
              deleted: 0,
            },
            observations: {
              requests: 12,
              retries: 2,
              waitMs: 2000,
              lastRetryMessage: SECRET,
              failedParts: options.failedParts ?? [],
            },
          });
        }
      } finally {
        now.mockRestore();
      }
    }

    beforeAll(async () => {
      // ServiceNow: a success two hours ago, then a failed run.
      await run('sn:corp', {
        start: NOW - 2 * HOUR - MINUTE,
        end: NOW - 2 * HOUR,
      });
      await run('sn:corp', {
        start: NOW - HOUR - MINUTE,
        end: NOW - HOUR,
        error: SECRET,
      });
      // PagerDuty synced, except one endpoint it may not read.
      await run('pagerduty:main', {
        start: NOW - 31 * MINUTE,
        end: NOW - 30 * MINUTE,
        failedParts: [{ part: 'log_entries', error: `403 ${SECRET}` }],
      });
      // The HR desk's first run is still under way.
      await run('hr:desk', { start: NOW - 5 * MINUTE });
    });

    /** Statements that read the sources (only they select the failed parts). */
    async function sourceQueries(send: () => Promise<request.Response>) {
      const statements: string[] = [];
      const listen = (query: { sql: string }) => {
        if (query.sql.includes('last_failed_parts')) statements.push(query.sql);
      };
      harness.knex.on('query', listen);
      try {
        return { res: await send(), statements };
      } finally {
        harness.knex.removeListener('query', listen);
      }
    }

    const iso = (ms: number) => new Date(ms).toISOString();

    it('names the sources that cover a component, with how complete their data is', async () => {
      const { res, statements } = await sourceQueries(() =>
        request(app).get(`/metrics?entityRef=payments-api&${window}`),
      );
      expect(res.status).toBe(200);
      expect(res.body.sources).toEqual([
        {
          providerId: 'hr:desk',
          department: 'hr',
          lastSucceededAt: null,
          lastFinishedAt: null,
          lastRunFailed: false,
          failedParts: [],
          firstRunFinished: false,
        },
        {
          providerId: 'sn:corp',
          department: 'it',
          lastSucceededAt: iso(NOW - 2 * HOUR),
          lastFinishedAt: iso(NOW - HOUR),
          lastRunFailed: true,
          failedParts: [],
          firstRunFinished: true,
        },
      ]);
      // One statement per request, and no error text, retry message or cursor.
      expect(statements).toHaveLength(1);
      expect(JSON.stringify(res.body)).not.toMatch(/hunter2|403/);
    });

    it('rolls the sources of a system up over its components', async () => {
      const res = await request(app).get(
        `/metrics?entityRef=system:default/payments&${window}&metrics=incident_count`,
      );
      expect(
        res.body.sources.map((s: { providerId: string }) => s.providerId),
      ).toEqual(['hr:desk', 'pagerduty:main', 'sn:corp']);
      expect(res.body.sources[1]).toEqual({
        providerId: 'pagerduty:main',
        department: 'it',
        lastSucceededAt: iso(NOW - 30 * MINUTE),
        lastFinishedAt: iso(NOW - 30 * MINUTE),
        lastRunFailed: false,
        failedParts: ['log_entries'],
        firstRunFinished: true,
      });
    });

    it('lists only the sources of records the caller may count', async () => {
      conditionalOn('itsm.metrics.read');
      const res = await request(app).get(
        `/metrics?entityRef=payments-api&${window}&metrics=incident_count`,
      );
      expect(res.status).toBe(200);
      expect(
        res.body.sources.map((s: { providerId: string }) => s.providerId),
      ).toEqual(['sn:corp']);
    });

    it('lists no source for an entity no record maps to, and says what would connect one', async () => {
      const res = await request(app).get(
        `/metrics?entityRef=group:default/nobody&${window}&metrics=incident_count`,
      );
      expect(res.status).toBe(200);
      expect(res.body.sources).toEqual([]);
      expect(res.body.coverage).toEqual({
        covered: false,
        annotations: ['pagerduty.com/service-id'],
      });
      expect(res.body.metrics.incident_count).toMatchObject({
        value: null,
        n: 0,
        unknownReason: 'No source connected',
      });
    });

    it('counts 0 for a component a source covers by annotation before any record maps to it, and lists that source', async () => {
      const res = await request(app).get(
        `/metrics?entityRef=component:default/ledger&${window}&metrics=incident_count,availability`,
      );
      expect(res.status).toBe(200);
      expect(res.body.coverage).toEqual({
        covered: true,
        annotations: ['pagerduty.com/service-id'],
      });
      expect(res.body.metrics.incident_count).toMatchObject({
        value: 0,
        n: 0,
      });
      expect(res.body.metrics.availability).toMatchObject({
        value: 1,
        n: 0,
      });
      expect(
        res.body.sources.map((s: { providerId: string }) => s.providerId),
      ).toEqual(['pagerduty:main']);
    });

    it('covers a system through the annotation of a component rolled up into it', async () => {
      const res = await request(app).get(
        `/metrics?entityRef=system:default/finance&${window}&metrics=incident_count`,
      );
      expect(res.status).toBe(200);
      expect(res.body.coverage.covered).toBe(true);
      expect(res.body.metrics.incident_count).toMatchObject({
        value: 0,
        n: 0,
      });
    });
  });

  it.each([
    ['', /^Invalid query: entityRef: /],
    ['entityRef=a&from=yesterday', /^Invalid query: from: /],
    ['entityRef=a&to=2026-13-01T00:00:00Z', /^Invalid query: to: /],
    [
      'entityRef=a&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z',
      /^Invalid query: from: from must be before to/,
    ],
    ['entityRef=a&bucket=hour', /^Invalid query: bucket: /],
    [
      'entityRef=a&from=2025-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&bucket=day',
      /^Invalid query: bucket: a day series of this window has more than 400 buckets/,
    ],
    [
      'entityRef=a&from=2007-01-01T00:00:00Z&to=2026-04-01T00:00:00Z',
      /^Invalid query: from: a metrics window is at most three years \(1096 days\); from is 7030 days before to$/,
    ],
    [
      'entityRef=a&from=2007-01-01T00:00:00Z&to=2026-04-01T00:00:00Z&bucket=month',
      /^Invalid query: from: a series window is at most three years \(1096 days\)/,
    ],
    [
      'entityRef=a&from=2023-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&bucket=week',
      /^Invalid query: from: a series window is at most three years \(1096 days\); from is 1097 days/,
    ],
    [
      // No from: the default 30 days before a `to` long ago is fine, but
      // a `from` long before the default `to` (now) is not.
      'entityRef=a&from=2020-01-01T00:00:00Z',
      /^Invalid query: from: a metrics window is at most three years/,
    ],
    [
      'entityRef=a&metrics=mttr,uptime',
      /^Invalid query: metrics: unknown metric 'uptime'/,
    ],
    [
      'entityRef=a&explain=uptime',
      /^Invalid query: explain: unknown metric 'uptime'/,
    ],
    ['entityRef=a&colour=red', /^Invalid query: .*colour/],
    [
      'entityRef=component:',
      /^Invalid query: entityRef: 'component:' is not an entity ref/,
    ],
    [
      'entityRef=a:b:c/d',
      /^Invalid query: entityRef: 'a:b:c\/d' is not an entity ref/,
    ],
  ])('answers 400 naming the field for %j', async (query, message) => {
    const res = await request(app).get(`/metrics?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it.each([
    // Three years to the day, leap day included: the longest allowed.
    ['from=2023-04-01T00:00:00Z&to=2026-04-01T00:00:00Z', undefined],
    // 158 weeks: the first and last clipped.
    ['from=2023-04-01T00:00:00Z&to=2026-04-01T00:00:00Z&bucket=week', 158],
    ['from=2023-04-01T00:00:00Z&to=2026-04-01T00:00:00Z&bucket=month', 36],
    ['from=2025-03-01T00:00:00Z&to=2026-04-05T00:00:00Z&bucket=day', 400],
  ])('serves the largest allowed request %j', async (query, buckets) => {
    const res = await request(app).get(
      `/metrics?entityRef=payments-api&${query}&metrics=incident_count,mttr`,
    );
    expect(res.status).toBe(200);
    // The two March incidents of payments-api, whatever the window.
    expect(res.body.metrics.incident_count.n).toBe(2);
    expect(res.body.series?.mttr?.length).toBe(buckets);
  });

  it('answers 404 for an entity the catalog does not have', async () => {
    const res = await request(app).get(
      '/metrics?entityRef=component:default/nope',
    );
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(
      "No entity found with ref 'component:default/nope'",
    );
  });
});
