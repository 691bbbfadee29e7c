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
import {
  batch,
  entity,
  P1,
  rec,
  STORE_DATABASE_IDS,
} from '../__testUtils__/storeFixtures';
import { DatabaseItsmStore } from './DatabaseItsmStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: [...STORE_DATABASE_IDS] });
const unsupported = STORE_DATABASE_IDS.filter(id => !databases.supports(id));

describe.each(databases.eachSupportedId())(
  'DatabaseItsmStore on %s',
  databaseId => {
    it('migrates and serves every operation of the store interface', async () => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseItsmStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });

      await store.markSyncStarted({
        providerId: P1,
        department: 'it',
        kinds: ['incident'],
      });
      await expect(
        store.commitBatch(
          batch([rec('a', {}, [entity('component:default/a')])], {
            cursor: 'c1',
            deadLetters: [{ externalId: 'x', payload: 1, error: 'bad' }],
          }),
        ),
      ).resolves.toEqual({
        upserted: 1,
        unchanged: 0,
        feedback: 0,
        deadLettered: 1,
        deleted: 0,
      });
      await store.markSyncFinished(P1, {
        counts: {
          read: 2,
          upserted: 1,
          unchanged: 0,
          deadLettered: 1,
          deleted: 0,
        },
      });

      const { items } = await store.listRecords({ limit: 10 });
      expect(items.map(r => r.externalId)).toEqual(['a']);
      await expect(store.getRecord(items[0].id)).resolves.toEqual(items[0]);
      await expect(store.getRecords([items[0].id])).resolves.toEqual(items);
      await expect(
        store.listExternalIds({ providerId: P1, limit: 10 }),
      ).resolves.toEqual(['a']);
      await expect(store.listRecordMappings({ limit: 10 })).resolves.toEqual([
        { recordId: items[0].id, entityRefs: [], mappings: [] },
      ]);
      await expect(
        store.replaceRecordEntities(
          new Map([[items[0].id, [entity('component:default/b')]]]),
        ),
      ).resolves.toBe(1);
      await expect(store.getCursor(P1)).resolves.toBe('c1');
      const [status] = await store.listSyncStatus();
      expect(status).toMatchObject({
        providerId: P1,
        kinds: ['incident'],
        hasCursor: true,
        lastError: null,
        totals: { records: 1, deadLetters: 1, tombstones: 0 },
      });
      await expect(store.listDeadLetters({ limit: 10 })).resolves.toEqual([
        expect.objectContaining({ providerId: P1, externalId: 'x' }),
      ]);
    });
  },
);

if (unsupported.length > 0) {
  describe.each(unsupported)('DatabaseItsmStore on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
