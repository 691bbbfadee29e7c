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
import { listImprovementEvents } from './listImprovementEvents';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `createImprovement on ${id}: needs a database server, set its connection string`,
  );
}

const created = {
  actor: 'user:default/priya',
  type: 'created' as const,
  changes: { status: { from: null, to: 'proposed' } },
  comment: 'From the February review',
};

describe.each(databases.eachSupportedId())(
  'createImprovement on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });

    it('stores the item, its entities once each, and its first event', async () => {
      const item = storedImprovement({
        entityRefs: [
          'component:default/payments-api',
          'component:default/checkout-web',
          'component:default/payments-api',
        ],
        recordIds: ['r-1', 'r-2'],
        metric: {
          metricId: 'mttr',
          entityRef: 'component:default/payments-api',
          target: 3600,
          direction: 'lower_is_better',
          windowDays: 30,
          sustainWeeks: 4,
          baseline: 7200.5,
          baselineN: 12,
          baselineCapturedAt: '2026-03-02T08:00:00.000Z',
        },
      });
      await createImprovement(knex, { item, event: created });

      await expect(getImprovement(knex, { id: item.id })).resolves.toEqual({
        ...item,
        entityRefs: [
          'component:default/checkout-web',
          'component:default/payments-api',
        ],
      });
      const events = await listImprovementEvents(knex, {
        improvementId: item.id,
      });
      expect(events).toEqual([
        {
          id: expect.any(String),
          improvementId: item.id,
          at: item.createdAt,
          ...created,
        },
      ]);
    });

    it('writes nothing when the item cannot be stored', async () => {
      const item = storedImprovement();
      await createImprovement(knex, { item, event: created });
      await expect(
        createImprovement(knex, {
          item: { ...item, title: 'Again' },
          event: created,
        }),
      ).rejects.toMatchObject({ message: expect.stringMatching(/unique/i) });
      expect(await getImprovement(knex, { id: item.id })).toMatchObject({
        title: item.title,
      });
      await expect(
        listImprovementEvents(knex, { improvementId: item.id }),
      ).resolves.toHaveLength(1);
    });
  },
);
