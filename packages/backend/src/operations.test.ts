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

import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
// The in-memory catalog, as in sealing.test.ts.
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type {
  ItsmRecordPage,
  ItsmSyncStatus,
} from '@backstage-itsm/plugin-itsm-common';
import itsmPlugin from '@backstage-itsm/plugin-itsm-backend';
import itsmModuleHr from '@backstage-itsm/plugin-itsm-backend-module-hr';
import permissionPlugin from '@backstage/plugin-permission-backend';
import type { Knex } from 'knex';
import request from 'supertest';
import demoPermissionPolicy from './permissionPolicy';
import {
  authServiceFactory,
  catalogEntities,
  USERS,
  userInfoServiceFactory,
} from './__testUtils__/sealingFixtures';

/*
 * The operational endpoints (sync status, dead letters, sync trigger, push)
 * for each kind of caller, against the real permission backend with the demo
 * policy: an HR desk polled from its CSV export (`hr:demo`, as in the demo)
 * and an IT push provider (`push:it-desk`).
 */

jest.setTimeout(120_000);

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('Operating ITSM on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}

type Caller = 'anonymous' | 'guest' | 'hr' | 'admin' | 'service';

function authorization(caller: Caller): string | undefined {
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'service':
      return mockCredentials.service.header();
    default:
      return mockCredentials.user.header(USERS[caller]);
  }
}

const HR_CSV = [
  'Case ID,Subject,Status,Created,Updated',
  'HR-9001,Payroll correction,resolved,2026-01-05T09:00:00Z,2026-01-05T12:00:00Z',
  'HR-9002,Onboarding letters,in_progress,2026-01-06T09:00:00Z,2026-01-06T10:00:00Z',
].join('\n');

const PUSH_BODY_LIMIT = 64 * 1024;

