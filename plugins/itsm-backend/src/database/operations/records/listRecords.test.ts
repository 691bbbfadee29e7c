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
  entity,
  P1,
  P2,
  rec,
  STORE_DATABASE_IDS,
} from '../../../__testUtils__/storeFixtures';
import type { RecordFilter, ListRecordsQuery } from '../../ItsmStore';
import { commitBatch } from './commitBatch';
import { getRecord, getRecords } from './getRecords';
import { listRecords } from './listRecords';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: [...STORE_DATABASE_IDS] });
const unsupported = STORE_DATABASE_IDS.filter(id => !databases.supports(id));

describe.each(databases.eachSupportedId())('listRecords on %s', databaseId => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await createStoreDatabase(databases, databaseId);
  });

  afterEach(async () => {
    await clearStoreTables(knex);
  });

  async function listIds(
    extra: Partial<ListRecordsQuery> = {},
  ): Promise<string[]> {
    const { items } = await listRecords(knex, { limit: 100, ...extra });
    return items.map(item => item.externalId).sort();
  }

  describe('listRecords', () => {
    const teamA = 'group:default/team-a';
    const teamB = 'group:default/team-b';

    beforeEach(async () => {
      await commitBatch(
        knex,
        batch([
          rec(
            'A',
            {
              title: 'Database down at 100% CPU',
              priority: 1,
              openedAt: '2026-01-01T00:00:00Z',
            },
            [entity('component:default/a', teamA)],
          ),
          rec(
            'B',
            {
              kind: 'change',
              title: 'Upgrade 1000 nodes (diskXfull)',
              state: 'closed',
              priority: 3,
              openedAt: '2026-01-05T00:00:00Z',
              closedAt: '2026-01-06T00:00:00Z',
            },
            [entity('component:default/b', teamB)],
          ),
          rec('D', {
            kind: 'problem',
            number: 'PRB-D',
            title: 'Disk_full on host',
            state: 'in_progress',
            openedAt: '2026-01-15T00:00:00Z',
          }),
        ]),
      );
      await commitBatch(knex, {
        ...batch([
          rec(
            'C',
            {
              kind: 'request',
              title: 'New laptop',
              state: 'resolved',
              openedAt: '2026-01-09T00:00:00Z',
              resolvedAt: '2026-01-10T00:00:00Z',
            },
            [entity('component:default/a', teamA)],
          ),
        ]),
        providerId: P2,
        department: 'hr',
      });
    });

    it('filters by entity, kind, state, priority and provider', async () => {
      await expect(listIds()).resolves.toEqual(['A', 'B', 'C', 'D']);
      await expect(
        listIds({ entityRefs: ['component:default/a'] }),
      ).resolves.toEqual(['A', 'C']);
      await expect(
        listIds({
          entityRefs: ['component:default/a', 'component:default/b'],
        }),
      ).resolves.toEqual(['A', 'B', 'C']);
      await expect(listIds({ entityRefs: [] })).resolves.toEqual([]);
      await expect(listIds({ kinds: ['change', 'problem'] })).resolves.toEqual([
        'B',
        'D',
      ]);
      await expect(listIds({ states: ['closed'] })).resolves.toEqual(['B']);
      await expect(listIds({ priorities: [1, 3] })).resolves.toEqual([
        'A',
        'B',
      ]);
      await expect(listIds({ providerIds: [P2] })).resolves.toEqual(['C']);
      await expect(
        listIds({ kinds: ['incident', 'request'], providerIds: [P1] }),
      ).resolves.toEqual(['A']);
    });

    it('filters by overlap with a time window', async () => {
      const ms = (iso: string) => Date.parse(iso);
      await expect(
        listIds({
          from: ms('2026-01-06T12:00:00Z'),
          to: ms('2026-01-12T00:00:00Z'),
        }),
      ).resolves.toEqual(['A', 'C']);
      // The end of a record's life is exclusive, like the window's.
      await expect(
        listIds({
          from: ms('2026-01-06T00:00:00Z'),
          to: ms('2026-01-07T00:00:00Z'),
        }),
      ).resolves.toEqual(['A']);
      await expect(
        listIds({
          from: ms('2026-01-05T23:59:59Z'),
          to: ms('2026-01-07T00:00:00Z'),
        }),
      ).resolves.toEqual(['A', 'B']);
      await expect(
        listIds({ to: ms('2026-01-05T00:00:00Z') }),
      ).resolves.toEqual(['A']);
      await expect(
        listIds({ from: ms('2026-02-01T00:00:00Z') }),
      ).resolves.toEqual(['A', 'D']);
    });

    it('searches number and title, case-insensitively and literally', async () => {
      await expect(listIds({ q: 'DATABASE' })).resolves.toEqual(['A']);
      await expect(listIds({ q: '100%' })).resolves.toEqual(['A']);
      await expect(listIds({ q: '100' })).resolves.toEqual(['A', 'B']);
      await expect(listIds({ q: 'k_f' })).resolves.toEqual(['D']);
      await expect(listIds({ q: 'prb-d' })).resolves.toEqual(['D']);
      await expect(listIds({ q: 'inc-' })).resolves.toEqual(['A', 'B', 'C']);
      await expect(listIds({ q: '\\' })).resolves.toEqual([]);
    });

    it.each<[string, RecordFilter, string[]]>([
      ['department', { key: 'department', values: ['hr'] }, ['C']],
      ['kind', { key: 'kind', values: ['incident'] }, ['A']],
      ['empty values', { key: 'kind', values: [] }, []],
      ['owner', { key: 'owner', values: [teamA] }, ['A', 'C']],
      ['not', { not: { key: 'department', values: ['hr'] } }, ['A', 'B', 'D']],
      ['empty anyOf', { anyOf: [] } as unknown as RecordFilter, []],
      [
        'empty allOf',
        { allOf: [] } as unknown as RecordFilter,
        ['A', 'B', 'C', 'D'],
      ],
      [
        'not empty anyOf',
        { not: { anyOf: [] } } as unknown as RecordFilter,
        ['A', 'B', 'C', 'D'],
      ],
      [
        'not empty allOf',
        { not: { allOf: [] } } as unknown as RecordFilter,
        [],
      ],
      [
        'anyOf',
        {
          anyOf: [
            { key: 'owner', values: [teamB] },
            { key: 'kind', values: ['problem'] },
          ],
        },
        ['B', 'D'],
      ],
      [
        'allOf with not owner',
        {
          allOf: [
            { key: 'department', values: ['it'] },
            { not: { key: 'owner', values: [teamA] } },
          ],
        },
        ['B', 'D'],
      ],
      [
        'nested',
        {
          anyOf: [
            {
              allOf: [
                { key: 'department', values: ['hr'] },
                { key: 'owner', values: [teamA] },
              ],
            },
            {
              not: {
                anyOf: [
                  { key: 'department', values: ['hr'] },
                  { key: 'kind', values: ['incident', 'change'] },
                ],
              },
            },
          ],
        },
        ['C', 'D'],
      ],
    ])('applies a permission filter: %s', async (_name, filter, expected) => {
      await expect(listIds({ filter })).resolves.toEqual(expected);
      const a = (await listRecords(knex, { limit: 10 })).items.find(
        r => r.externalId === 'A',
      )!;
      await expect(getRecord(knex, { id: a.id, filter })).resolves.toEqual(
        expected.includes('A') ? a : undefined,
      );
      const ids = (await listRecords(knex, { limit: 10 })).items
        .map(r => r.id)
        .reverse();
      const byIds = await getRecords(knex, {
        ids: [...ids, 'no-such-id'],
        filter,
      });
      const all = await getRecords(knex, { ids });
      expect(byIds.map(r => r.externalId)).toEqual(
        all.map(r => r.externalId).filter(id => expected.includes(id)),
      );
    });

    it('combines the permission filter with the other filters', async () => {
      await expect(
        listIds({
          filter: { key: 'owner', values: [teamA] },
          kinds: ['request'],
        }),
      ).resolves.toEqual(['C']);
    });

    it('returns undefined for an unknown id', async () => {
      await expect(
        getRecord(knex, { id: 'no-such-id' }),
      ).resolves.toBeUndefined();
    });
  });

  describe('pagination', () => {
    it('pages without gaps or repeats, in both orders', async () => {
      // 21 records, several sharing an openedAt so the id breaks ties.
      const records = Array.from({ length: 21 }, (_, i) =>
        rec(`p${i}`, {
          openedAt: new Date(
            Date.UTC(2026, 0, 1 + Math.floor(i / 3)),
          ).toISOString(),
        }),
      );
      await commitBatch(knex, batch(records));
      const all = await knex('records').select('id', 'opened_at');
      const expectedDesc = all
        .sort(
          (x, y) =>
            Number(y.opened_at) - Number(x.opened_at) || (y.id < x.id ? -1 : 1),
        )
        .map(r => r.id);

      for (const order of ['desc', 'asc'] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await listRecords(knex, { limit: 7, order, cursor });
          seen.push(...page.items.map(r => r.id));
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor && pages < 10);
        expect(pages).toBe(3);
        expect(seen).toEqual(
          order === 'desc' ? expectedDesc : [...expectedDesc].reverse(),
        );
      }

      const firstPage = await listRecords(knex, { limit: 20 });
      expect(firstPage.items).toHaveLength(20);
      expect(firstPage.nextCursor).toBeDefined();
      const lastPage = await listRecords(knex, {
        limit: 20,
        cursor: firstPage.nextCursor,
      });
      expect(lastPage.items.map(r => r.id)).toEqual([expectedDesc[20]]);
      expect(lastPage.nextCursor).toBeUndefined();
    });

    it('keeps filters across pages', async () => {
      await commitBatch(
        knex,
        batch(
          Array.from({ length: 10 }, (_, i) =>
            rec(`k${i}`, { kind: i % 2 ? 'change' : 'incident' }),
          ),
        ),
      );
      const first = await listRecords(knex, { limit: 3, kinds: ['change'] });
      const second = await listRecords(knex, {
        limit: 3,
        kinds: ['change'],
        cursor: first.nextCursor,
      });
      expect(
        [...first.items, ...second.items].map(r => r.externalId).sort(),
      ).toEqual(['k1', 'k3', 'k5', 'k7', 'k9']);
      expect(second.nextCursor).toBeUndefined();
    });

    it('refuses a malformed cursor', async () => {
      await expect(
        listRecords(knex, { limit: 5, cursor: 'not-a-cursor' }),
      ).rejects.toThrow(/Invalid cursor/);
      await commitBatch(knex, batch([rec('a'), rec('b')]));
      const { nextCursor } = await listRecords(knex, { limit: 1 });
      await expect(
        listRecords(knex, { limit: 1, cursor: nextCursor, order: 'asc' }),
      ).rejects.toThrow(/desc order/);
    });
  });
});

if (unsupported.length > 0) {
  describe.each(unsupported)('listRecords on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
