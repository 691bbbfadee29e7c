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
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  itsmIngestPermission,
  itsmSyncReadPermission,
  itsmSyncTriggerPermission,
} from '@backstage-itsm/plugin-itsm-common';
import { InMemoryItsmProvider } from '@backstage-itsm/plugin-itsm-node/testUtils';
import express from 'express';
import request from 'supertest';
import { fixtureEntities, incident } from '../__testUtils__/records';
import type { ItsmStore } from '../database/ItsmStore';
import type { IngestionEngine } from '../ingestion/IngestionEngine';
import { PushProvider } from '../ingestion/readPushProviders';
import {
  itsmRecordConditions,
  itsmRecordPermissionRules,
} from '../permissions/rules';
import { specCheckedServer } from '../schema/specCheckedServer';
import { createRouter } from './createRouter';

function mockStore(): jest.Mocked<ItsmStore> {
  return {
    commitBatch: jest.fn(),
    listRecords: jest.fn().mockResolvedValue({ items: [] }),
    getRecord: jest.fn().mockResolvedValue(undefined),
    getRecords: jest.fn().mockResolvedValue([]),
    listRecordMappings: jest.fn(),
    replaceRecordEntities: jest.fn(),
    listExternalIds: jest.fn(),
    getCursor: jest.fn(),
    markSyncStarted: jest.fn(),
    markSyncFinished: jest.fn(),
    listSyncStatus: jest.fn().mockResolvedValue([]),
    listDeadLetters: jest.fn().mockResolvedValue([]),
  };
}

// Every request goes through a proxy checking it against the spec.
jest.setTimeout(60_000);

