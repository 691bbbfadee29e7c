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
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  itsmMetricsReadPermission,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';
import express from 'express';
import request from 'supertest';
import { ImprovementService } from '../improvements/ImprovementService';
import { DatabaseImprovementStore } from '../improvements/DatabaseImprovementStore';
import { fakeUserInfo } from '../__testUtils__/fakeUserInfo';
import type { IngestionEngine } from '../ingestion/IngestionEngine';
import {
  A,
  DAY,
  HOUR,
  MetricsHarness,
  MINUTE,
  NOW,
  T0,
} from '../__testUtils__/metricsHarness';
import { itsmImprovementPermissionRules } from '../permissions/improvementRules';
import {
  createItsmRecordConditionalDecision,
  itsmRecordConditions,
  itsmRecordPermissionRules,
} from '../permissions/rules';
import { createRouter } from '../service/createRouter';
import { specCheckedServer } from '../schema/specCheckedServer';
import { DatabaseReviewStore } from './DatabaseReviewStore';
import { ReviewService } from './ReviewService';

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

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...databaseIds] });
const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('review sources on %s', () => {
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
    const as = (user: string) => ({
      Authorization: mockCredentials.user.header(user),
    });

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

      const permissions = mockServices.permissions.mock();
      const decide = async (queries: Array<{ permission: { name: string } }>) =>
        queries.map(
          q =>
            decisions[q.permission.name] ?? { result: AuthorizeResult.ALLOW },
        );
      permissions.authorizeConditional.mockImplementation(decide as any);
      permissions.authorize.mockImplementation(decide as any);
      const permissionsRegistry = mockServices.permissionsRegistry.mock();
      permissionsRegistry.getPermissionRuleset.mockImplementation(
        (ref: any) =>
          ({
            getRuleByName: (name: string) =>
              Object.values(
                ref.resourceType === 'itsm-improvement'
                  ? itsmImprovementPermissionRules
                  : itsmRecordPermissionRules,
              ).find(r => r.name === name)!,
          } as any),
      );
      const catalog = catalogServiceMock({ entities });
      const improvementStore = new DatabaseImprovementStore(harness.knex);
      const userInfo = fakeUserInfo({ [ALICE]: ['group:default/payments'] });
      const improvements = new ImprovementService({
        store: improvementStore,
        records: harness.store,
        metrics: harness.engine,
        catalog,
        userInfo,
      });
      const router = await createRouter({
        store: harness.store,
        engine: {} as IngestionEngine,
        httpAuth: mockServices.httpAuth(),
        permissions,
        permissionsRegistry,
        auditor: mockServices.auditor.mock(),
        catalog,
        logger: mockServices.logger.mock(),
        metrics: harness.engine,
        improvements,
        reviews: new ReviewService({
          store: new DatabaseReviewStore(harness.knex),
          records: harness.store,
          metrics: harness.engine,
          improvements,
          improvementStore,
          permissions,
        }),
        clock: () => NOW,
      });
      raw = express().use(router).use(mockErrorHandler());
      app = await specCheckedServer(raw);

      // Improvements bound to metrics: their progress reads metrics too.
      for (const metricId of ['mttr', 'incident_count']) {
        const created = await request(app)
          .post('/improvements')
          .set(as(ALICE))
          .send({
            title: `Improve ${metricId}`,
            entityRefs: [A],
            ownerRef: 'payments',
            priority: 'high',
            dueDate: '2026-05-10',
            metric: { metricId, target: 1 },
          });
        if (created.status !== 201) {
          throw new Error(`Could not create: ${JSON.stringify(created.body)}`);
        }
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
