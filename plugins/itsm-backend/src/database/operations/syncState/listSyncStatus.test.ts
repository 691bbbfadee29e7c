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
import { getCursor } from './getCursor';
import { listSyncStatus } from './listSyncStatus';
import { markSyncFinished } from './markSyncFinished';
import { markSyncStarted } from './markSyncStarted';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: [...STORE_DATABASE_IDS] });
const unsupported = STORE_DATABASE_IDS.filter(id => !databases.supports(id));

describe.each(databases.eachSupportedId())(
  'listSyncStatus on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await createStoreDatabase(databases, databaseId);
    });

    afterEach(async () => {
      await clearStoreTables(knex);
    });

    describe('sync state', () => {
      it('records runs and totals per provider', async () => {
        await markSyncStarted(knex, {
          providerId: P1,
          department: 'it',
          kinds: ['incident', 'change'],
        });
        await commitBatch(
          knex,
          batch([rec('a'), rec('b')], {
            cursor: 'c1',
            deadLetters: [{ externalId: 'x', payload: 1, error: 'bad' }],
          }),
        );
        await markSyncFinished(knex, {
          providerId: P1,
          counts: {
            read: 3,
            upserted: 2,
            unchanged: 0,
            deadLettered: 1,
            deleted: 0,
          },
          observations: {
            requests: 12,
            retries: 2,
            waitMs: 1500,
            lastRetryMessage: '429: Too Many Requests',
            failedParts: [{ part: 'problem', error: '403 Forbidden' }],
          },
        });
        await commitBatch(knex, {
          ...batch([rec('c')]),
          providerId: P2,
          department: 'hr',
        });
        await markSyncStarted(knex, {
          providerId: P2,
          department: 'hr',
          kinds: ['request'],
        });
        await markSyncFinished(knex, {
          providerId: P2,
          error: 'boom',
          counts: {
            read: 0,
            upserted: 0,
            unchanged: 0,
            deadLettered: 0,
            deleted: 0,
          },
        });

        const statuses = await listSyncStatus(knex);
        expect(statuses).toEqual([
          {
            providerId: P2,
            department: 'hr',
            kinds: ['request'],
            hasCursor: false,
            lastStartedAt: expect.any(String),
            lastSucceededAt: null,
            lastFinishedAt: expect.any(String),
            lastError: 'boom',
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
            totals: { records: 1, deadLetters: 0, tombstones: 0 },
          },
          {
            providerId: P1,
            department: 'it',
            kinds: ['incident', 'change'],
            hasCursor: true,
            lastStartedAt: expect.any(String),
            lastSucceededAt: expect.any(String),
            lastFinishedAt: expect.any(String),
            lastError: null,
            // Recorded as succeeded, with the part that failed named.
            failedParts: [{ part: 'problem', error: '403 Forbidden' }],
            lastRun: {
              read: 3,
              upserted: 2,
              unchanged: 0,
              deadLettered: 1,
              deleted: 0,
              requests: 12,
              retries: 2,
              waitMs: 1500,
              lastRetryMessage: '429: Too Many Requests',
            },
            totals: { records: 2, deadLetters: 1, tombstones: 0 },
          },
        ]);
        expect(Date.parse(statuses[1].lastFinishedAt!)).toBeGreaterThanOrEqual(
          Date.parse(statuses[1].lastStartedAt!),
        );

        // A later failure keeps the last success and records the error.
        await markSyncFinished(knex, {
          providerId: P1,
          error: 'timeout',
          counts: {
            read: 1,
            upserted: 0,
            unchanged: 1,
            deadLettered: 0,
            deleted: 0,
          },
        });
        const p1 = (await listSyncStatus(knex)).find(s => s.providerId === P1)!;
        expect(p1.lastSucceededAt).toBe(statuses[1].lastSucceededAt);
        expect(p1.lastError).toBe('timeout');
        expect(p1.lastRun).toEqual({
          read: 1,
          upserted: 0,
          unchanged: 1,
          deadLettered: 0,
          deleted: 0,
          requests: 0,
          retries: 0,
          waitMs: 0,
          lastRetryMessage: null,
        });
        // The parts of the last run only: this one reported none.
        expect(p1.failedParts).toEqual([]);
        expect(p1.hasCursor).toBe(true);
        expect(await getCursor(knex, { providerId: P1 })).toBe('c1');
      });
    });
  },
);

if (unsupported.length > 0) {
  describe.each(unsupported)('listSyncStatus on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
