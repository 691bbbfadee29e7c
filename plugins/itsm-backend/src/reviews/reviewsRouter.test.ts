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

import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { PolicyDecision } from '@backstage/plugin-permission-common';
import {
  itsmMetricsReadPermission,
  itsmRecordReadPermission,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';
import express from 'express';
import request from 'supertest';
import {
  A,
  DAY,
  HOUR,
  MetricsHarness,
  MINUTE,
  NOW,
  T0,
} from '../__testUtils__/metricsHarness';
import {
  createRouterHarness,
  FAST_FIXES,
  MARCH_RECORDS,
} from '../__testUtils__/routerHarness';
import {
  createItsmRecordConditionalDecision,
  itsmRecordConditions,
} from '../permissions/rules';

jest.setTimeout(60_000);

const SN = 'servicenow:corp';
const PD = 'pagerduty:main';
const HR_DESK = 'hr:desk';
const SECRET = 'password=hunter2 on https://corp.service-now.com';
const ALICE = 'user:default/alice';

function entity(kind: string, name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default' },
    spec: {},
    relations: [],
  };
}

const entities: Entity[] = [
  entity('Component', 'payments-api'),
  entity('Group', 'payments'),
  entity('User', 'alice'),
];

const iso = (ms: number) => new Date(ms).toISOString();
const as = (user: string) => ({
  Authorization: mockCredentials.user.header(user),
});

