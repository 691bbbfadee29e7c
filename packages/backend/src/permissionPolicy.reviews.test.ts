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
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import type { ItsmServiceReview } from '@backstage-itsm/plugin-itsm-common';
import itsmPlugin from '@backstage-itsm/plugin-itsm-backend';
import type { Knex } from 'knex';
import { resolve as resolvePath } from 'node:path';
import request from 'supertest';
import demoPermissionPolicy from './permissionPolicy';
import {
  authServiceFactory,
  GROUPS,
  userInfoServiceFactory,
  UserKey,
  USERS,
} from './__testUtils__/sealingFixtures';

/*
 * Held service reviews and improvement owners against the real permission
 * backend, the demo policy and the real catalog backend with the demo
 * catalog (examples/): the policy answers itsm.review.hold and
 * itsm.review.update with catalog conditions, and the catalog applies them
 * to the entity under review.
 */

jest.setTimeout(120_000);

const examples = resolvePath(__dirname, '../../../examples');

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...databaseIds] });
const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('review permissions on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}

const PAYMENTS_API = 'component:default/payments-api';
const HR_SERVICES = 'system:default/hr-services';

/** The last month that has ended. */
function lastMonth(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(
    2,
    '0',
  )}`;
}

/** A quarter that has not started yet. */
function nextYearQ1(now = new Date()): string {
  return `${now.getUTCFullYear() + 1}-Q1`;
}

async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for the catalog');
    }
    await new Promise(r => setTimeout(r, 250));
  }
}

describe.each(databases.eachSupportedId())(
  'review permissions on %s',
  databaseId => {
    let backend: TestBackend;
    const period = lastMonth();

    function call(
      user: UserKey,
      method: 'get' | 'post' | 'patch' | 'delete',
      path: string,
      body?: object,
    ) {
      const req = request(backend.server)
        [method](`/api/itsm${path}`)
        .set('Authorization', mockCredentials.user.header(USERS[user]));
      return body ? req.send(body) : req;
    }

    beforeAll(async () => {
      // One database per plugin, as Backstage gives them.
      const knexes: Record<string, Knex> = {
        catalog: await databases.init(databaseId),
        itsm: await databases.init(databaseId),
      };
      backend = await startTestBackend({
        features: [
          catalogPlugin,
          itsmPlugin,
          permissionPlugin,
          demoPermissionPolicy,
          userInfoServiceFactory,
          authServiceFactory,
          createServiceFactory({
            service: coreServices.database,
            deps: { plugin: coreServices.pluginMetadata },
            factory: ({ plugin }) =>
              mockServices.database({
                knex: knexes[plugin.getId()] ?? knexes.itsm,
                migrations: { skip: false },
              }),
          }),
          mockServices.rootConfig.factory({
            data: {
              permission: { enabled: true },
              catalog: {
                rules: [
                  {
                    allow: [
                      'Component',
                      'System',
                      'API',
                      'Resource',
                      'Location',
                      'Domain',
                      'Group',
                      'User',
                    ],
                  },
                ],
                processingInterval: { seconds: 1 },
                locations: ['org.yaml', 'systems.yaml', 'components.yaml'].map(
                  file => ({
                    type: 'file',
                    target: resolvePath(examples, file),
                  }),
                ),
              },
            },
          }),
        ],
      });
      // The catalog has stitched the owners of the entities under review.
      await waitFor(async () => {
        const owned = await Promise.all(
          [PAYMENTS_API, HR_SERVICES, GROUPS.payments].map(async ref => {
            const [kind, rest] = ref.split(':');
            const res = await request(backend.server)
              .get(`/api/catalog/entities/by-name/${kind}/${rest}`)
              .set('Authorization', mockCredentials.service.header());
            return (
              res.status === 200 &&
              (ref.startsWith('group:') ||
                res.body.relations?.some(
                  (r: { type: string }) => r.type === 'ownedBy',
                ))
            );
          }),
        );
        return owned.every(Boolean) ? true : undefined;
      });
    });

    afterAll(async () => {
      await backend?.stop();
    });

    it('refuses a hold of a period that has not ended, whoever asks', async () => {
      for (const user of ['guest', 'admin'] as const) {
        const res = await call(user, 'post', '/reviews', {
          entityRef: HR_SERVICES,
          period: nextYearQ1(),
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(
          /^Invalid body: period: \d{4}-Q1 has not ended/,
        );
      }
    });

    it("refuses a guest the review of another team's entity", async () => {
      const res = await call('guest', 'post', '/reviews', {
        entityRef: HR_SERVICES,
        period,
        decisions: 'Nothing to see here.',
      });
      expect(res.status).toBe(403);
      const live = await call(
        'hr',
        'get',
        `/reviews?entityRef=${HR_SERVICES}&period=${period}`,
      );
      expect(live.status).toBe(200);
      expect(live.body.held).toBeNull();
    });

    it('lets the owners hold, amend and release their review; others may not touch it', async () => {
      const held = await call('guest', 'post', '/reviews', {
        entityRef: 'payments-api',
        period,
        decisions: 'Canary first.',
      });
      expect(held.status).toBe(201);
      const review: ItsmServiceReview = held.body;
      expect(review.entityRef).toBe(PAYMENTS_API);
      const { id } = review.held!;

      const stranger = await call('hr', 'patch', `/reviews/held/${id}`, {
        decisions: 'Overwritten by HR.',
      });
      expect(stranger.status).toBe(403);
      expect((await call('hr', 'delete', `/reviews/held/${id}`)).status).toBe(
        403,
      );

      const amended = await call('guest', 'patch', `/reviews/held/${id}`, {
        decisions: 'Canary first, then everywhere.',
      });
      expect(amended.status).toBe(200);
      expect(amended.body.held.amendments).toEqual([
        {
          at: expect.any(String),
          by: USERS.guest,
          decisions: {
            from: 'Canary first.',
            to: 'Canary first, then everywhere.',
          },
        },
      ]);
      const byAdmin = await call('admin', 'patch', `/reviews/held/${id}`, {
        decisions: 'Canary everywhere.',
      });
      expect(byAdmin.status).toBe(200);
      expect(byAdmin.body.held.amendments).toHaveLength(2);

      expect(
        (await call('guest', 'delete', `/reviews/held/${id}`)).status,
      ).toBe(204);
      const again = await call('guest', 'post', '/reviews', {
        entityRef: PAYMENTS_API,
        period,
      });
      expect(again.status).toBe(201);
      expect(again.body.held.amendments).toEqual([]);
    });

    it("lets a team's members hold the team's own review, and administrators any", async () => {
      const team = await call('guest', 'post', '/reviews', {
        entityRef: GROUPS.payments,
        period,
      });
      expect(team.status).toBe(201);
      const other = await call('guest', 'post', '/reviews', {
        entityRef: GROUPS.hr,
        period,
      });
      expect(other.status).toBe(403);
      const admin = await call('admin', 'post', '/reviews', {
        entityRef: HR_SERVICES,
        period,
      });
      expect(admin.status).toBe(201);
    });

    it('lets a user own improvements only for themself or their groups; administrators for anyone', async () => {
      const draft = {
        title: 'Shorter HR onboarding',
        entityRefs: [PAYMENTS_API],
      };
      const foreign = await call('guest', 'post', '/improvements', {
        ...draft,
        ownerRef: 'hr-operations',
      });
      expect(foreign.status).toBe(403);
      expect(foreign.body.error.message).toMatch(/^ownerRef: /);
      const own = await call('guest', 'post', '/improvements', {
        ...draft,
        ownerRef: 'payments',
      });
      expect(own.status).toBe(201);
      const moved = await call(
        'guest',
        'patch',
        `/improvements/${own.body.id}`,
        {
          ownerRef: GROUPS.hr,
        },
      );
      expect(moved.status).toBe(403);
      const byAdmin = await call('admin', 'post', '/improvements', {
        ...draft,
        ownerRef: GROUPS.hr,
      });
      expect(byAdmin.status).toBe(201);
    });
  },
);
