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
  clearStoreTables,
  createStoreDatabase,
  P1,
  STORE_DATABASE_IDS,
} from '../../../__testUtils__/storeFixtures';
import { markSyncStarted } from './markSyncStarted';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: [...STORE_DATABASE_IDS] });
const unsupported = STORE_DATABASE_IDS.filter(id => !databases.supports(id));

describe.each(databases.eachSupportedId())(
  'markSyncStarted on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await createStoreDatabase(databases, databaseId);
    });

    afterEach(async () => {
      jest.restoreAllMocks();
      await clearStoreTables(knex);
    });

    it('creates the row, then updates what the provider reads and keeps the cursor', async () => {
      jest.spyOn(Date, 'now').mockReturnValue(1000);
      await markSyncStarted(knex, {
        providerId: P1,
        department: 'it',
        kinds: ['incident'],
      });
      await knex('sync_state')
        .where('provider_id', P1)
        .update({ cursor: 'c1' });
      jest.spyOn(Date, 'now').mockReturnValue(2000);
      await markSyncStarted(knex, {
        providerId: P1,
        department: 'hr',
        kinds: ['incident', 'request'],
      });
      const rows = await knex('sync_state').select('*');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        provider_id: P1,
        department: 'hr',
        kinds: JSON.stringify(['incident', 'request']),
        cursor: 'c1',
      });
      expect(Number(rows[0].last_started_at)).toBe(2000);
    });
  },
);

if (unsupported.length > 0) {
  describe.each(unsupported)('markSyncStarted on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
