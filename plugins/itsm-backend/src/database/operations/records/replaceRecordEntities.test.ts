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

import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import {
  batch,
  clearStoreTables,
  countRows,
  createStoreDatabase,
  entity,
  rec,
  STORE_DATABASE_IDS,
} from '../../../__testUtils__/storeFixtures';
import type { ListRecordsQuery } from '../../ItsmStore';
import { commitBatch } from './commitBatch';
import { listRecords } from './listRecords';
import { replaceRecordEntities } from './replaceRecordEntities';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: [...STORE_DATABASE_IDS] });
const unsupported = STORE_DATABASE_IDS.filter(id => !databases.supports(id));

describe.each(databases.eachSupportedId())(
  'replaceRecordEntities on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await createStoreDatabase(databases, databaseId);
    });

    afterEach(async () => {
      await clearStoreTables(knex);
    });

    async function count(table: string): Promise<number> {
      return countRows(knex, table);
    }

    async function listIds(
      extra: Partial<ListRecordsQuery> = {},
    ): Promise<string[]> {
      const { items } = await listRecords(knex, { limit: 100, ...extra });
      return items.map(item => item.externalId).sort();
    }

    describe('entity mappings', () => {
      it('replaces entities and counts the records that changed', async () => {
        await commitBatch(
          knex,
          batch([
            rec('a', { entityRefs: ['component:default/a'] }, [
              entity('component:default/a', 'group:default/x'),
            ]),
            rec('b', {
              mappings: [
                { annotation: 'pagerduty.com/service-id', value: 'PB' },
              ],
            }),
          ]),
        );
        const { items } = await listRecords(knex, { limit: 10, order: 'asc' });
        const ids = Object.fromEntries(items.map(r => [r.externalId, r.id]));

        await expect(
          replaceRecordEntities(knex, {
            entities: new Map([
              [ids.a, [entity('component:default/a', 'group:default/x')]],
              [ids.b, []],
            ]),
          }),
        ).resolves.toBe(0);
        await expect(
          replaceRecordEntities(knex, {
            entities: new Map([
              [
                ids.a,
                [
                  entity('component:default/a', 'group:default/x'),
                  entity('component:default/c', 'group:default/y'),
                ],
              ],
              [ids.b, [entity('component:default/b')]],
              ['missing-record', [entity('component:default/z')]],
            ]),
          }),
        ).resolves.toBe(2);
        // Same set in another order: no change.
        await expect(
          replaceRecordEntities(knex, {
            entities: new Map([
              [
                ids.a,
                [
                  entity('component:default/c', 'group:default/y'),
                  entity('component:default/a', 'group:default/x'),
                ],
              ],
            ]),
          }),
        ).resolves.toBe(0);
        // A new owner is a change (owner-based permissions read it).
        await expect(
          replaceRecordEntities(knex, {
            entities: new Map([
              [ids.b, [entity('component:default/b', 'group:default/new')]],
            ]),
          }),
        ).resolves.toBe(1);

        await expect(
          listIds({ filter: { key: 'owner', values: ['group:default/new'] } }),
        ).resolves.toEqual(['b']);
        await expect(
          listIds({ entityRefs: ['component:default/c'] }),
        ).resolves.toEqual(['a']);
        await expect(count('record_entities')).resolves.toBe(3);
        await expect(
          replaceRecordEntities(knex, { entities: new Map() }),
        ).resolves.toBe(0);
      });
    });
  },
);

if (unsupported.length > 0) {
  describe.each(unsupported)('replaceRecordEntities on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