describe('createRouter', () => {
  const provider = new PushProvider('push:tools', 'it', [
    'incident',
    'change',
    'problem',
  ]);
  /** A provider its module syncs: no push goes into it. */
  const polled = new InMemoryItsmProvider({
    id: 'hr:demo',
    department: 'hr',
    kinds: ['request'],
  });
  let store: jest.Mocked<ItsmStore>;
  let engine: jest.Mocked<
    Pick<
      IngestionEngine,
      'getProvider' | 'getPushProvider' | 'ingest' | 'trigger' | 'providers'
    >
  >;
  let permissions: ReturnType<typeof mockServices.permissions.mock>;
  let auditor: ReturnType<typeof mockServices.auditor.mock>;
  let auditorEvent: { success: jest.Mock; fail: jest.Mock };
  let app: string | express.Express;

  beforeEach(async () => {
    store = mockStore();
    const { NotFoundError } = jest.requireActual('@backstage/errors');
    engine = {
      providers: [provider, polled],
      getProvider: jest.fn((id: string) => {
        const found = [provider, polled].find(p => p.id === id);
        if (!found) {
          throw new NotFoundError(`No ITSM provider with id '${id}'`);
        }
        return found;
      }),
      getPushProvider: jest.fn((id: string) => {
        if (id !== provider.id) {
          throw new NotFoundError(`'${id}' is not a push provider`);
        }
        return provider;
      }),
      ingest: jest.fn().mockResolvedValue({
        upserted: 1,
        unchanged: 0,
        feedback: 0,
        deadLettered: 0,
      }),
      trigger: jest.fn(),
    } as any;
    permissions = mockServices.permissions.mock();
    permissions.authorize.mockResolvedValue([
      { result: AuthorizeResult.ALLOW },
    ]);
    permissions.authorizeConditional.mockResolvedValue([
      { result: AuthorizeResult.ALLOW },
    ]);
    auditor = mockServices.auditor.mock();
    auditorEvent = { success: jest.fn(), fail: jest.fn() };
    auditor.createEvent.mockResolvedValue(auditorEvent);
    app = await createApp();
  });

  async function createApp(
    options: { pushBodyLimit?: number } = {},
    { checked = true }: { checked?: boolean } = {},
  ) {
    const permissionsRegistry = mockServices.permissionsRegistry.mock();
    permissionsRegistry.getPermissionRuleset.mockReturnValue({
      getRuleByName: (name: string) =>
        Object.values(itsmRecordPermissionRules).find(r => r.name === name)!,
    } as any);
    const router = await createRouter({
      store,
      engine: engine as unknown as IngestionEngine,
      httpAuth: mockServices.httpAuth(),
      permissions,
      permissionsRegistry,
      auditor,
      catalog: catalogServiceMock({ entities: fixtureEntities }),
      logger: mockServices.logger.mock(),
      ...options,
    });
    const served = express().use(router).use(mockErrorHandler());
    // Every response is checked against src/schema/openapi.yaml.
    return checked ? specCheckedServer(served) : served;
  }

  /** The policy denies these basic permissions and allows the rest. */
  function deny(...denied: BasicPermission[]) {
    permissions.authorize.mockImplementation(async requests =>
      requests.map(({ permission }) => ({
        result: denied.some(d => d.name === permission.name)
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
      })),
    );
  }

  describe('GET /records', () => {
    it('passes filters to the store, newest first by default', async () => {
      const res = await request(app).get(
        '/records?entityRef=component:default/payments-api&kind=incident,change&state=resolved&priority=1&priority=2&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00%2B01:00&q=502&limit=20',
      );
      expect(res.status).toBe(200);
      expect(store.listRecords).toHaveBeenCalledWith({
        entityRefs: ['component:default/payments-api'],
        kinds: ['incident', 'change'],
        states: ['resolved'],
        priorities: [1, 2],
        providerIds: undefined,
        from: Date.parse('2026-01-01T00:00:00Z'),
        to: Date.parse('2026-01-31T23:00:00Z'),
        q: '502',
        limit: 20,
        cursor: undefined,
        order: 'desc',
        filter: undefined,
      });
    });

    it.each([
      ['kind=incidents', /^Invalid query: kind\.0: /],
      ['state=open', /^Invalid query: state\.0: /],
      ['priority=7', /^Invalid query: priority\.0: priority must be 1 to 5/],
      ['from=2026-13-01', /^Invalid query: from: /],
      [
        'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
        /^Invalid query: from: from must be before to/,
      ],
      ['limit=0', /^Invalid query: limit: /],
      ['limit=2001', /^Invalid query: limit: /],
      ['colour=red', /^Invalid query: .*colour/],
      [
        'entityRef=component:',
        /^Invalid entityRef: 'component:' is not an entity ref/,
      ],
    ])('answers 400 naming the field for %s', async (query, message) => {
      const res = await request(app).get(`/records?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect(store.listRecords).not.toHaveBeenCalled();
    });

    it('answers 404 for an entity the catalog does not have', async () => {
      const res = await request(app).get(
        '/records?entityRef=component:default/nope',
      );
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(
        "No entity found with ref 'component:default/nope'",
      );
    });

    it('answers 403 when the policy denies reading records', async () => {
      permissions.authorizeConditional.mockResolvedValue([
        { result: AuthorizeResult.DENY },
      ]);
      const res = await request(app).get('/records');
      expect(res.status).toBe(403);
      expect(store.listRecords).not.toHaveBeenCalled();
    });

    it('turns conditional decisions into a store filter', async () => {
      permissions.authorizeConditional.mockResolvedValue([
        {
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'itsm',
          resourceType: 'itsm-record',
          conditions: {
            anyOf: [
              {
                not: itsmRecordConditions.isInDepartment({
                  departments: ['hr'],
                }),
              },
              itsmRecordConditions.isEntityOwner({
                claims: ['group:default/hr-operations'],
              }),
            ],
          },
        },
      ]);
      await request(app).get('/records').expect(200);
      expect(store.listRecords).toHaveBeenCalledWith(
        expect.objectContaining({
          filter: {
            anyOf: [
              { not: { key: 'department', values: ['hr'] } },
              { key: 'owner', values: ['group:default/hr-operations'] },
            ],
          },
        }),
      );
    });
  });

  it('GET /records/:id answers 404 for a record that is missing or filtered out', async () => {
    const res = await request(app).get('/records/abc');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe("No ITSM record found with id 'abc'");
  });

  describe('POST /ingest/:providerId', () => {
    const service = mockCredentials.service.header();

    it('accepts a service and audits the push', async () => {
      const body = { records: [incident()] };
      const res = await request(app)
        .post('/ingest/push:tools')
        .set('Authorization', service)
        .send(body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        upserted: 1,
        unchanged: 0,
        feedback: 0,
        deadLettered: 0,
      });
      expect(engine.ingest).toHaveBeenCalledWith('push:tools', body);
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'ingest',
          meta: { providerId: 'push:tools' },
        }),
      );
      expect(auditorEvent.success).toHaveBeenCalled();
    });

    it('refuses users', async () => {
      const res = await request(app)
        .post('/ingest/push:tools')
        .set('Authorization', mockCredentials.user.header())
        .send({ records: [] });
      expect(res.status).toBe(403);
      expect(engine.ingest).not.toHaveBeenCalled();
      expect(auditorEvent.fail).toHaveBeenCalled();
    });

    it('answers 400 naming the field of a malformed body', async () => {
      const res = await request(app)
        .post('/ingest/push:tools')
        .set('Authorization', service)
        .send({ records: 'nope', extra: 1 });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^Invalid body: .*records/);
      expect(res.body.error.message).toMatch(/extra/);
    });

    it('answers 400 for more items than one push may carry', async () => {
      const res = await request(app)
        .post('/ingest/push:tools')
        .set('Authorization', service)
        .send({ records: Array.from({ length: 5001 }, () => ({})) });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/records: at most 5000 items/);
    });

    it('answers 404 naming why for a provider that is not a push provider, writing nothing', async () => {
      const res = await request(app)
        .post('/ingest/hr:demo')
        .set('Authorization', service)
        .send({ records: [incident({ kind: 'request' })] });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe("'hr:demo' is not a push provider");
      expect(engine.getPushProvider).toHaveBeenCalledWith('hr:demo');
      expect(engine.ingest).not.toHaveBeenCalled();
      expect(auditorEvent.fail).toHaveBeenCalled();
    });

    it('asks for itsm.ingest before it looks at the provider or the body', async () => {
      deny(itsmIngestPermission);
      // A body the spec refuses, which the route never reads.
      const unchecked = await createApp({}, { checked: false });
      const res = await request(unchecked)
        .post('/ingest/hr:demo')
        .set('Authorization', service)
        .send({ records: 'nope' });
      expect(res.status).toBe(403);
      expect(engine.getPushProvider).not.toHaveBeenCalled();
      expect(permissions.authorize).toHaveBeenCalledWith(
        [{ permission: itsmIngestPermission }],
        expect.anything(),
      );
    });

    it('answers 404 for an unknown provider and 403 without itsm.ingest', async () => {
      expect.assertions(1);
      await request(app)
        .post('/ingest/nope')
        .set('Authorization', service)
        .send({})
        .expect(404);
      permissions.authorize.mockResolvedValue([
        { result: AuthorizeResult.DENY },
      ]);
      await request(app)
        .post('/ingest/push:tools')
        .set('Authorization', service)
        .send({})
        .expect(403);
      expect(engine.ingest).not.toHaveBeenCalled();
    });
  });

  describe('sync', () => {
    it('lists providers, including ones that never ran', async () => {
      const res = await request(app).get('/sync').expect(200);
      expect(res.body.items).toEqual([
        {
          providerId: 'push:tools',
          department: 'it',
          kinds: ['incident', 'change', 'problem'],
          hasCursor: false,
          lastStartedAt: null,
          lastSucceededAt: null,
          lastFinishedAt: null,
          lastError: null,
          failedParts: [],
          lastRun: {
            read: 0,
            upserted: 0,
            unchanged: 0,
            deadLettered: 0,
            deleted: 0,
            requests: 0,
            retries: 0,
            waitMs: 0,
            lastRetryMessage: null,
          },
          totals: { records: 0, deadLetters: 0, tombstones: 0 },
        },
        expect.objectContaining({
          providerId: 'hr:demo',
          department: 'hr',
          kinds: ['request'],
          hasCursor: false,
        }),
      ]);
      expect(res.text).not.toContain('"cursor"');
    });

    it('answers 403 to GET /sync without itsm.sync.read', async () => {
      deny(itsmSyncReadPermission);
      const res = await request(app).get('/sync');
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        'You are not allowed to read the sync status',
      );
      expect(store.listSyncStatus).not.toHaveBeenCalled();
      expect(permissions.authorize).toHaveBeenCalledWith(
        [{ permission: itsmSyncReadPermission }],
        expect.anything(),
      );
    });

    it("shows the last run's retries, waits, deletions and failed parts", async () => {
      const status = {
        providerId: 'push:tools',
        department: 'it',
        kinds: ['incident' as const],
        hasCursor: true,
        lastStartedAt: '2026-03-01T09:00:00.000Z',
        lastSucceededAt: '2026-03-01T09:12:00.000Z',
        lastFinishedAt: '2026-03-01T09:12:00.000Z',
        lastError: null,
        failedParts: [{ part: 'problem', error: 'answered 403 Forbidden' }],
        lastRun: {
          read: 2374,
          upserted: 2374,
          unchanged: 0,
          deadLettered: 0,
          deleted: 3,
          requests: 190,
          retries: 24,
          waitMs: 31_500,
          lastRetryMessage: '429: Too Many Requests',
        },
        totals: { records: 2371, deadLetters: 0, tombstones: 3 },
      };
      store.listSyncStatus.mockResolvedValue([status]);
      const res = await request(app).get('/sync').expect(200);
      expect(res.body.items[0]).toEqual(status);
    });

    it('triggers a run with itsm.sync.trigger, audited', async () => {
      await request(app).post('/sync/push:tools').expect(202);
      expect(engine.trigger).toHaveBeenCalledWith('push:tools');
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({ eventId: 'sync-trigger' }),
      );
      expect(auditorEvent.success).toHaveBeenCalledTimes(1);
      deny(itsmSyncTriggerPermission);
      const res = await request(app).post('/sync/hr:demo');
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        "You are not allowed to trigger a sync of 'hr:demo'",
      );
      expect(engine.trigger).toHaveBeenCalledTimes(1);
      expect(auditorEvent.fail).toHaveBeenCalledTimes(1);
    });

    it('shows dead letters only with itsm.sync.read, before saying whether the provider exists', async () => {
      deny(itsmSyncReadPermission);
      await request(app).get('/sync/push:tools/dead-letters').expect(403);
      await request(app).get('/sync/nope/dead-letters').expect(403);
      expect(store.listDeadLetters).not.toHaveBeenCalled();
    });

    it('shows dead letters only to readers of every record', async () => {
      await request(app).get('/sync/push:tools/dead-letters').expect(200);
      expect(store.listDeadLetters).toHaveBeenCalledWith({
        providerId: 'push:tools',
        limit: 100,
      });
      permissions.authorizeConditional.mockResolvedValue([
        {
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'itsm',
          resourceType: 'itsm-record',
          conditions: itsmRecordConditions.isInDepartment({
            departments: ['it'],
          }),
        },
      ]);
      await request(app).get('/sync/push:tools/dead-letters').expect(403);
      await request(app).get('/sync/nope/dead-letters').expect(404);
    });
  });

  describe('body limits', () => {
    const service = mockCredentials.service.header();

    /** A JSON body of about `bytes` bytes. */
    function bodyOf(bytes: number) {
      return { records: [{ ...incident(), payload: 'x'.repeat(bytes) }] };
    }

    it('answers 413 naming the limit for a body over 256 kB, before the route runs', async () => {
      const res = await request(app)
        .post('/sync/push:tools')
        .send(bodyOf(300 * 1024));
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({
        name: 'PayloadTooLargeError',
        message:
          'Request body too large: POST /sync/push:tools accepts at most 256 kB',
      });
      expect(engine.trigger).not.toHaveBeenCalled();
      // Just under the limit is fine.
      await request(app)
        .post('/sync/push:tools')
        .send(bodyOf(250 * 1024))
        .expect(202);
    });

    it('lets a push carry up to 10 MB, and no more', async () => {
      await request(app)
        .post('/ingest/push:tools')
        .set('Authorization', service)
        .send(bodyOf(9 * 1024 * 1024))
        .expect(200);
      expect(engine.ingest).toHaveBeenCalledTimes(1);

      const res = await request(app)
        .post('/ingest/push:tools')
        .set('Authorization', service)
        .send(bodyOf(10 * 1024 * 1024));
      expect(res.status).toBe(413);
      expect(res.body.error.message).toBe(
        'Request body too large: a push accepts at most 10 MB (itsm.ingestion.pushBodyLimit); send the items in several requests',
      );
      expect(engine.ingest).toHaveBeenCalledTimes(1);
    });

    it('takes the push limit from its options', async () => {
      const small = await createApp({ pushBodyLimit: 2048 });
      const res = await request(small)
        .post('/ingest/push:tools')
        .set('Authorization', service)
        .send(bodyOf(4096));
      expect(res.status).toBe(413);
      expect(res.body.error.message).toMatch(/at most 2 kB/);
    });

    it('answers 413 when the body streams past the limit without a Content-Length', async () => {
      const text = JSON.stringify(bodyOf(300 * 1024));
      const req = request(app)
        .post('/sync/push:tools')
        .set('Content-Type', 'application/json');
      for (let at = 0; at < text.length; at += 16 * 1024) {
        req.write(text.slice(at, at + 16 * 1024));
      }
      const res = await req;
      expect(res.status).toBe(413);
      expect(res.body.error.name).toBe('PayloadTooLargeError');
    });

    it('answers 400 for malformed JSON', async () => {
      const res = await request(app)
        .post('/ingest/push:tools')
        .set('Authorization', service)
        .set('Content-Type', 'application/json')
        .send('{"records": [');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^Invalid body: not JSON \(/);
      expect(engine.ingest).not.toHaveBeenCalled();
    });
  });
});
