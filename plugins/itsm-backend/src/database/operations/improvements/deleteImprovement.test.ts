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
import { createImprovement } from './createImprovement';
import { deleteImprovement } from './deleteImprovement';
import { getImprovement } from './getImprovement';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `deleteImprovement on ${id}: needs a database server, set its connection string`,
  );
}

describe.each(databases.eachSupportedId())(
  'deleteImprovement on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });

    it('deletes the item with its entities and history', async () => {
      const item = storedImprovement();
      const kept = storedImprovement();
      for (const i of [item, kept]) {
        await createImprovement(knex, {
          item: i,
          event: {
            actor: i.createdBy,
            type: 'created',
            changes: {},
            comment: null,
          },
        });
      }
      await expect(deleteImprovement(knex, { id: item.id })).resolves.toBe(
        true,
      );
      await expect(
        getImprovement(knex, { id: item.id }),
      ).resolves.toBeUndefined();
      for (const table of ['improvement_entities', 'improvement_events']) {
        const rows = await knex(table).select('improvement_id');
        expect(rows.map(r => r.improvement_id)).toEqual([kept.id]);
      }
    });

    it('is false for an item that is not stored', async () => {
      await expect(
        deleteImprovement(knex, { id: 'no-such-item' }),
      ).resolves.toBe(false);
    });
  },
);
