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

import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import { storedImprovement } from '../../../__testUtils__/improvements';
import { operationDatabases } from '../../../__testUtils__/operationDatabases';
import { createImprovement } from './createImprovement';
import { getImprovement } from './getImprovement';
import { listImprovementEvents } from './listImprovementEvents';
import { updateImprovement } from './updateImprovement';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `updateImprovement on ${id}: needs a database server, set its connection string`,
  );
}

const actor = 'user:default/nadia';

describe.each(databases.eachSupportedId())(
  'updateImprovement on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });

    async function stored() {
      const item = storedImprovement();
      await createImprovement(knex, {
        item,
        event: { actor, type: 'created', changes: {}, comment: null },
      });
      return item;
    }

    it('replaces the item and its entities, and appends the events in order', async () => {
      const before = await stored();
      const next = {
        ...before,
        status: 'done' as const,
        entityRefs: ['component:default/checkout-web'],
        completedAt: '2026-03-09T10:00:00.000Z',
        updatedAt: '2026-03-09T10:00:00.000Z',
        updatedBy: actor,
      };
      await updateImprovement(knex, {
        next,
        expectedUpdatedAt: before.updatedAt,
        events: [
          {
            actor,
            type: 'status_changed',
            changes: { status: { from: 'proposed', to: 'done' } },
            comment: 'Shipped',
          },
          { actor, type: 'commented', changes: {}, comment: 'And measured' },
        ],
      });
      await expect(getImprovement(knex, { id: before.id })).resolves.toEqual(
        next,
      );
      const events = await listImprovementEvents(knex, {
        improvementId: before.id,
      });
      expect(events.map(e => [e.type, e.at, e.comment])).toEqual([
        ['created', before.createdAt, null],
        ['status_changed', next.updatedAt, 'Shipped'],
        ['commented', next.updatedAt, 'And measured'],
      ]);
    });

    it('refuses a change to an item saved since it was read, changing nothing', async () => {
      const before = await stored();
      const saved = { ...before, updatedAt: '2026-03-02T00:00:00.000Z' };
      await updateImprovement(knex, {
        next: saved,
        expectedUpdatedAt: before.updatedAt,
        events: [],
      });
      const late = updateImprovement(knex, {
        next: {
          ...before,
          title: 'Stale',
          updatedAt: '2026-03-03T00:00:00.000Z',
        },
        expectedUpdatedAt: before.updatedAt,
        events: [{ actor, type: 'updated', changes: {}, comment: null }],
      });
      await expect(late).rejects.toThrow(ConflictError);
      await expect(late).rejects.toThrow(
        `Improvement '${before.id}' was changed by someone else; reload and try again`,
      );
      await expect(getImprovement(knex, { id: before.id })).resolves.toEqual(
        saved,
      );
      await expect(
        listImprovementEvents(knex, { improvementId: before.id }),
      ).resolves.toHaveLength(1);
    });
  },
);
