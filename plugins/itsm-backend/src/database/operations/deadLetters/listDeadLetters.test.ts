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
  P1,
  P2,
  rec,
  STORE_DATABASE_IDS,
} from '../../../__testUtils__/storeFixtures';
import { commitBatch } from '../records/commitBatch';
import { listSyncStatus } from '../syncState/listSyncStatus';
import { listDeadLetters } from './listDeadLetters';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: [...STORE_DATABASE_IDS] });
const unsupported = STORE_DATABASE_IDS.filter(id => !databases.supports(id));

describe.each(databases.eachSupportedId())(
  'listDeadLetters on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await createStoreDatabase(databases, databaseId);
    });

    afterEach(async () => {
      await clearStoreTables(knex);
    });

    it('stores dead letters and counts them', async () => {
      const circular: Record<string, unknown> = { name: 'loop' };
      circular.self = circular;
      await expect(
        commitBatch(
          knex,
          batch([rec('a')], {
            deadLetters: [
              {
                externalId: 'bad1',
                payload: { openedAt: 'yesterday' },
                error: 'openedAt: Invalid',
              },
              { externalId: null, payload: circular, error: 'no externalId' },
            ],
          }),
        ),
      ).resolves.toEqual({
        upserted: 1,
        unchanged: 0,
        feedback: 0,
        deadLettered: 2,
        deleted: 0,
      });

      const rows = await knex('dead_letters').orderBy('error');
      expect(rows.map(r => [r.external_id, r.payload, r.error])).toEqual([
        [null, '[object Object]', 'no externalId'],
        ['bad1', '{"openedAt":"yesterday"}', 'openedAt: Invalid'],
      ]);

      const letters = await listDeadLetters(knex, { limit: 10 });
      const at = expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
      expect(
        [...letters].sort((x, y) => x.error.localeCompare(y.error)),
      ).toEqual([
        {
          id: expect.any(String),
          providerId: P1,
          externalId: null,
          error: 'no externalId',
          at,
        },
        {
          id: expect.any(String),
          providerId: P1,
          externalId: 'bad1',
          error: 'openedAt: Invalid',
          at,
        },
      ]);
      await expect(
        listDeadLetters(knex, { providerId: P2, limit: 10 }),
      ).resolves.toEqual([]);
      await expect(
        listDeadLetters(knex, { providerId: P1, limit: 1 }),
      ).resolves.toHaveLength(1);

      const [status] = await listSyncStatus(knex);
      expect(status.totals).toEqual({
        records: 1,
        deadLetters: 2,
        tombstones: 0,
      });
    });
  },
);

if (unsupported.length > 0) {
  describe.each(unsupported)('listDeadLetters on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
