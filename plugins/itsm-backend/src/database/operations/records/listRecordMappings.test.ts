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
  createStoreDatabase,
  rec,
  STORE_DATABASE_IDS,
} from '../../../__testUtils__/storeFixtures';
import { commitBatch } from './commitBatch';
import { listRecordMappings } from './listRecordMappings';
import { listRecords } from './listRecords';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: [...STORE_DATABASE_IDS] });
const unsupported = STORE_DATABASE_IDS.filter(id => !databases.supports(id));

describe.each(databases.eachSupportedId())(
  'listRecordMappings on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await createStoreDatabase(databases, databaseId);
    });

    afterEach(async () => {
      await clearStoreTables(knex);
    });

    it('lists the mappings of records page by page', async () => {
      await commitBatch(
        knex,
        batch(
          Array.from({ length: 5 }, (_, i) =>
            rec(`m${i}`, {
              entityRefs: [`component:default/m${i}`],
              mappings: [
                { annotation: 'servicenow.com/ci-sysid', value: `ci${i}` },
                { annotation: 'servicenow.com/ci-sysid', value: `ci${i}` },
              ],
            }),
          ),
        ),
      );
      const first = await listRecordMappings(knex, { limit: 3 });
      const rest = await listRecordMappings(knex, {
        afterRecordId: first[first.length - 1].recordId,
        limit: 3,
      });
      expect(first).toHaveLength(3);
      expect(rest).toHaveLength(2);
      const all = [...first, ...rest];
      const recordIds = all.map(m => m.recordId);
      expect(recordIds).toEqual([...recordIds].sort());
      expect(new Set(recordIds).size).toBe(5);

      const byTitle = await listRecords(knex, { limit: 10 });
      const m3 = byTitle.items.find(r => r.externalId === 'm3')!;
      expect(all.find(m => m.recordId === m3.id)).toEqual({
        recordId: m3.id,
        entityRefs: ['component:default/m3'],
        mappings: [{ annotation: 'servicenow.com/ci-sysid', value: 'ci3' }],
      });
    });
  },
);

if (unsupported.length > 0) {
  describe.each(unsupported)('listRecordMappings on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
