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
import { listImprovementEvents } from './listImprovementEvents';
import { updateImprovement } from './updateImprovement';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `listImprovementEvents on ${id}: needs a database server, set its connection string`,
  );
}

describe.each(databases.eachSupportedId())(
  'listImprovementEvents on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });

    it("lists an item's history in the order it was written, with its changes", async () => {
      const item = storedImprovement();
      const other = storedImprovement();
      const actor = 'user:default/priya';
      await createImprovement(knex, {
        item,
        event: { actor, type: 'created', changes: {}, comment: null },
      });
      await createImprovement(knex, {
        item: other,
        event: { actor, type: 'created', changes: {}, comment: 'Other' },
      });
      // Same instant: the order written decides.
      await updateImprovement(knex, {
        next: { ...item, updatedAt: item.createdAt },
        expectedUpdatedAt: item.updatedAt,
        events: [
          {
            actor,
            type: 'updated',
            changes: { recordIds: { from: [], to: ['r-1'] } },
            comment: null,
          },
          {
            actor,
            type: 'baseline_captured',
            changes: { baseline: { from: null, to: 0.25 } },
            comment: '12 records',
          },
        ],
      });
      const events = await listImprovementEvents(knex, {
        improvementId: item.id,
      });
      expect(events).toEqual([
        expect.objectContaining({ type: 'created', changes: {} }),
        expect.objectContaining({
          improvementId: item.id,
          at: item.createdAt,
          actor,
          type: 'updated',
          changes: { recordIds: { from: [], to: ['r-1'] } },
          comment: null,
        }),
        expect.objectContaining({
          type: 'baseline_captured',
          changes: { baseline: { from: null, to: 0.25 } },
          comment: '12 records',
        }),
      ]);
      await expect(
        listImprovementEvents(knex, { improvementId: 'no-such-item' }),
      ).resolves.toEqual([]);
    });
  },
);