/** Sends a fixture's request; a fixture that fails stops the suite. */
async function fixture(
  send: Promise<request.Response>,
  status: number,
): Promise<request.Response> {
  const res = await send;
  if (res.status !== status) {
    throw new Error(
      `Fixture answered ${res.status}, not ${status}: ${JSON.stringify(
        res.body,
      )}`,
    );
  }
  return res;
}

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...databaseIds] });
const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('reviews on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}

describe.each(databases.eachSupportedId())(
  'review sources on %s',
  databaseId => {
    let harness: MetricsHarness;
    let app: string;
    /** The same app unchecked: the spec proxy reads JSON bodies only, not Markdown. */
    let raw: express.Express;
    let decisions: Record<string, PolicyDecision> = {};

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
      const now = jest.spyOn(Date, 'now').mockReturnValue(options.start);
      try {
        await harness.store.markSyncStarted({
          providerId,
          department: providerId === HR_DESK ? 'hr' : 'it',
          kinds: ['incident'],
        });
        if (options.end !== undefined) {
          now.mockReturnValue(options.end);
          await harness.store.markSyncFinished(providerId, {
            ...(options.error !== undefined ? { error: options.error } : {}),
            counts: {
              read: 5,
              upserted: 5,
              unchanged: 0,
              deadLettered: 0,
              deleted: 0,
            },
            observations: {
              requests: 7,
              retries: 2,
              waitMs: 1500,
              lastRetryMessage: SECRET,
              failedParts: options.failedParts ?? [],
            },
          });
        }
      } finally {
        now.mockRestore();
      }
    }

    /** Sends a request and collects the statements that read the sources. */
    async function withSourceQueries(send: () => Promise<request.Response>) {
      const statements: string[] = [];
      const listen = (query: { sql: string }) => {
        if (query.sql.includes('last_failed_parts')) {
          statements.push(query.sql);
        }
      };
      harness.knex.on('query', listen);
      try {
        return { res: await send(), statements };
      } finally {
        harness.knex.removeListener('query', listen);
      }
    }

    /** 5 April 2026, 09:12 UTC: ServiceNow's last success. */
    const SN_SUCCESS = T0 + 35 * DAY + 9 * HOUR + 12 * MINUTE;
    const PD_SUCCESS = T0 + 34 * DAY;

    beforeAll(async () => {
      harness = await MetricsHarness.create(await databases.init(databaseId));
      await harness.seed([
        {
          id: 'inc1',
          opened: T0 + 2 * DAY,
          resolved: T0 + 2 * DAY + HOUR,
          provider: SN,
        },
        {
          id: 'inc2',
          opened: T0 + 12 * DAY,
          resolved: T0 + 12 * DAY + 2 * HOUR,
          provider: SN,
        },
        {
          id: 'april',
          opened: T0 + 32 * DAY,
          resolved: T0 + 32 * DAY + HOUR,
          provider: SN,
        },
        {
          id: 'pd1',
          priority: 1,
          opened: T0 + 3 * DAY,
          resolved: T0 + 3 * DAY + HOUR,
          provider: PD,
        },
        {
          id: 'case1',
          kind: 'request',
          opened: T0 + 4 * DAY,
          resolved: T0 + 5 * DAY,
          provider: HR_DESK,
        },
      ]);
      // ServiceNow synced but could not read its problem table.
      await run(SN, {
        start: SN_SUCCESS - 2 * MINUTE,
        end: SN_SUCCESS,
        failedParts: [{ part: 'problem', error: `403 Forbidden ${SECRET}` }],
      });
      // PagerDuty succeeded, then its last run failed.
      await run(PD, { start: PD_SUCCESS - MINUTE, end: PD_SUCCESS });
      await run(PD, {
        start: PD_SUCCESS + DAY,
        end: PD_SUCCESS + DAY + MINUTE,
        error: SECRET,
      });
      // The HR desk's first run is under way.
      await run(HR_DESK, { start: NOW - 10 * MINUTE });

      ({ app, raw } = await createRouterHarness({
        metrics: harness,
        entities,
        membership: { [ALICE]: ['group:default/payments'] },
        decision: ({ permission }) => decisions[permission.name],
      }));

      // Improvements bound to metrics: their progress reads metrics too.
      for (const metricId of ['mttr', 'incident_count']) {
        await fixture(
          request(app)
            .post('/improvements')
            .set(as(ALICE))
            .send({
              title: `Improve ${metricId}`,
              entityRefs: [A],
              ownerRef: 'payments',
              priority: 'high',
              dueDate: '2026-05-10',
              metric: { metricId, target: 1 },
            }),
          201,
        );
      }
    });

    beforeEach(() => {
      decisions = {};
    });

    const march = `entityRef=${A}&period=2026-03`;

    const expected = {
      hr: {
        providerId: HR_DESK,
        department: 'hr',
        lastSucceededAt: null,
        lastFinishedAt: null,
        lastRunFailed: false,
        failedParts: [],
        firstRunFinished: false,
      },
      pd: {
        providerId: PD,
        department: 'it',
        lastSucceededAt: iso(PD_SUCCESS),
        lastFinishedAt: iso(PD_SUCCESS + DAY + MINUTE),
        lastRunFailed: true,
        failedParts: [],
        firstRunFinished: true,
      },
      sn: {
        providerId: SN,
        department: 'it',
        lastSucceededAt: iso(SN_SUCCESS),
        lastFinishedAt: iso(SN_SUCCESS),
        lastRunFailed: false,
        failedParts: ['problem'],
        firstRunFinished: true,
      },
    };

    it('names the sources of a live review, asking once per request', async () => {
      const { res, statements } = await withSourceQueries(() =>
        request(app)
          .get(`/reviews?entityRef=${A}&period=2026-Q2`)
          .set(as(ALICE)),
      );
      expect(res.status).toBe(200);
      const review: ItsmServiceReview = res.body;
      expect(review.held).toBeNull();
      expect(review.metrics.incident_count.n).toBe(1);
      expect(review.improvements.due).toHaveLength(2);
      expect(review.sources).toEqual([expected.hr, expected.pd, expected.sn]);
      expect(statements).toHaveLength(1);
      expect(JSON.stringify(review)).not.toMatch(/hunter2|Forbidden/);
    });

    it('lists only the sources of records the reader may count', async () => {
      decisions[itsmMetricsReadPermission.name] =
        createItsmRecordConditionalDecision(itsmMetricsReadPermission, {
          not: itsmRecordConditions.isInDepartment({ departments: ['hr'] }),
        });
      const res = await request(app).get(`/reviews?${march}`).set(as(ALICE));
      expect(res.status).toBe(200);
      expect(res.body.sources).toEqual([expected.pd, expected.sn]);
    });

    it('says the same in the Markdown export', async () => {
      const { res, statements } = await withSourceQueries(() =>
        request(raw).get(`/reviews?${march}&format=markdown`).set(as(ALICE)),
      );
      expect(res.status).toBe(200);
      expect(statements).toHaveLength(1);
      const lines = res.text.split('\n');
      const health = lines.findIndex(line => line.startsWith('- Health:'));
      expect(lines.slice(health + 1, health + 5)).toEqual([
        '- Data as of 2026-04-04 00:00 UTC (HR desk, PagerDuty main, ServiceNow corp).',
        '- **Warning:** The first HR desk sync has not finished: figures may be incomplete.',
        '- **Warning:** The last PagerDuty main sync failed: figures may be incomplete.',
        '- **Warning:** The last ServiceNow corp sync could not read problem: figures may be incomplete.',
      ]);
      expect(res.text).not.toMatch(/hunter2|Forbidden/);
    });

    it('keeps in a held review the sources as they were when it was held', async () => {
      const held = await request(app)
        .post('/reviews')
        .set(as(ALICE))
        .send({ entityRef: A, period: '2026-03', decisions: 'Fix the sync' });
      expect(held.status).toBe(201);
      expect(held.body.sources).toEqual([
        expected.hr,
        expected.pd,
        expected.sn,
      ]);

      // Later, every source syncs cleanly.
      for (const providerId of [SN, PD, HR_DESK]) {
        await run(providerId, { start: NOW - 2 * MINUTE, end: NOW - MINUTE });
      }
      const clean = {
        lastSucceededAt: iso(NOW - MINUTE),
        lastFinishedAt: iso(NOW - MINUTE),
        lastRunFailed: false,
        failedParts: [],
        firstRunFinished: true,
      };
      const again = await request(app).get(`/reviews?${march}`).set(as(ALICE));
      expect(again.body.held).toMatchObject({ decisions: 'Fix the sync' });
      expect(again.body.sources).toEqual(held.body.sources);
      const markdown = await request(raw)
        .get(`/reviews?${march}&format=markdown`)
        .set(as(ALICE));
      expect(markdown.text).toContain(
        'The last PagerDuty main sync failed: figures may be incomplete.',
      );

      // A live review of another period reads the sources as they are now.
      const live = await request(app)
        .get(`/reviews?entityRef=${A}&period=2026-02`)
        .set(as(ALICE));
      expect(live.body.held).toBeNull();
      expect(live.body.sources).toEqual([
        { ...expected.hr, ...clean },
        { ...expected.pd, ...clean },
        { ...expected.sn, ...clean },
      ]);
      const liveMarkdown = await request(raw)
        .get(`/reviews?entityRef=${A}&period=2026-02&format=markdown`)
        .set(as(ALICE));
      expect(liveMarkdown.text).toContain(
        '- Data as of 2026-04-09 23:59 UTC (HR desk, PagerDuty main, ServiceNow corp).',
      );
      expect(liveMarkdown.text).not.toContain('**Warning:**');
    });

    it('says so when a review was held before sources were recorded', async () => {
      const held = await request(app)
        .post('/reviews')
        .set(as(ALICE))
        .send({ entityRef: A, period: '2026-01' });
      expect(held.status).toBe(201);
      const row = await harness
        .knex('service_reviews')
        .where({ id: held.body.held.id })
        .first();
      const { sources, ...older } = JSON.parse(row.snapshot);
      expect(sources).toBeDefined();
      await harness
        .knex('service_reviews')
        .where({ id: held.body.held.id })
        .update({ snapshot: JSON.stringify(older) });

      const res = await request(app)
        .get(`/reviews?entityRef=${A}&period=2026-01`)
        .set(as(ALICE));
      expect(res.body.held).not.toBeNull();
      expect(res.body).not.toHaveProperty('sources');
      const markdown = await request(raw)
        .get(`/reviews?entityRef=${A}&period=2026-01&format=markdown`)
        .set(as(ALICE));
      expect(markdown.text).toContain(
        '- Sources: not recorded when this review was held.',
      );
      expect(markdown.text).not.toContain('Data as of');
    });
  },
);

