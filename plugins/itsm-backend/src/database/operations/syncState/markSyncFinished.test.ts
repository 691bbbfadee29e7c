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
import { markSyncFinished } from './markSyncFinished';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: [...STORE_DATABASE_IDS] });
const unsupported = STORE_DATABASE_IDS.filter(id => !databases.supports(id));

describe.each(databases.eachSupportedId())(
  'markSyncFinished on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await createStoreDatabase(databases, databaseId);
    });

    afterEach(async () => {
      jest.restoreAllMocks();
      await clearStoreTables(knex);
    });

    const counts = {
      read: 5,
      upserted: 3,
      unchanged: 1,
      deadLettered: 1,
      deleted: 0,
    };

    it('keeps the last success when a later run fails, and leaves a row for a run never started', async () => {
      jest.spyOn(Date, 'now').mockReturnValue(1000);
      await markSyncFinished(knex, {
        providerId: P1,
        counts,
        observations: {
          requests: 7,
          retries: 2,
          waitMs: 1500,
          lastRetryMessage: 'HTTP 503',
          failedParts: [{ part: 'problems', error: 'HTTP 403' }],
        },
      });
      let row = await knex('sync_state').where('provider_id', P1).first();
      expect(row).toMatchObject({
        department: '',
        kinds: '[]',
        last_error: null,
        last_retry_message: 'HTTP 503',
        last_failed_parts: JSON.stringify([
          { part: 'problems', error: 'HTTP 403' },
        ]),
      });
      expect(Number(row.last_succeeded_at)).toBe(1000);
      expect(Number(row.last_requests)).toBe(7);
      expect(Number(row.last_wait_ms)).toBe(1500);

      jest.spyOn(Date, 'now').mockReturnValue(2000);
      await markSyncFinished(knex, { providerId: P1, error: 'boom', counts });
      row = await knex('sync_state').where('provider_id', P1).first();
      expect(row.last_error).toBe('boom');
      expect(Number(row.last_finished_at)).toBe(2000);
      expect(Number(row.last_succeeded_at)).toBe(1000);
      // Without observations, the run observed nothing.
      expect(Number(row.last_requests)).toBe(0);
      expect(row.last_failed_parts).toBe('[]');
    });
  },
);

if (unsupported.length > 0) {
  describe.each(unsupported)('markSyncFinished on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
