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
  rec,
  STORE_DATABASE_IDS,
} from '../../../__testUtils__/storeFixtures';
import { commitBatch } from './commitBatch';
import { listExternalIds } from './listExternalIds';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: [...STORE_DATABASE_IDS] });
const unsupported = STORE_DATABASE_IDS.filter(id => !databases.supports(id));

/** An instant the rows written straight to the table carry. */
const T0 = Date.parse('2026-01-01T00:00:00Z');

describe.each(databases.eachSupportedId())(
  'listExternalIds on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await createStoreDatabase(databases, databaseId);
    });

    afterEach(async () => {
      await clearStoreTables(knex);
    });

    describe('listExternalIds', () => {
      it('pages the stored ids of a provider in code-point order, by kind, without tombstones', async () => {
        const ids = ['b', 'B', 'a', 'A-2', 'a-1', 'Z', 'é', '10', '9'];
        await commitBatch(
          knex,
          batch([
            ...ids.map(id => rec(id)),
            rec('chg-1', {
              kind: 'change',
              changeType: 'normal',
              outcome: 'successful',
            }),
          ]),
        );
        await commitBatch(knex, {
          ...batch([rec('other')]),
          providerId: 'pd:main',
        });
        await commitBatch(
          knex,
          batch([], {
            deletions: [
              {
                externalId: 'Z',
                deletedAt: '2026-01-02T00:00:00Z',
                reason: 'audit',
              },
            ],
          }),
        );

        const expected = [...ids.filter(id => id !== 'Z')].sort();
        expect(expected).toEqual(['10', '9', 'A-2', 'B', 'a', 'a-1', 'b', 'é']);
        const pages: string[][] = [];
        for (let after: string | undefined = undefined; ; ) {
          const page: string[] = await listExternalIds(knex, {
            providerId: P1,
            kind: 'incident',
            after,
            limit: 3,
          });
          pages.push(page);
          if (page.length < 3) break;
          after = page[page.length - 1];
        }
        expect(pages).toEqual([
          ['10', '9', 'A-2'],
          ['B', 'a', 'a-1'],
          ['b', 'é'],
        ]);
        await expect(
          listExternalIds(knex, { providerId: P1, limit: 100 }),
        ).resolves.toEqual([...expected, 'chg-1'].sort());
        await expect(
          listExternalIds(knex, { providerId: P1, kind: 'change', limit: 100 }),
        ).resolves.toEqual(['chg-1']);
        await expect(
          listExternalIds(knex, { providerId: 'nope', limit: 100 }),
        ).resolves.toEqual([]);
        await expect(
          listExternalIds(knex, { providerId: P1, limit: 0 }),
        ).rejects.toThrow(/limit must be a positive integer/);
      });

      it('returns at most 10,000 ids a call', async () => {
        const rows = Array.from({ length: 10_005 }, (_, i) => ({
          id: `id-${i}`,
          provider_id: 'bulk:p',
          external_id: `e${String(i).padStart(5, '0')}`,
          kind: 'incident',
          department: 'it',
          title: 't',
          state: 'new',
          opened_at: T0,
          source_updated_at: T0,
          content_hash: 'h',
          created_at: T0,
          updated_at: T0,
        }));
        for (let i = 0; i < rows.length; i += 500) {
          await knex('records').insert(rows.slice(i, i + 500));
        }
        const first = await listExternalIds(knex, {
          providerId: 'bulk:p',
          limit: 50_000,
        });
        expect(first).toHaveLength(10_000);
        expect(first[9_999]).toBe('e09999');
        await expect(
          listExternalIds(knex, {
            providerId: 'bulk:p',
            after: first[9_999],
            limit: 50_000,
          }),
        ).resolves.toEqual(['e10000', 'e10001', 'e10002', 'e10003', 'e10004']);
      });
    });
  },
);

if (unsupported.length > 0) {
  describe.each(unsupported)('listExternalIds on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