describe.each(databases.eachSupportedId())(
  'service reviews on %s',
  databaseId => {
    let harness: MetricsHarness;
    let app: string;
    /** The same app unchecked: the spec proxy reads JSON bodies only, not Markdown. */
    let raw: express.Express;
    let decisions: Record<string, PolicyDecision> = {};

    beforeAll(async () => {
      harness = await MetricsHarness.create(await databases.init(databaseId));
      await harness.seed(MARCH_RECORDS);
      ({ app, raw } = await createRouterHarness({
        metrics: harness,
        entities,
        membership: { [ALICE]: ['group:default/payments'] },
        decision: ({ permission }) => decisions[permission.name],
      }));

      // An improvement of payments-api due in Q2, approved while its MTTR
      // was 2h 45m (the baseline), then two fast fixes: 1h 52m 30s since,
      // under its 2h target for the two weeks it must hold.
      const created = await fixture(
        request(app)
          .post('/improvements')
          .set(as(ALICE))
          .send({
            title: 'Halve payments-api MTTR',
            entityRefs: ['payments-api'],
            ownerRef: 'payments',
            priority: 'high',
            dueDate: '2026-05-10',
            metric: { metricId: 'mttr', target: 7200, sustainWeeks: 2 },
          }),
        201,
      );
      await fixture(
        request(app)
          .patch(`/improvements/${created.body.id}`)
          .set(as(ALICE))
          .send({ status: 'approved' }),
        200,
      );
      await harness.seed(FAST_FIXES);
    });

    beforeEach(() => {
      decisions = {};
    });

    const march = `entityRef=${A}&period=2026-03`;

    it('reports a month: metrics, worst incidents, failed changes, SLA breaches, open problems, improvements', async () => {
      const res = await request(app).get(`/reviews?${march}`).set(as(ALICE));
      expect(res.status).toBe(200);
      const review: ItsmServiceReview = res.body;
      expect(review.period).toEqual({
        label: '2026-03',
        from: '2026-03-01T00:00:00.000Z',
        to: '2026-04-01T00:00:00.000Z',
      });
      expect(review.metrics.incident_count).toMatchObject({ value: 8, n: 8 });
      expect(review.series.incident_count.length).toBeGreaterThan(3);
      expect(review.worstIncidents.map(r => r.number)).toEqual([
        'P1',
        'LONG',
        'RECENT1',
        'CAUSED',
        'RECENT2',
        'FAST1',
        'FAST2',
        'SHORT',
      ]);
      expect(review.worstIncidents[1].durationSeconds).toBe(10 * 3600);
      expect(review.failedChanges).toEqual([
        {
          change: expect.objectContaining({ number: 'CHG1' }),
          causedIncidents: [expect.objectContaining({ number: 'CAUSED' })],
        },
      ]);
      expect(review.slaBreaches).toEqual([
        expect.objectContaining({
          record: expect.objectContaining({ number: 'LONG' }),
          kind: 'resolution',
          breachAt: new Date(T0 + 5 * DAY + 4 * HOUR).toISOString(),
        }),
      ]);
      expect(review.openProblems.map(r => r.number)).toEqual(['PRB1']);
      expect(review.hiddenRecordCount).toBe(0);
      expect(review.held).toBeNull();
    });

    it('lists improvements due in the period and overdue at its end', async () => {
      const april = await request(app)
        .get(`/reviews?entityRef=${A}&period=2026-Q2`)
        .set(as(ALICE));
      expect(april.body.improvements.due).toEqual([
        expect.objectContaining({
          title: 'Halve payments-api MTTR',
          metricId: 'mttr',
          baseline: 9900,
          current: 6750,
          target: 7200,
          progressStatus: 'sustained',
        }),
      ]);
      expect(april.body.improvements.overdue).toEqual([]);
    });

    it('exports the same numbers as Markdown', async () => {
      const res = await request(raw)
        .get(`/reviews?${march}&format=markdown`)
        .set(as(ALICE));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/markdown/);
      expect(res.text).toContain('# Service review: payments-api, 2026-03');
      expect(res.text).toMatch(/\| Incidents \| 8 \|/);
      expect(res.text).toContain('| P1 | P1 | Record p1 |');
      expect(res.text).toContain('CAUSED');
    });

    it('seals records the reader may not read, and counts them', async () => {
      decisions[itsmRecordReadPermission.name] =
        createItsmRecordConditionalDecision(itsmRecordReadPermission, {
          not: itsmRecordConditions.isOfKind({ kinds: ['change'] }),
        });
      const res = await request(app).get(`/reviews?${march}`).set(as(ALICE));
      expect(res.body.failedChanges).toEqual([]);
      expect(res.body.hiddenRecordCount).toBe(1);
      // Aggregates still count every record.
      expect(res.body.metrics.change_count.value).toBe(2);
    });

    it('holds a review: the same period reads the same numbers later', async () => {
      const held = await request(app)
        .post('/reviews')
        .set(as(ALICE))
        .send({ entityRef: A, period: '2026-03', decisions: 'Add a canary' });
      expect(held.status).toBe(201);
      expect(held.body.held).toMatchObject({
        heldBy: ALICE,
        decisions: 'Add a canary',
      });
      await harness.seed([
        { id: 'late', opened: T0 + 20 * DAY, resolved: T0 + 21 * DAY },
      ]);
      const live = await harness.compute({
        metrics: ['incident_count'],
        window: {
          from: Date.parse('2026-03-01T00:00:00Z'),
          to: Date.parse('2026-04-01T00:00:00Z'),
        },
      });
      expect(live.metrics.incident_count.value).toBe(9);
      const again = await request(app).get(`/reviews?${march}`).set(as(ALICE));
      expect(again.body.metrics.incident_count.value).toBe(8);
      expect(again.body.worstIncidents).toEqual(held.body.worstIncidents);
      expect(again.body.held).toEqual(held.body.held);

      const twice = await request(app)
        .post('/reviews')
        .set(as(ALICE))
        .send({ entityRef: A, period: '2026-03' });
      expect(twice.status).toBe(409);
      expect(twice.body.error.message).toMatch(
        /already held by user:default\/alice/,
      );
    });

    it.each([
      ['period=2026-13', /period: '2026-13' is neither a quarter/],
      ['period=2026-Q1&from=2026-01-01T00:00:00Z', /period: give either/],
      ['', /period: give a period/],
      [
        'from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z',
        /from: from must be before to/,
      ],
      ['period=2026-03&format=pdf', /format/],
    ])('refuses %s with a 400 naming the field', async (query, message) => {
      const res = await request(app)
        .get(`/reviews?entityRef=${A}&${query}`)
        .set(as(ALICE));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    });

    it('answers 404 for an unknown entity', async () => {
      const res = await request(app)
        .get('/reviews?entityRef=component:default/nope&period=2026-03')
        .set(as(ALICE));
      expect(res.status).toBe(404);
    });
  },
);
