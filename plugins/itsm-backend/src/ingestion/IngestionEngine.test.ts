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

import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { InMemoryItsmProvider } from '@backstage-itsm/plugin-itsm-node/testUtils';
import { Knex } from 'knex';
import { change, fixtureEntities, incident } from '../__fixtures__/records';
import { DatabaseItsmStore } from '../database/DatabaseItsmStore';
import { EntityResolver } from './EntityResolver';
import { IngestionEngine } from './IngestionEngine';

jest.setTimeout(60_000);

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...databaseIds] });

const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('IngestionEngine on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}

describe.each(databases.eachSupportedId())(
  'IngestionEngine on %s',
  databaseId => {
    let knex: Knex;

    async function setup(provider: InMemoryItsmProvider) {
      const store = await DatabaseItsmStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
      const auditor = mockServices.auditor.mock();
      const auditorEvent = { success: jest.fn(), fail: jest.fn() };
      auditor.createEvent.mockResolvedValue(auditorEvent);
      const resolver = new EntityResolver({
        catalog: catalogServiceMock({ entities: fixtureEntities }),
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
      });
      const engine = new IngestionEngine({
        store,
        resolver,
        scheduler: mockServices.scheduler.mock(),
        auditor,
        logger: mockServices.logger.mock(),
        backoffBaseMs: 1,
      });
      engine.register(provider);
      return { store, engine, auditor, auditorEvent };
    }

    beforeEach(async () => {
      knex = await databases.init(databaseId);
    });

    it('commits every batch with its cursor and maps records to entities', async () => {
      const provider = new InMemoryItsmProvider({ id: 'sn:corp' })
        .addBatch({
          records: [
            incident({ externalId: 'a' }),
            incident({ externalId: 'b' }),
          ],
        })
        .addBatch({
          records: [
            change({
              externalId: 'c',
              mappings: [
                { annotation: 'servicenow.com/ci-sysid', value: 'ci-shared' },
              ],
            }),
          ],
        });
      const { store, engine, auditorEvent } = await setup(provider);

      await expect(engine.run('sn:corp')).resolves.toEqual({
        read: 3,
        upserted: 3,
        unchanged: 0,
        deadLettered: 0,
      });
      expect(await store.getCursor('sn:corp')).toBe('2');
      expect(auditorEvent.success).toHaveBeenCalledTimes(1);

      const { items } = await store.listRecords({
        entityRefs: ['component:default/payments-api'],
        limit: 10,
      });
      expect(items.map(r => r.externalId).sort()).toEqual(['a', 'b', 'c']);
      const shared = items.find(r => r.externalId === 'c')!;
      expect(shared.entityRefs.sort()).toEqual([
        'component:default/checkout-web',
        'component:default/payments-api',
      ]);

      const [status] = await store.listSyncStatus();
      expect(status).toMatchObject({
        providerId: 'sn:corp',
        lastError: null,
        lastRun: { read: 3, upserted: 3, unchanged: 0, deadLettered: 0 },
        totals: { records: 3, deadLetters: 0 },
      });

      // A second run reads nothing new; the same batches again change nothing.
      await engine.run('sn:corp');
      expect(provider.syncCursors).toEqual([null, '2']);
      await knex('sync_state').update({ cursor: null });
      await expect(engine.run('sn:corp')).resolves.toMatchObject({
        upserted: 0,
        unchanged: 3,
      });
      expect((await store.listRecords({ limit: 10 })).items).toHaveLength(3);
    });

    it('dead-letters bad items with the field named and lands the rest of the batch', async () => {
      const future = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
      const provider = new InMemoryItsmProvider({ id: 'sn:corp' }).addBatch({
        records: [
          incident({ externalId: 'good' }),
          { ...incident({ externalId: 'bad-state' }), state: 'exploded' },
          { ...incident({ externalId: 'bad-time' }), openedAt: 'yesterday' },
          incident({
            externalId: 'future',
            openedAt: future,
            sourceUpdatedAt: future,
          }),
          'not even an object',
          // Out of order (resolved before opened) is stored: metrics report it as data quality.
          incident({
            externalId: 'out-of-order',
            resolvedAt: '2026-03-01T09:00:00Z',
          }),
        ],
        feedback: [
          {
            externalId: 'f1',
            recordExternalId: 'good',
            scale: 'csat5',
            score: 5,
            respondedAt: '2026-03-02T10:00:00Z',
          },
          {
            externalId: 'f2',
            recordExternalId: 'good',
            scale: 'csat5',
            score: 9,
            respondedAt: '2026-03-02T10:00:00Z',
          },
        ],
      });
      const { store, engine } = await setup(provider);

      await expect(engine.run('sn:corp')).resolves.toEqual({
        read: 8,
        upserted: 2,
        unchanged: 0,
        deadLettered: 5,
      });
      const letters = await store.listDeadLetters({
        providerId: 'sn:corp',
        limit: 10,
      });
      const byId = Object.fromEntries(
        letters.map(l => [l.externalId ?? '(none)', l.error]),
      );
      expect(byId['bad-state']).toMatch(/^state: /);
      expect(byId['bad-time']).toMatch(/^openedAt: /);
      expect(byId.future).toMatch(/openedAt: .* is in the future/);
      expect(byId['(none)']).toMatch(/\(root\)/);
      expect(byId.f2).toMatch(/^score: score 9 is outside 1\.\.5/);
      expect(
        (await store.listRecords({ limit: 10 })).items
          .map(r => r.externalId)
          .sort(),
      ).toEqual(['good', 'out-of-order']);
    });

    it('keeps committed batches when a provider fails mid-stream and resumes after them', async () => {
      const provider = new InMemoryItsmProvider({ id: 'sn:corp' })
        .addBatch({ records: [incident({ externalId: 'a' })] })
        .addBatch({ records: [incident({ externalId: 'b' })] })
        .addBatch({ records: [incident({ externalId: 'c' })] })
        .failAt(2, new Error('connection reset by a proxy'));
      const { store, engine, auditorEvent } = await setup(provider);

      await expect(engine.run('sn:corp')).rejects.toThrow(
        'connection reset by a proxy',
      );
      expect(await store.getCursor('sn:corp')).toBe('2');
      const [failed] = await store.listSyncStatus();
      expect(failed.lastError).toMatch(/connection reset by a proxy/);
      expect(failed.lastRun).toMatchObject({ read: 2, upserted: 2 });
      expect(auditorEvent.fail).toHaveBeenCalledTimes(1);

      // A backend restart: a new store and engine on the same database.
      const restarted = await setup(provider);
      await expect(restarted.engine.run('sn:corp')).resolves.toMatchObject({
        read: 1,
        upserted: 1,
      });
      expect(provider.syncCursors).toEqual([null, '2']);
      const { items } = await restarted.store.listRecords({ limit: 10 });
      expect(items.map(r => r.externalId).sort()).toEqual(['a', 'b', 'c']);
      const [ok] = await restarted.store.listSyncStatus();
      expect(ok.lastError).toBeNull();
    });

    it('retries a transient failure within the run, from the last committed batch', async () => {
      const provider = new InMemoryItsmProvider({ id: 'sn:corp' })
        .addBatch({ records: [incident({ externalId: 'a' })] })
        .addBatch({ records: [incident({ externalId: 'b' })] })
        .failAt(
          1,
          Object.assign(new Error('429 Too Many Requests'), {
            status: 429,
            retryAfterMs: 5,
          }),
        );
      const { store, engine } = await setup(provider);

      await expect(engine.run('sn:corp')).resolves.toMatchObject({
        read: 2,
        upserted: 2,
      });
      expect(provider.syncCursors).toEqual([null, '1']);
      expect((await store.listRecords({ limit: 10 })).items).toHaveLength(2);
    });

    it('stores a record served twice in one sync once, keeping the newest version', async () => {
      const newer = incident({
        externalId: 'dup',
        title: 'newer',
        sourceUpdatedAt: '2026-03-02T00:00:00Z',
      });
      const older = {
        ...newer,
        title: 'older',
        sourceUpdatedAt: '2026-03-01T00:00:00Z',
      };
      const provider = new InMemoryItsmProvider({ id: 'sn:corp' })
        .addBatch({ records: [older, newer] })
        .addBatch({ records: [older] });
      const { store, engine } = await setup(provider);

      await engine.run('sn:corp');
      const { items } = await store.listRecords({ limit: 10 });
      expect(items).toHaveLength(1);
      expect(items[0].title).toBe('newer');
    });

    it('lets pushes race for the same key without duplicates', async () => {
      const provider = new InMemoryItsmProvider({ id: 'push:tools' });
      const { store, engine } = await setup(provider);
      const record = incident({ externalId: 'race' });

      await Promise.all([
        engine.ingest('push:tools', { records: [record] }),
        engine.ingest('push:tools', {
          records: [{ ...record, title: 'same time' }],
        }),
        engine.ingest('push:tools', { records: [record] }),
      ]);
      const { items } = await store.listRecords({ limit: 10 });
      expect(items).toHaveLength(1);
      expect(Number((await knex('records').count({ n: '*' }))[0].n)).toBe(1);
    });

    it('refuses a second provider with the same id', async () => {
      const { engine } = await setup(
        new InMemoryItsmProvider({ id: 'sn:corp' }),
      );
      expect(() =>
        engine.register(new InMemoryItsmProvider({ id: 'sn:corp' })),
      ).toThrow("ITSM provider 'sn:corp' is registered twice");
    });
  },
);
