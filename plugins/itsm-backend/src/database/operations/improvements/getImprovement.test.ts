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
import { getImprovement } from './getImprovement';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `getImprovement on ${id}: needs a database server, set its connection string`,
  );
}

const event = {
  actor: 'user:default/priya',
  type: 'created' as const,
  changes: {},
  comment: null,
};

describe.each(databases.eachSupportedId())(
  'getImprovement on %s',
  databaseId => {
    let knex: Knex;
    const hr = storedImprovement({
      department: 'hr',
      ownerRef: 'group:default/hr-operations',
      entityRefs: [],
    });

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await createImprovement(knex, { item: hr, event });
    });

    it('reads an item, with no entities when it names none', async () => {
      await expect(getImprovement(knex, { id: hr.id })).resolves.toEqual(hr);
    });

    it('is undefined for an id that is not stored', async () => {
      await expect(
        getImprovement(knex, { id: 'no-such-item' }),
      ).resolves.toBeUndefined();
    });

    it('is undefined when the permission filter leaves the item out', async () => {
      const read = (filter: Parameters<typeof getImprovement>[1]['filter']) =>
        getImprovement(knex, { id: hr.id, filter });
      await expect(
        read({ key: 'department', values: ['it'] }),
      ).resolves.toBeUndefined();
      await expect(
        read({ key: 'department', values: ['it', 'hr'] }),
      ).resolves.toEqual(hr);
      await expect(
        read({ key: 'owner', values: ['group:default/hr-operations'] }),
      ).resolves.toEqual(hr);
      await expect(
        read({
          not: { key: 'owner', values: ['group:default/hr-operations'] },
        }),
      ).resolves.toBeUndefined();
    });
  },
);
