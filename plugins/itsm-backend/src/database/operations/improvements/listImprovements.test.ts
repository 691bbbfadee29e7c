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

import type { Knex } from 'knex';
import { storedImprovement } from '../../../__testUtils__/improvements';
import { operationDatabases } from '../../../__testUtils__/operationDatabases';
import type { ListImprovementsQuery } from '../../../improvements/ImprovementStore';
import { createImprovement } from './createImprovement';
import { listImprovements } from './listImprovements';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `listImprovements on ${id}: needs a database server, set its connection string`,
  );
}

const PAYMENTS = 'component:default/payments-api';
const CHECKOUT = 'component:default/checkout-web';

const items = [
  storedImprovement({
    id: 'a',
    title: 'Retry the acquirer',
    priority: 'low',
    dueDate: '2026-04-01',
    entityRefs: [PAYMENTS],
    updatedAt: '2026-03-03T00:00:00.000Z',
  }),
  storedImprovement({
    id: 'b',
    title: 'Cache 100% of card BINs',
    priority: 'critical',
    dueDate: null,
    entityRefs: [CHECKOUT],
    ownerRef: 'group:default/checkout',
    updatedAt: '2026-03-05T00:00:00.000Z',
  }),
  storedImprovement({
    id: 'c',
    title: 'Runbook for the ledger_sync job',
    description: 'Write it DOWN',
    priority: 'high',
    dueDate: '2026-03-15',
    status: 'done',
    entityRefs: [PAYMENTS, CHECKOUT],
    updatedAt: '2026-03-04T00:00:00.000Z',
  }),
  storedImprovement({
    id: 'd',
    title: 'Onboarding checklist',
    priority: 'medium',
    dueDate: '2026-03-10',
    department: 'hr',
    ownerRef: 'group:default/hr-operations',
    entityRefs: ['component:default/employee-onboarding'],
    updatedAt: '2026-03-02T00:00:00.000Z',
  }),
];

describe.each(databases.eachSupportedId())(
  'listImprovements on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      for (const item of items) {
        await createImprovement(knex, {
          item,
          event: {
            actor: item.createdBy,
            type: 'created',
            changes: {},
            comment: null,
          },
        });
      }
    });

    async function ids(query: Partial<ListImprovementsQuery>) {
      const { items: page } = await listImprovements(knex, {
        limit: 10,
        ...query,
      });
      return page.map(i => i.id);
    }

    it('orders by due date, items without one last, by default', async () => {
      await expect(ids({})).resolves.toEqual(['d', 'c', 'a', 'b']);
      await expect(ids({ order: 'desc' })).resolves.toEqual([
        'a',
        'c',
        'd',
        'b',
      ]);
    });

    it('orders by priority, title, and update time', async () => {
      await expect(ids({ sort: 'priority' })).resolves.toEqual([
        'b',
        'c',
        'd',
        'a',
      ]);
      await expect(ids({ sort: 'title', order: 'desc' })).resolves.toEqual([
        'c',
        'a',
        'd',
        'b',
      ]);
      await expect(ids({ sort: 'updatedAt' })).resolves.toEqual([
        'd',
        'a',
        'c',
        'b',
      ]);
    });

    it('pages, and counts every match', async () => {
      const page = await listImprovements(knex, { limit: 2, offset: 1 });
      expect(page.items.map(i => i.id)).toEqual(['c', 'a']);
      expect(page.totalCount).toBe(4);
      expect(page.items[0].entityRefs).toEqual([CHECKOUT, PAYMENTS]);
    });

    it('narrows by ids, entities, owners, statuses and department', async () => {
      await expect(ids({ ids: ['a', 'b', 'x'] })).resolves.toEqual(['a', 'b']);
      await expect(ids({ entityRefs: [CHECKOUT] })).resolves.toEqual([
        'c',
        'b',
      ]);
      await expect(
        ids({ ownerRefs: ['group:default/hr-operations'] }),
      ).resolves.toEqual(['d']);
      await expect(ids({ statuses: ['done'] })).resolves.toEqual(['c']);
      await expect(ids({ department: 'hr' })).resolves.toEqual(['d']);
    });

    it("reads a team's items: about what it owns, or owned by it", async () => {
      await expect(
        ids({
          ownedBy: {
            entityRefs: [PAYMENTS],
            ownerRefs: ['group:default/checkout'],
          },
        }),
      ).resolves.toEqual(['c', 'a', 'b']);
    });

    it('lists open items due before a date', async () => {
      await expect(ids({ dueBefore: '2026-04-01' })).resolves.toEqual(['d']);
    });

    it('searches title and description, case-insensitively and literally', async () => {
      await expect(ids({ q: 'down' })).resolves.toEqual(['c']);
      await expect(ids({ q: '100%' })).resolves.toEqual(['b']);
      await expect(ids({ q: '%' })).resolves.toEqual(['b']);
      await expect(ids({ q: 'g_r' })).resolves.toEqual([]);
      await expect(ids({ q: 'ledger_sync' })).resolves.toEqual(['c']);
    });

    it('applies the permission filter, and counts only what it allows', async () => {
      const page = await listImprovements(knex, {
        limit: 10,
        filter: {
          anyOf: [
            { key: 'department', values: ['hr'] },
            { key: 'owner', values: ['group:default/checkout'] },
          ],
        },
      });
      expect(page.items.map(i => i.id)).toEqual(['d', 'b']);
      expect(page.totalCount).toBe(2);
    });
  },
);