/** A valid IT incident for `push:it-desk`; override any field. */
function incident(overrides: object = {}) {
  return {
    externalId: 'INC-1',
    kind: 'incident',
    title: 'Payments API returns 502',
    state: 'resolved',
    openedAt: '2026-01-05T09:00:00Z',
    resolvedAt: '2026-01-05T10:00:00Z',
    sourceUpdatedAt: '2026-01-05T10:00:00Z',
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())(
  'Operating ITSM on %s',
  databaseId => {
    let backend: TestBackend;
    let knex: Knex;
    let dir: string;

    function call(
      caller: Caller,
      method: 'get' | 'post',
      url: string,
      body?: object,
    ) {
      let req = request(backend.server)[method](`/api/itsm${url}`);
      const header = authorization(caller);
      if (header) {
        req = req.set('Authorization', header);
      }
      return body ? req.send(body) : req;
    }

    async function hrRecords() {
      const res = await call('admin', 'get', '/records?providerId=hr:demo');
      expect(res.status).toBe(200);
      return (res.body as ItsmRecordPage).items
        .map(r => ({ externalId: r.externalId, title: r.title }))
        .sort((a, b) => a.externalId.localeCompare(b.externalId));
    }

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'itsm-operations-'));
      await fs.writeFile(path.join(dir, 'cases.csv'), HR_CSV);
      backend = await startTestBackend({
        features: [
          itsmPlugin,
          itsmModuleHr,
          permissionPlugin,
          demoPermissionPolicy,
          catalogServiceMock.factory({ entities: catalogEntities }),
          userInfoServiceFactory,
          authServiceFactory,
          // A request without a token is anonymous (the mock's default is a user).
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              permission: { enabled: true },
              itsm: {
                providers: {
                  push: {
                    'it-desk': {
                      department: 'it',
                      kinds: ['incident', 'change'],
                    },
                  },
                },
                ingestion: { pushBodyLimit: '64kb' },
                hr: {
                  sources: {
                    demo: {
                      csv: { path: path.join(dir, 'cases.csv') },
                      mapping: {
                        externalId: 'Case ID',
                        title: '{Subject}',
                        state: 'Status',
                        openedAt: 'Created',
                        sourceUpdatedAt: 'Updated',
                      },
                    },
                  },
                },
              },
            },
          }),
        ],
      });
      // The demo's first sync of the HR desk, by a service.
      const synced = await call('service', 'post', '/sync/hr:demo');
      if (synced.status !== 202) {
        throw new Error(`Seeding failed: ${synced.status} ${synced.text}`);
      }
    });

    afterAll(async () => {
      await backend?.stop();
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('synced the HR desk from its export, saving a cursor', async () => {
      expect(await hrRecords()).toEqual([
        { externalId: 'HR-9001', title: 'Payroll correction' },
        { externalId: 'HR-9002', title: 'Onboarding letters' },
      ]);
      const [{ cursor }] = await knex('sync_state')
        .where('provider_id', 'hr:demo')
        .select('cursor');
      expect(cursor).toEqual(expect.any(String));
    });

    describe('GET /sync', () => {
      it.each([
        ['anonymous', 401],
        ['guest', 403],
        ['hr', 403],
      ] as const)('refuses the %s (%d)', async (caller, status) => {
        const res = await call(caller, 'get', '/sync');
        expect(res.status).toBe(status);
        expect(res.text).not.toContain('hr:demo');
      });

      it.each(['admin', 'service'] as const)(
        'lists every provider to the %s',
        async caller => {
          const res = await call(caller, 'get', '/sync');
          expect(res.status).toBe(200);
          const items = res.body.items as ItsmSyncStatus[];
          expect(items.map(s => s.providerId).sort()).toEqual([
            'hr:demo',
            'push:it-desk',
          ]);
          expect(items.find(s => s.providerId === 'hr:demo')).toMatchObject({
            department: 'hr',
            hasCursor: true,
            lastError: null,
          });
          expect(
            items.find(s => s.providerId === 'push:it-desk'),
          ).toMatchObject({ hasCursor: false });
        },
      );

      it('never returns a cursor', async () => {
        const [{ cursor }] = await knex('sync_state')
          .where('provider_id', 'hr:demo')
          .select('cursor');
        const res = await call('admin', 'get', '/sync');
        for (const item of res.body.items) {
          expect(Object.keys(item)).not.toContain('cursor');
        }
        // Not as a value either, however it is escaped.
        expect(res.text).not.toContain(JSON.stringify(cursor).slice(1, -1));
        expect(res.text).not.toContain('watermark');
      });
    });

    it.each([
      ['anonymous', 401],
      ['guest', 403],
      ['hr', 403],
      ['admin', 200],
      ['service', 200],
    ] as const)(
      'GET /sync/:id/dead-letters answers the %s %d',
      async (caller, status) => {
        const res = await call(caller, 'get', '/sync/hr:demo/dead-letters');
        expect(res.status).toBe(status);
      },
    );

    it.each([
      ['anonymous', 401],
      ['guest', 403],
      ['hr', 403],
      ['admin', 202],
      ['service', 202],
    ] as const)('POST /sync/:id answers the %s %d', async (caller, status) => {
      const res = await call(caller, 'post', '/sync/hr:demo');
      expect(res.status).toBe(status);
    });

    describe('POST /ingest/:id', () => {
      it.each([
        ['anonymous', 401],
        ['guest', 403],
        ['hr', 403],
        ['admin', 403],
      ] as const)('refuses the %s (%d)', async (caller, status) => {
        const res = await call(caller, 'post', '/ingest/push:it-desk', {
          records: [incident({ externalId: `INC-${caller}` })],
        });
        expect(res.status).toBe(status);
      });

      it('accepts a service into a push provider', async () => {
        const res = await call('service', 'post', '/ingest/push:it-desk', {
          records: [incident()],
        });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ upserted: 1, deadLettered: 0 });
        const page = await call(
          'admin',
          'get',
          '/records?providerId=push:it-desk',
        );
        expect(
          (page.body as ItsmRecordPage).items.map(r => r.externalId),
        ).toEqual(['INC-1']);
      });

      it('never writes into a polled provider, even from the future', async () => {
        const res = await call('service', 'post', '/ingest/hr:demo', {
          records: [
            {
              ...incident({ externalId: 'HR-9001', kind: 'request' }),
              title: 'overwritten by a script',
              sourceUpdatedAt: new Date().toISOString(),
              entityRefs: ['component:default/payments-api'],
            },
          ],
        });
        expect(res.status).toBe(404);
        expect(res.body.error.message).toBe(
          "'hr:demo' is not a push provider: its module syncs it from its source, and only providers declared under itsm.providers.push accept pushes",
        );
        expect((await hrRecords()).map(r => r.title)).toEqual([
          'Payroll correction',
          'Onboarding letters',
        ]);
      });

      it('refuses a push with a kind its provider does not declare, naming the field', async () => {
        const res = await call('service', 'post', '/ingest/push:it-desk', {
          records: [
            incident({ externalId: 'INC-2' }),
            incident({ externalId: 'REQ-1', kind: 'request' }),
          ],
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toBe(
          'Invalid body: records.1.kind: push:it-desk accepts incident, change, not request',
        );
        const page = await call(
          'admin',
          'get',
          '/records?providerId=push:it-desk',
        );
        expect(
          (page.body as ItsmRecordPage).items.map(r => r.externalId),
        ).toEqual(['INC-1']);
      });

      it('dead-letters a pushed version from beyond the clock-skew allowance', async () => {
        const future = new Date(Date.now() + 3 * 24 * 3_600_000).toISOString();
        const res = await call('service', 'post', '/ingest/push:it-desk', {
          records: [
            incident({
              title: 'never replaced again',
              sourceUpdatedAt: future,
            }),
          ],
        });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ upserted: 0, deadLettered: 1 });
        const letters = await call(
          'admin',
          'get',
          '/sync/push:it-desk/dead-letters',
        );
        expect(letters.body.items[0]).toMatchObject({
          externalId: 'INC-1',
          error: `sourceUpdatedAt: ${future} is in the future`,
        });
        const page = await call(
          'admin',
          'get',
          '/records?providerId=push:it-desk',
        );
        expect((page.body as ItsmRecordPage).items[0].title).toBe(
          'Payments API returns 502',
        );
      });
    });

    describe('body limits', () => {
      const text = (bytes: number) => 'x'.repeat(bytes);

      it('answers 413 naming the limit for a body over 256 kB on any route', async () => {
        const res = await call('admin', 'post', '/improvements', {
          title: 'Too long',
          description: text(300 * 1024),
        });
        expect(res.status).toBe(413);
        expect(res.body.error.message).toBe(
          'Request body too large: POST /api/itsm/improvements accepts at most 256 kB',
        );
      });

      it('takes the push limit from itsm.ingestion.pushBodyLimit', async () => {
        const over = await call('service', 'post', '/ingest/push:it-desk', {
          records: [
            incident({ externalId: 'INC-3', payload: text(PUSH_BODY_LIMIT) }),
          ],
        });
        expect(over.status).toBe(413);
        expect(over.body.error.message).toBe(
          'Request body too large: a push accepts at most 64 kB (itsm.ingestion.pushBodyLimit); send the items in several requests',
        );
        const under = await call('service', 'post', '/ingest/push:it-desk', {
          records: [
            incident({
              externalId: 'INC-3',
              payload: text(PUSH_BODY_LIMIT - 1024),
            }),
          ],
        });
        expect(under.status).toBe(200);
      });
    });
  },
);
