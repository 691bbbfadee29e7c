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
import { heldReview } from '../../../__testUtils__/improvements';
import { operationDatabases } from '../../../__testUtils__/operationDatabases';
import { createHeldReview } from './createHeldReview';
import { getHeldReview } from './getHeldReview';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `createHeldReview on ${id}: needs a database server, set its connection string`,
  );
}

describe.each(databases.eachSupportedId())(
  'createHeldReview on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });

    it('stores a held review with its snapshot', async () => {
      const review = heldReview({
        snapshot: {
          entityRef: 'component:default/payments-api',
          hiddenRecordCount: 2,
          worstIncidents: [],
        } as any,
      });
      await createHeldReview(knex, { review });
      await expect(getHeldReview(knex, { id: review.id })).resolves.toEqual(
        review,
      );
    });

    it('refuses a second hold of the same entity and period', async () => {
      const review = heldReview({
        entityRef: 'component:default/checkout-web',
      });
      await createHeldReview(knex, { review });
      await expect(
        createHeldReview(knex, {
          review: { ...review, id: 'another', decisions: 'Later' },
        }),
      ).rejects.toMatchObject({ message: expect.stringMatching(/unique/i) });
      // Another period of the same entity is another review.
      await createHeldReview(knex, {
        review: {
          ...review,
          id: 'february',
          label: '2026-02',
          from: review.to,
          to: Date.parse('2026-03-01T00:00:00Z'),
        },
      });
      await expect(
        getHeldReview(knex, { id: 'another' }),
      ).resolves.toBeUndefined();
    });
  },
);
