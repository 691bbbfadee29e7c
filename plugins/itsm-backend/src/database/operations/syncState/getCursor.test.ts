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
import { getCursor } from './getCursor';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: [...STORE_DATABASE_IDS] });
const unsupported = STORE_DATABASE_IDS.filter(id => !databases.supports(id));

describe.each(databases.eachSupportedId())('getCursor on %s', databaseId => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await createStoreDatabase(databases, databaseId);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await clearStoreTables(knex);
  });

  it('reads the saved cursor, null for an unknown provider or no cursor', async () => {
    await expect(getCursor(knex, { providerId: P1 })).resolves.toBeNull();
    await knex('sync_state').insert([
      { provider_id: P1, department: 'it', kinds: '[]', cursor: 'c9' },
      { provider_id: 'other', department: 'it', kinds: '[]', cursor: null },
    ]);
    await expect(getCursor(knex, { providerId: P1 })).resolves.toBe('c9');
    await expect(getCursor(knex, { providerId: 'other' })).resolves.toBeNull();
  });
});

if (unsupported.length > 0) {
  describe.each(unsupported)('getCursor on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
