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
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  itsmImprovementDeletePermission,
  itsmImprovementReadPermission,
  itsmImprovementUpdatePermission,
  ItsmImprovement,
  ItsmImprovementDetails,
  itsmRecordReadPermission,
} from '@backstage-itsm/plugin-itsm-common';
import request from 'supertest';
import { A, HR, MetricsHarness, NOW } from '../__testUtils__/metricsHarness';
import {
  createRouterHarness,
  FAST_FIXES,
  MARCH_RECORDS,
  RouterHarness,
} from '../__testUtils__/routerHarness';
import {
  createItsmImprovementConditionalDecision,
  itsmImprovementConditions,
} from '../permissions/improvementRules';
import {
  createItsmRecordConditionalDecision,
  itsmRecordConditions,
} from '../permissions/rules';
import type { ImprovementStore } from './ImprovementStore';
import { MAX_PROGRESS_MEASUREMENTS } from './improvementsRouter';

jest.setTimeout(60_000);

const PAYMENTS = 'group:default/payments';
const HR_TEAM = 'group:default/hr-operations';

function entity(
  kind: string,
  name: string,
  annotations?: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default', annotations },
    spec: {},
    relations: [],
  };
}

const entities: Entity[] = [
  entity('Component', 'payments-api'),
  entity('Component', 'employee-onboarding', {
    'backstage-itsm.io/department': 'hr',
  }),
  {
    ...entity('Group', 'payments'),
    relations: [{ type: 'ownerOf', targetRef: A }],
  },
  entity('Group', 'hr-operations'),
  entity('User', 'alice'),
  entity('System', 'payments'),
];

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...databaseIds] });
const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('improvements on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}

describe.each(databases.eachSupportedId())('improvements on %s', databaseId => {
  let harness: MetricsHarness;
  let app: string;
  let decisions: Record<string, PolicyDecision>;
  let auditor: RouterHarness['auditor'];
  let improvementStore: ImprovementStore;

  async function improvementCount(): Promise<number> {
    const [{ n }] = await harness.knex('improvements').count({ n: '*' });
    return Number(n);
  }
  const ids: Record<string, string> = {};

  const as = (user: string) => ({
    Authorization: mockCredentials.user.header(user),
  });
  const ALICE = 'user:default/alice';

  beforeAll(async () => {
    harness = await MetricsHarness.create(await databases.init(databaseId));
    await harness.seed(MARCH_RECORDS);
    const all = await harness.store.listRecords({ limit: 100 });
    for (const r of all.items) ids[r.externalId] = r.id;

    ({ app, auditor, improvementStore } = await createRouterHarness({
      metrics: harness,
      entities,
      membership: { [ALICE]: [PAYMENTS] },
      decision: ({ permission }) => decisions[permission.name],
    }));
  });

  beforeEach(() => {
    decisions = {};
  });

  const valid = {
    title: 'Halve payments-api MTTR',
    description: 'Runbooks and alert routing',
    entityRefs: ['payments-api'],
    ownerRef: 'payments',
    priority: 'high',
    dueDate: '2026-05-10',
    metric: { metricId: 'mttr', target: 7200, sustainWeeks: 2 },
  };
  let mttrId: string;

  it('creates an improvement: normalised refs, proposed, a created event, the current value beside', async () => {
    const res = await request(app)
      .post('/improvements')
      .set(as(ALICE))
      .send({ ...valid, recordIds: [ids.long], comment: 'From the review' });
    expect(res.status).toBe(201);
    mttrId = res.body.id;
    expect(res.body).toMatchObject({
      entityRefs: [A],
      ownerRef: PAYMENTS,
      department: 'it',
      status: 'proposed',
      createdBy: ALICE,
      records: [{ id: ids.long, number: 'LONG', kind: 'incident' }],
      hiddenRecordCount: 0,
      metric: {
        metricId: 'mttr',
        entityRef: A,
        target: 7200,
        direction: 'lower_is_better',
        windowDays: 30,
        sustainWeeks: 2,
        baseline: null,
      },
      progress: {
        status: 'not_started',
        baseline: null,
        current: 9900,
        n: 2,
      },
    });
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({ eventId: 'improvement-create' }),
    );
    const details = await request(app)
      .get(`/improvements/${mttrId}`)
      .set(as(ALICE));
    expect(details.body.events).toEqual([
      expect.objectContaining({
        type: 'created',
        actor: ALICE,
        comment: 'From the review',
        changes: { status: { from: null, to: 'proposed' } },
      }),
    ]);
  });

  it.each([
    ['title', { title: '  ' }, /title: title is required/],
    ['entityRefs', { entityRefs: [] }, /entityRefs: name at least one/],
    [
      'entityRefs[0]',
      { entityRefs: ['no-such-thing'] },
      /entityRefs\[0\]: no entity 'component:default\/no-such-thing'/,
    ],
    [
      'ownerRef kind',
      { ownerRef: 'component:default/payments-api' },
      /ownerRef: must be a group or a user/,
    ],
    ['ownerRef', { ownerRef: 'ghosts' }, /ownerRef: no group/],
    [
      'dueDate in the past',
      { dueDate: '2026-04-09' },
      /dueDate: must be today \(2026-04-10\) or later/,
    ],
    ['dueDate format', { dueDate: '10/05/2026' }, /dueDate: must be a date/],
    [
      'metric.metricId',
      { metric: { metricId: 'happiness', target: 1 } },
      /metric\.metricId: unknown metric 'happiness'/,
    ],
    [
      'metric.target on the wrong side',
      { metric: { metricId: 'mttr', target: 14400 } },
      /metric\.target: the target 14400 must be below the current value 9900 for mttr/,
    ],
    [
      'metric.target ratio range',
      { metric: { metricId: 'availability', target: 99.9 } },
      /metric\.target: .* is a ratio from 0 to 1/,
    ],
    [
      'recordIds',
      { recordIds: ['nope'] },
      /recordIds\[0\]: no record 'nope' that you may read/,
    ],
    ['unknown field', { colour: 'red' }, /colour/],
  ])(
    'refuses a bad %s with a 400 naming the field',
    async (_n, patch, message) => {
      const before = await request(app).get('/improvements').set(as(ALICE));
      const res = await request(app)
        .post('/improvements')
        .set(as(ALICE))
        .send({ ...valid, ...patch });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      const after = await request(app).get('/improvements').set(as(ALICE));
      expect(after.body.totalCount).toBe(before.body.totalCount);
    },
  );

  it('refuses a motivating record the caller may not read', async () => {
    decisions[itsmRecordReadPermission.name] =
      createItsmRecordConditionalDecision(itsmRecordReadPermission, {
        not: itsmRecordConditions.isInDepartment({ departments: ['hr'] }),
      });
    const res = await request(app)
      .post('/improvements')
      .set(as(ALICE))
      .send({ ...valid, recordIds: [ids.hr1] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/recordIds\[0\]/);
  });

  it('refuses status changes that skip a step', async () => {
    const res = await request(app)
      .patch(`/improvements/${mttrId}`)
      .set(as(ALICE))
      .send({ status: 'done' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /status: cannot go from proposed to done; from proposed the next status is approved or abandoned/,
    );
  });

  it('takes the baseline from the metrics engine on approval', async () => {
    const res = await request(app)
      .patch(`/improvements/${mttrId}`)
      .set(as(ALICE))
      .send({ status: 'approved', comment: 'Agreed at the CAB' });
    expect(res.status).toBe(200);
    expect(res.body.metric).toMatchObject({
      baseline: 9900,
      baselineN: 2,
      baselineCapturedAt: new Date(NOW).toISOString(),
    });
    expect(res.body.progress).toMatchObject({
      status: 'on_track',
      baseline: 9900,
      current: 9900,
      target: 7200,
      fraction: 0,
      elapsed: 0,
      overdue: false,
    });
    const details: ItsmImprovementDetails = (
      await request(app).get(`/improvements/${mttrId}`).set(as(ALICE))
    ).body;
    expect(details.events.map(e => e.type)).toEqual([
      'created',
      'status_changed',
      'baseline_captured',
    ]);
    expect(details.events[1]).toMatchObject({
      comment: 'Agreed at the CAB',
      changes: { status: { from: 'proposed', to: 'approved' } },
    });
    expect(details.events[2].changes).toEqual({
      baseline: { from: null, to: 9900 },
    });
  });

  it('refuses a target on the wrong side of the baseline once approved', async () => {
    const res = await request(app)
      .patch(`/improvements/${mttrId}`)
      .set(as(ALICE))
      .send({ metric: { metricId: 'mttr', target: 10000, sustainWeeks: 2 } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /metric\.target: the target 10000 must be below the baseline 9900/,
    );
  });

  it('measures progress from live metrics: target met, then sustained', async () => {
    // Two fast incidents in each of the two weeks before NOW's week.
    await harness.seed(FAST_FIXES);
    const res = await request(app)
      .get(`/improvements/${mttrId}`)
      .set(as(ALICE));
    // (4h + 1.5h + 1h + 1h) / 4 = 1h 52m 30s, under the 2h target.
    expect(res.body.progress).toMatchObject({
      status: 'sustained',
      baseline: 9900,
      current: 6750,
      n: 4,
      weeks: [
        { start: '2026-03-23T00:00:00.000Z', value: 3600, n: 1, met: true },
        { start: '2026-03-30T00:00:00.000Z', value: 3600, n: 1, met: true },
      ],
    });
    expect(res.body.progress.fraction).toBeCloseTo((9900 - 6750) / 2700, 6);
  });

  it('filters the list by entity, owner, status, text and overdue', async () => {
    const other = await request(app)
      .post('/improvements')
      .set(as(ALICE))
      .send({
        title: 'Document the onboarding checklist',
        entityRefs: [HR],
        ownerRef: HR_TEAM,
        dueDate: '2026-04-10',
      });
    expect(other.status).toBe(201);
    expect(other.body.department).toBe('hr');
    expect(other.body.progress.status).toBe('not_started');

    const list = async (query: string) =>
      (
        await request(app).get(`/improvements?${query}`).set(as(ALICE))
      ).body.items.map((i: { title: string }) => i.title);
    await expect(list(`entityRef=${HR}`)).resolves.toEqual([
      'Document the onboarding checklist',
    ]);
    await expect(list(`ownerRef=${PAYMENTS}`)).resolves.toEqual([
      'Halve payments-api MTTR',
    ]);
    await expect(list('status=approved,in_progress')).resolves.toEqual([
      'Halve payments-api MTTR',
    ]);
    await expect(list('q=CHECKLIST')).resolves.toEqual([
      'Document the onboarding checklist',
    ]);
    await expect(list('sort=dueDate&order=asc')).resolves.toEqual([
      'Document the onboarding checklist',
      'Halve payments-api MTTR',
    ]);
    // Due today is not overdue yet.
    await expect(list('overdue=true')).resolves.toEqual([]);
    const bad = await request(app)
      .get('/improvements?status=finished')
      .set(as(ALICE));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/status/);
  });

  it("lists a team's improvements: about what it owns, or owned by it, under the same conditions", async () => {
    const created: string[] = [];
    const create = async (body: object) => {
      const res = await request(app)
        .post('/improvements')
        .set(as(ALICE))
        .send({ dueDate: '2026-06-01', ...body });
      expect(res.status).toBe(201);
      created.push(res.body.id);
    };
    try {
      // On payments-api (Payments owns it), though another team leads it.
      await create({
        title: 'Shared alerting for payments-api',
        entityRefs: [A],
        ownerRef: HR_TEAM,
      });
      // Payments leads it, on an entity it does not own (an HR one).
      await create({
        title: 'Payroll export for payments',
        entityRefs: [HR],
        ownerRef: PAYMENTS,
      });
      const titles = async (query: string, user = ALICE) => {
        const res = await request(app)
          .get(`/improvements?${query}`)
          .set(as(user));
        expect(res.status).toBe(200);
        return {
          titles: res.body.items.map((i: { title: string }) => i.title),
          totalCount: res.body.totalCount,
        };
      };
      await expect(titles(`ownedBy=${PAYMENTS}&sort=title`)).resolves.toEqual({
        titles: [
          'Halve payments-api MTTR',
          'Payroll export for payments',
          'Shared alerting for payments-api',
        ],
        totalCount: 3,
      });
      // Unqualified refs are groups; the page stays bounded.
      await expect(
        titles('ownedBy=payments&sort=title&limit=1&offset=1'),
      ).resolves.toEqual({
        titles: ['Payroll export for payments'],
        totalCount: 3,
      });
      // Combines with the other filters.
      await expect(
        titles(`ownedBy=${PAYMENTS}&status=proposed&sort=title`),
      ).resolves.toEqual({
        titles: [
          'Payroll export for payments',
          'Shared alerting for payments-api',
        ],
        totalCount: 2,
      });
      // The HR team owns nothing in this catalog: only what it leads.
      await expect(titles(`ownedBy=${HR_TEAM}&sort=title`)).resolves.toEqual({
        titles: [
          'Document the onboarding checklist',
          'Shared alerting for payments-api',
        ],
        totalCount: 2,
      });

      // HR improvements stay sealed from a reader outside HR.
      decisions[itsmImprovementReadPermission.name] =
        createItsmImprovementConditionalDecision(
          itsmImprovementReadPermission,
          {
            not: itsmImprovementConditions.isInDepartment({
              departments: ['hr'],
            }),
          },
        );
      await expect(
        titles(`ownedBy=${PAYMENTS}&sort=title`, 'user:default/bob'),
      ).resolves.toEqual({
        titles: ['Halve payments-api MTTR', 'Shared alerting for payments-api'],
        totalCount: 2,
      });
      decisions = {};

      const component = await request(app)
        .get(`/improvements?ownedBy=${A}`)
        .set(as(ALICE));
      expect(component.status).toBe(400);
      expect(component.body.error.message).toMatch(
        /^Invalid query: ownedBy: must name a group or a user/,
      );
      const unknown = await request(app)
        .get('/improvements?ownedBy=group:default/nope')
        .set(as(ALICE));
      expect(unknown.status).toBe(404);
    } finally {
      decisions = {};
      for (const id of created) {
        await request(app).delete(`/improvements/${id}`).set(as(ALICE));
      }
    }
  });

  it('applies read, update and delete conditions in SQL', async () => {
    const claims = ['user:default/bob', 'group:default/checkout'];
    decisions[itsmImprovementReadPermission.name] =
      createItsmImprovementConditionalDecision(itsmImprovementReadPermission, {
        anyOf: [
          {
            not: itsmImprovementConditions.isInDepartment({
              departments: ['hr'],
            }),
          },
          itsmImprovementConditions.isOwner({ claims }),
        ],
      });
    for (const permission of [
      itsmImprovementUpdatePermission,
      itsmImprovementDeletePermission,
    ]) {
      decisions[permission.name] = createItsmImprovementConditionalDecision(
        permission,
        itsmImprovementConditions.isOwner({ claims }),
      );
    }
    const bob = as('user:default/bob');
    const list = await request(app).get('/improvements').set(bob);
    expect(list.body.items.map((i: { title: string }) => i.title)).toEqual([
      'Halve payments-api MTTR',
    ]);
    expect(list.body.totalCount).toBe(1);
    const hr = (
      await request(app).get('/improvements?department=hr').set(as(ALICE))
    ).body.items[0];
    decisions[itsmImprovementReadPermission.name] =
      decisions[itsmImprovementReadPermission.name];
    expect(
      (await request(app).get(`/improvements/${hr?.id}`).set(bob)).status,
    ).toBe(404);

    const patch = await request(app)
      .patch(`/improvements/${mttrId}`)
      .set(bob)
      .send({ title: 'Mine now' });
    expect(patch.status).toBe(403);
    const del = await request(app).delete(`/improvements/${mttrId}`).set(bob);
    expect(del.status).toBe(403);
    const kept = await request(app).get(`/improvements/${mttrId}`).set(bob);
    expect(kept.body.title).toBe('Halve payments-api MTTR');
  });

  describe('owners a caller may name', () => {
    const ownerOnly = () => {
      decisions[itsmImprovementUpdatePermission.name] =
        createItsmImprovementConditionalDecision(
          itsmImprovementUpdatePermission,
          itsmImprovementConditions.isOwner({ claims: [ALICE, PAYMENTS] }),
        );
    };
    const draft = {
      title: 'Owned by whom?',
      entityRefs: ['payments-api'],
      priority: 'low',
    };
    const notMine = new RegExp(
      "^ownerRef: you may name yourself or a group you belong to \\(user:default/alice, group:default/payments\\), not 'group:default/hr-operations'",
    );
    const created: string[] = [];
    afterEach(async () => {
      decisions = {};
      for (const id of created.splice(0)) {
        await request(app).delete(`/improvements/${id}`).set(as(ALICE));
      }
    });

    it.each([
      ['owner-only update', ownerOnly],
      [
        'no update at all',
        () => {
          decisions[itsmImprovementUpdatePermission.name] = {
            result: AuthorizeResult.DENY,
          };
        },
      ],
    ])(
      'refuses a group the creator is not in with a 403 naming ownerRef (%s)',
      async (_, policy) => {
        policy();
        const before = await improvementCount();
        const res = await request(app)
          .post('/improvements')
          .set(as(ALICE))
          .send({ ...draft, ownerRef: 'hr-operations' });
        expect(res.status).toBe(403);
        expect(res.body.error.message).toMatch(notMine);
        await expect(improvementCount()).resolves.toBe(before);
      },
    );

    it('lets the creator name themself or a group they belong to', async () => {
      ownerOnly();
      for (const [ownerRef, stored] of [
        ['payments', PAYMENTS],
        ['user:default/alice', ALICE],
      ]) {
        const res = await request(app)
          .post('/improvements')
          .set(as(ALICE))
          .send({ ...draft, ownerRef });
        expect(res.status).toBe(201);
        expect(res.body.ownerRef).toBe(stored);
        created.push(res.body.id);
      }
    });

    it('lets an administrator name any group', async () => {
      const res = await request(app)
        .post('/improvements')
        .set(as(ALICE))
        .send({ ...draft, ownerRef: HR_TEAM });
      expect(res.status).toBe(201);
      created.push(res.body.id);
    });

    it('checks a new owner on PATCH too', async () => {
      ownerOnly();
      const moved = await request(app)
        .patch(`/improvements/${mttrId}`)
        .set(as(ALICE))
        .send({ ownerRef: HR_TEAM });
      expect(moved.status).toBe(403);
      expect(moved.body.error.message).toMatch(notMine);
      // Naming the owner it already has is no change of owner.
      const same = await request(app)
        .patch(`/improvements/${mttrId}`)
        .set(as(ALICE))
        .send({ ownerRef: 'payments' });
      expect(same.status).toBe(200);
      expect(same.body.ownerRef).toBe(PAYMENTS);

      decisions = {};
      for (const ownerRef of [HR_TEAM, PAYMENTS]) {
        const byAdmin = await request(app)
          .patch(`/improvements/${mttrId}`)
          .set(as(ALICE))
          .send({ ownerRef });
        expect(byAdmin.status).toBe(200);
        expect(byAdmin.body.ownerRef).toBe(ownerRef);
      }
    });
  });

  it('reads unqualified refs in queries and bodies, and refuses refs that do not parse', async () => {
    const titles = async (query: string) => {
      const res = await request(app)
        .get(`/improvements?${query}`)
        .set(as(ALICE));
      expect(res.status).toBe(200);
      return res.body.items.map((i: { title: string }) => i.title);
    };
    await expect(titles('entityRef=payments-api')).resolves.toEqual([
      'Halve payments-api MTTR',
    ]);
    await expect(titles('ownerRef=payments')).resolves.toEqual([
      'Halve payments-api MTTR',
    ]);

    const query = await request(app)
      .get('/improvements?entityRef=component:')
      .set(as(ALICE));
    expect(query.status).toBe(400);
    expect(query.body.error.message).toMatch(
      /^Invalid query: entityRef: 'component:' is not an entity ref/,
    );
    const body = await request(app)
      .post('/improvements')
      .set(as(ALICE))
      .send({ ...valid, entityRefs: [A, 'a:b:c'] });
    expect(body.status).toBe(400);
    expect(body.body.error.message).toMatch(
      /^Invalid body: entityRefs\.1: 'a:b:c' is not an entity ref/,
    );
  });

  it('serves at most 100 improvements a page', async () => {
    const res = await request(app)
      .get('/improvements?limit=101')
      .set(as(ALICE));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Invalid query: limit: /);
  });

  it('keeps comments as history and records who changed what', async () => {
    const res = await request(app)
      .patch(`/improvements/${mttrId}`)
      .set(as(ALICE))
      .send({ comment: 'Alert routing shipped' });
    expect(res.status).toBe(200);
    const moved = await request(app)
      .patch(`/improvements/${mttrId}`)
      .set(as('user:default/carol'))
      .send({ status: 'in_progress', priority: 'critical' });
    expect(moved.body.updatedBy).toBe('user:default/carol');
    const { events } = (
      await request(app).get(`/improvements/${mttrId}`).set(as(ALICE))
    ).body as ItsmImprovementDetails;
    expect(events.slice(-2)).toEqual([
      expect.objectContaining({
        type: 'commented',
        comment: 'Alert routing shipped',
        changes: {},
      }),
      expect.objectContaining({
        type: 'status_changed',
        actor: 'user:default/carol',
        changes: {
          status: { from: 'approved', to: 'in_progress' },
          priority: { from: 'high', to: 'critical' },
        },
      }),
    ]);
  });

  it('deletes an improvement with its history', async () => {
    const res = await request(app)
      .delete(`/improvements/${mttrId}`)
      .set(as(ALICE));
    expect(res.status).toBe(204);
    expect(
      (await request(app).get(`/improvements/${mttrId}`).set(as(ALICE))).status,
    ).toBe(404);
    const [{ n }] = await harness
      .knex('improvement_events')
      .where({ improvement_id: mttrId })
      .count({ n: '*' });
    expect(Number(n)).toBe(0);
  });

  it('measures at most MAX_PROGRESS_MEASUREMENTS metrics a request, and says which items it did not', async () => {
    const at = new Date(NOW).toISOString();
    const boundIds: string[] = [];
    for (let i = 0; i < 70; i++) {
      const id = `bound-${String(i).padStart(2, '0')}`;
      boundIds.push(id);
      await improvementStore.create(
        {
          id,
          title: `Bound ${i}`,
          description: '',
          entityRefs: [A],
          ownerRef: PAYMENTS,
          department: 'it',
          status: 'approved',
          priority: 'low',
          dueDate: null,
          recordIds: [],
          // Every item its own window: no two share a measurement.
          metric: {
            metricId: 'mttr',
            entityRef: A,
            target: 60,
            direction: 'lower_is_better',
            windowDays: 10 + i,
            sustainWeeks: 4,
            baseline: 9900,
            baselineN: 2,
            baselineCapturedAt: at,
          },
          createdAt: at,
          createdBy: ALICE,
          updatedAt: at,
          updatedBy: ALICE,
          completedAt: null,
        },
        {
          actor: ALICE,
          type: 'created',
          changes: {},
          comment: null,
        },
      );
    }
    const measure = jest.spyOn(harness.engine, 'getMetrics');
    try {
      const res = await request(app)
        .get('/improvements?sort=title&order=asc')
        .set(as(ALICE));
      expect(res.status).toBe(200);
      expect(measure.mock.calls.length).toBeLessThanOrEqual(
        MAX_PROGRESS_MEASUREMENTS,
      );
      const bound = (res.body.items as ItsmImprovement[]).filter(i => i.metric);
      const statuses = bound.map(i => i.progress.status);
      // In page order: one weekly series shared by all, then one window
      // per item until the budget is spent.
      const measured = MAX_PROGRESS_MEASUREMENTS - 1;
      expect(statuses.slice(0, measured)).not.toContain('not_measured');
      expect(statuses.slice(measured)).toEqual(
        Array(70 - measured).fill('not_measured'),
      );
      expect(bound[69].progress).toMatchObject({
        baseline: 9900,
        current: null,
        target: 60,
      });

      // Alone, the item is measured.
      measure.mockClear();
      const one = await request(app)
        .get(`/improvements/${bound[69].id}`)
        .set(as(ALICE));
      expect(one.body.progress.status).not.toBe('not_measured');
      expect(measure).toHaveBeenCalledTimes(2);
    } finally {
      measure.mockRestore();
      for (const id of boundIds) {
        await improvementStore.delete(id);
      }
    }
  });
});
