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

import type { BackstageCredentials } from '@backstage/backend-plugin-api';
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
  itsmRecordReadPermission,
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
  HR,
  MetricsHarness,
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
import { DatabaseReviewStore } from './DatabaseReviewStore';
import { ReviewService } from './ReviewService';

jest.setTimeout(60_000);

const PAYMENTS = 'group:default/payments';
const CHECKOUT = 'group:default/checkout';
const HR_TEAM = 'group:default/hr-operations';
const SMO = 'group:default/service-management-office';

/** A payments engineer: owns payments-api through the payments group. */
const OWNER = 'user:default/priya';
/** A checkout engineer: a signed-in stranger to payments-api. */
const GUEST = 'user:default/guest';
/** An ITSM administrator. */
const ADMIN = 'user:default/nadia';

const MEMBERSHIP: Record<string, string[]> = {
  [OWNER]: [PAYMENTS],
  [GUEST]: [CHECKOUT],
  [ADMIN]: [SMO],
};
const ENTITY_OWNERS: Record<string, string> = {
  [A]: PAYMENTS,
  [HR]: HR_TEAM,
};

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
  entity('Component', 'employee-onboarding'),
  entity('Group', 'payments'),
  entity('Group', 'checkout'),
];

const iso = (ms: number) => new Date(ms).toISOString();

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...databaseIds] });
const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('held service reviews on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}

describe.each(databases.eachSupportedId())(
  'held service reviews on %s',
  databaseId => {
    let harness: MetricsHarness;
    let app: express.Express;
    let auditor: ReturnType<typeof mockServices.auditor.mock>;
    let decisions: Record<string, PolicyDecision> = {};
    const as = (user: string) => ({
      Authorization: mockCredentials.user.header(user),
    });

    /**
     * The demo policy's answer as the permission backend hands it back once
     * the catalog has applied its conditions: review permissions (resource
     * type catalog-entity) for the entity's owners and administrators only.
     */
    function decide(
      queries: Array<{
        permission: { name: string; resourceType?: string };
        resourceRef?: string;
      }>,
      options?: { credentials: BackstageCredentials },
    ) {
      const user = (
        options?.credentials.principal as { userEntityRef?: string }
      )?.userEntityRef;
      const claims = user ? [user, ...(MEMBERSHIP[user] ?? [])] : [];
      return queries.map(q => {
        const override = decisions[q.permission.name];
        if (override) {
          return override;
        }
        if (q.permission.resourceType === 'catalog-entity') {
          const owner = q.resourceRef ? ENTITY_OWNERS[q.resourceRef] : '';
          return {
            result:
              claims.includes(SMO) || claims.includes(owner)
                ? AuthorizeResult.ALLOW
                : AuthorizeResult.DENY,
          };
        }
        return { result: AuthorizeResult.ALLOW };
      });
    }

    async function removeRecord(externalId: string) {
      const ids = harness
        .knex('records')
        .where({ external_id: externalId })
        .select('id');
      for (const table of ['slas', 'record_entities', 'record_mappings']) {
        await harness.knex(table).whereIn('record_id', ids).delete();
      }
      await harness.knex('records').where({ external_id: externalId }).delete();
    }

    async function count(table: string) {
      const [{ n }] = await harness.knex(table).count({ n: '*' });
      return Number(n);
    }

    beforeAll(async () => {
      harness = await MetricsHarness.create(await databases.init(databaseId));
      await harness.seed([
        // Q1 2026 of payments-api: two IT incidents in March, one in January.
        { id: 'jan', opened: T0 - 40 * DAY, resolved: T0 - 40 * DAY + HOUR },
        { id: 'mar1', opened: T0 + 2 * DAY, resolved: T0 + 2 * DAY + HOUR },
        {
          id: 'mar2',
          priority: 1,
          opened: T0 + 9 * DAY,
          resolved: T0 + 9 * DAY + 3 * HOUR,
        },
        // An HR desk incident mapped to payments-api (an HR escalation).
        {
          id: 'hr-mar',
          provider: 'hr:desk',
          opened: T0 + 4 * DAY,
          resolved: T0 + 4 * DAY + 2 * HOUR,
        },
      ]);

      const permissions = mockServices.permissions.mock();
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
      const improvements = new ImprovementService({
        store: improvementStore,
        records: harness.store,
        metrics: harness.engine,
        catalog,
        userInfo: fakeUserInfo(MEMBERSHIP),
      });
      auditor = mockServices.auditor.mock();
      const router = await createRouter({
        store: harness.store,
        engine: {} as IngestionEngine,
        httpAuth: mockServices.httpAuth(),
        permissions,
        permissionsRegistry,
        auditor,
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
      app = express().use(router).use(mockErrorHandler());
    });

    beforeEach(async () => {
      decisions = {};
      auditor.createEvent.mockClear();
      await harness.knex('service_review_amendments').delete();
      await harness.knex('service_reviews').delete();
    });

    function hold(user: string, body: object) {
      return request(app).post('/reviews').set(as(user)).send(body);
    }

    /** The auditor events of the last request, as `eventId:outcome`. */
    async function audited(): Promise<string[]> {
      return Promise.all(
        auditor.createEvent.mock.calls.map(async ([options], i) => {
          const event = await auditor.createEvent.mock.results[i].value;
          let outcome = 'open';
          if (event.success.mock.calls.length) {
            outcome = 'success';
          } else if (event.fail.mock.calls.length) {
            outcome = 'fail';
          }
          return `${options.eventId}:${outcome}`;
        }),
      );
    }

    it.each([
      ['the current month', '2026-04'],
      ['the current quarter', '2026-Q2'],
      ['a future quarter', '2027-Q1'],
    ])('refuses to hold %s with a 400 naming the period', async (_, period) => {
      const res = await hold(OWNER, { entityRef: A, period });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        new RegExp(`^Invalid body: period: ${period} has not ended`),
      );
      expect(await count('service_reviews')).toBe(0);
    });

    it.each([
      [
        'a from/to window',
        { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' },
        /^Invalid body: from: a review is held for a named period/,
      ],
      [
        'a window beside a period',
        { period: '2026-03', to: '2026-03-02T00:00:00Z' },
        /^Invalid body: to: a review is held for a named period/,
      ],
      ['no period', {}, /^Invalid body: period: name the month/],
      [
        'a period that is no month or quarter',
        { period: '2026-W10' },
        /^Invalid body: period: '2026-W10' is neither/,
      ],
      [
        'an entity ref that does not parse',
        { period: '2026-03', entityRef: 'component:' },
        /^Invalid body: entityRef: 'component:' is not an entity ref/,
      ],
    ])('refuses %s with a 400 naming the field', async (_, body, message) => {
      const res = await hold(OWNER, { entityRef: A, ...body });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect(await count('service_reviews')).toBe(0);
    });

    it("answers 403 when a guest holds another team's review, and keeps nothing", async () => {
      const res = await hold(GUEST, {
        entityRef: A,
        period: '2026-03',
        decisions: 'Freeze payments forever',
      });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        `You are not allowed to hold the review of ${A}; its owners and administrators may`,
      );
      expect(await count('service_reviews')).toBe(0);
      await expect(audited()).resolves.toEqual(['review-hold:fail']);
      // The live review is what everyone still reads.
      const live = await request(app)
        .get(`/reviews?entityRef=${A}&period=2026-03`)
        .set(as(OWNER));
      expect(live.body.held).toBeNull();
    });

    it('lets the owner hold, amend with history, release and hold again', async () => {
      const held = await hold(OWNER, {
        entityRef: 'payments-api',
        period: '2026-03',
        decisions: 'Canary every gateway deploy.',
      });
      expect(held.status).toBe(201);
      const review: ItsmServiceReview = held.body;
      expect(review.entityRef).toBe(A);
      expect(review.held).toEqual({
        id: expect.any(String),
        heldBy: OWNER,
        heldAt: iso(NOW),
        decisions: 'Canary every gateway deploy.',
        amendments: [],
        figures: 'frozen',
      });
      const id = review.held!.id;
      await expect(audited()).resolves.toEqual(['review-hold:success']);

      // A second hold of the period is a conflict, not a second snapshot.
      const twice = await hold(ADMIN, { entityRef: A, period: '2026-03' });
      expect(twice.status).toBe(409);
      expect(await count('service_reviews')).toBe(1);

      auditor.createEvent.mockClear();
      const amended = await request(app)
        .patch(`/reviews/held/${id}`)
        .set(as(OWNER))
        .send({ decisions: 'Canary every gateway deploy. Priya owns it.' });
      expect(amended.status).toBe(200);
      const byAdmin = await request(app)
        .patch(`/reviews/held/${id}`)
        .set(as(ADMIN))
        .send({ decisions: 'Canary every deploy.' });
      expect(byAdmin.status).toBe(200);
      // The same text again changes nothing and adds no history.
      const same = await request(app)
        .patch(`/reviews/held/${id}`)
        .set(as(ADMIN))
        .send({ decisions: 'Canary every deploy.' });
      expect(same.status).toBe(200);
      await expect(audited()).resolves.toEqual([
        'review-amend:success',
        'review-amend:success',
        'review-amend:success',
      ]);
      const history = [
        {
          at: iso(NOW),
          by: OWNER,
          decisions: {
            from: 'Canary every gateway deploy.',
            to: 'Canary every gateway deploy. Priya owns it.',
          },
        },
        {
          at: iso(NOW),
          by: ADMIN,
          decisions: {
            from: 'Canary every gateway deploy. Priya owns it.',
            to: 'Canary every deploy.',
          },
        },
      ];
      expect(same.body.held).toMatchObject({
        id,
        heldBy: OWNER,
        decisions: 'Canary every deploy.',
        amendments: history,
      });
      // The figures stay those of the hold.
      expect(same.body.metrics).toEqual(review.metrics);
      const read = await request(app)
        .get(`/reviews?entityRef=${A}&period=2026-03`)
        .set(as(GUEST));
      expect(read.body.held).toEqual(same.body.held);
      const markdown = await request(app)
        .get(`/reviews?entityRef=${A}&period=2026-03&format=markdown`)
        .set(as(GUEST));
      expect(markdown.text).toContain(
        `- Held by ${OWNER} on ${iso(NOW)}; the numbers are as they were then.`,
      );
      expect(markdown.text).toContain(
        `- Decisions amended 2 times, last by ${ADMIN} on ${iso(NOW)}.`,
      );
      expect(markdown.text).toContain('Canary every deploy.');

      auditor.createEvent.mockClear();
      const released = await request(app)
        .delete(`/reviews/held/${id}`)
        .set(as(OWNER));
      expect(released.status).toBe(204);
      await expect(audited()).resolves.toEqual(['review-release:success']);
      expect(await count('service_reviews')).toBe(0);
      expect(await count('service_review_amendments')).toBe(0);
      const live = await request(app)
        .get(`/reviews?entityRef=${A}&period=2026-03`)
        .set(as(OWNER));
      expect(live.body.held).toBeNull();

      const again = await hold(OWNER, {
        entityRef: A,
        period: '2026-03',
        decisions: 'Held again after the correction.',
      });
      expect(again.status).toBe(201);
      expect(again.body.held).toMatchObject({
        decisions: 'Held again after the correction.',
        amendments: [],
      });
      expect(again.body.held.id).not.toBe(id);
    });

    it('lets no one but owners and administrators amend or release', async () => {
      const held = await hold(OWNER, { entityRef: A, period: '2026-Q1' });
      const { id } = held.body.held;
      auditor.createEvent.mockClear();

      const amend = await request(app)
        .patch(`/reviews/held/${id}`)
        .set(as(GUEST))
        .send({ decisions: 'Nothing happened.' });
      expect(amend.status).toBe(403);
      expect(amend.body.error.message).toBe(
        `You are not allowed to amend the held review of ${A}; its owners and administrators may`,
      );
      const release = await request(app)
        .delete(`/reviews/held/${id}`)
        .set(as(GUEST));
      expect(release.status).toBe(403);
      await expect(audited()).resolves.toEqual([
        'review-amend:fail',
        'review-release:fail',
      ]);
      const kept = await request(app)
        .get(`/reviews?entityRef=${A}&period=2026-Q1`)
        .set(as(GUEST));
      expect(kept.body.held).toMatchObject({
        id,
        decisions: '',
        amendments: [],
      });

      const byAdmin = await request(app)
        .delete(`/reviews/held/${id}`)
        .set(as(ADMIN));
      expect(byAdmin.status).toBe(204);
    });

    it.each([
      ['patch', { decisions: 'x' }],
      ['delete', undefined],
    ] as const)(
      'answers 404 to %s of a held review that does not exist',
      async (method, body) => {
        const res = await request(app)
          [method]('/reviews/held/no-such-review')
          .set(as(ADMIN))
          .send(body);
        expect(res.status).toBe(404);
        expect(res.body.error.message).toBe(
          "No held review found with id 'no-such-review'",
        );
      },
    );

    it.each([
      [{}, /^Invalid body: decisions: /],
      [{ decisions: 'x', heldBy: OWNER }, /heldBy/],
      [{ decisions: 'x'.repeat(50_001) }, /^Invalid body: decisions: /],
    ])(
      'refuses the amendment %# with a 400 naming the field',
      async (body, message) => {
        const held = await hold(OWNER, { entityRef: A, period: '2026-03' });
        const res = await request(app)
          .patch(`/reviews/held/${held.body.held.id}`)
          .set(as(OWNER))
          .send(body);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(message);
      },
    );

    it('serves the frozen figures only to readers who may count every record', async () => {
      const held = await hold(OWNER, {
        entityRef: A,
        period: '2026-03',
        decisions: 'Talk to HR about escalations.',
      });
      expect(held.body.metrics.incident_count.value).toBe(3);
      const path = `/reviews?entityRef=${A}&period=2026-03`;

      // A reader who may neither count nor read the HR desk's records gets
      // no figure that counts them: the live review under their conditions.
      const notHr = {
        not: itsmRecordConditions.isInDepartment({ departments: ['hr'] }),
      };
      decisions[itsmMetricsReadPermission.name] =
        createItsmRecordConditionalDecision(itsmMetricsReadPermission, notHr);
      decisions[itsmRecordReadPermission.name] =
        createItsmRecordConditionalDecision(itsmRecordReadPermission, notHr);
      const sealed = await request(app).get(path).set(as(GUEST));
      expect(sealed.status).toBe(200);
      const review: ItsmServiceReview = sealed.body;
      expect(review.held).toMatchObject({
        id: held.body.held.id,
        decisions: 'Talk to HR about escalations.',
        figures: 'live',
      });
      expect(review.metrics.incident_count).toMatchObject({ value: 2, n: 2 });
      expect(review.worstIncidents.map(r => r.number)).toEqual([
        'MAR2',
        'MAR1',
      ]);
      expect(review.sources?.map(s => s.providerId)).not.toContain('hr:desk');
      expect(sealed.text).not.toContain('HR-MAR');

      // So does the holder, when they are such a reader.
      const amended = await request(app)
        .patch(`/reviews/held/${held.body.held.id}`)
        .set(as(OWNER))
        .send({ decisions: 'Talk to HR.' });
      expect(amended.body.held).toMatchObject({
        figures: 'live',
        decisions: 'Talk to HR.',
      });
      expect(amended.body.metrics.incident_count.value).toBe(2);
      const markdown = await request(app)
        .get(`${path}&format=markdown`)
        .set(as(GUEST));
      expect(markdown.text).toContain('Talk to HR.');
      expect(markdown.text).toContain(
        `- Held by ${OWNER} on ${iso(
          NOW,
        )}; the numbers are live (generated ${iso(
          NOW,
        )}), counted under your permissions`,
      );
      expect(markdown.text).toContain(
        `- Decisions amended 1 time, last by ${OWNER} on ${iso(NOW)}.`,
      );
      expect(markdown.text).toContain('| Incidents | 2 |');
      expect(markdown.text).not.toContain('HR-MAR');

      // A record arrives late: the frozen figures do not move; the live
      // ones count it.
      await harness.seed([
        { id: 'late', opened: T0 + 20 * DAY, resolved: T0 + 20 * DAY + HOUR },
      ]);
      try {
        const live = await request(app).get(path).set(as(GUEST));
        expect(live.body.metrics.incident_count.value).toBe(3);
        expect(live.body.worstIncidents.map((r: any) => r.number)).toContain(
          'LATE',
        );
        decisions = {};
        const frozen = await request(app).get(path).set(as(GUEST));
        expect(frozen.body.held.figures).toBe('frozen');
        expect(frozen.body.metrics).toEqual(held.body.metrics);
        expect(frozen.body.worstIncidents).toEqual(held.body.worstIncidents);
      } finally {
        await removeRecord('late');
      }
    });

    it('reads unqualified entity refs as components, and refuses refs that do not parse', async () => {
      const res = await request(app)
        .get('/reviews?entityRef=payments-api&period=2026-Q1')
        .set(as(GUEST));
      expect(res.status).toBe(200);
      expect(res.body.entityRef).toBe(A);

      const bad = await request(app)
        .get('/reviews?entityRef=component:&period=2026-Q1')
        .set(as(GUEST));
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(
        /^Invalid query: entityRef: 'component:' is not an entity ref/,
      );
    });

    it('reviews a window of at most three years', async () => {
      const threeYears = await request(app)
        .get(
          `/reviews?entityRef=${A}&from=2023-04-01T00:00:00Z&to=2026-04-01T00:00:00Z`,
        )
        .set(as(GUEST));
      expect(threeYears.status).toBe(200);
      expect(threeYears.body.metrics.incident_count.value).toBe(4);

      const longer = await request(app)
        .get(
          `/reviews?entityRef=${A}&from=2007-01-01T00:00:00Z&to=2026-04-01T00:00:00Z`,
        )
        .set(as(GUEST));
      expect(longer.status).toBe(400);
      expect(longer.body.error.message).toMatch(
        /^Invalid query: from: a review covers at most three years \(1096 days\)/,
      );
    });
  },
);
