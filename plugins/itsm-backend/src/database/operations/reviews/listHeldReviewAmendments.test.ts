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
import { listHeldReviewAmendments } from './listHeldReviewAmendments';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `listHeldReviewAmendments on ${id}: needs a database server, set its connection string`,
  );
}

describe.each(databases.eachSupportedId())(
  'listHeldReviewAmendments on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });

    it('lists the amendments of one review in the order they were made', async () => {
      const review = heldReview();
      const other = heldReview({ entityRef: 'component:default/checkout-web' });
      await createHeldReview(knex, { review });
      await createHeldReview(knex, { review: other });
      const at = Date.parse('2026-02-10T12:00:00Z');
      // The same instant twice: the order written decides.
      await knex('service_review_amendments').insert([
        {
          review_id: review.id,
          at,
          actor: 'user:default/nadia',
          decisions_before: 'A',
          decisions_after: 'B',
        },
        {
          review_id: other.id,
          at,
          actor: 'user:default/nadia',
          decisions_before: 'X',
          decisions_after: 'Y',
        },
        {
          review_id: review.id,
          at,
          actor: 'user:default/priya',
          decisions_before: 'B',
          decisions_after: 'C',
        },
      ]);
      await expect(
        listHeldReviewAmendments(knex, { reviewId: review.id }),
      ).resolves.toEqual([
        {
          at: '2026-02-10T12:00:00.000Z',
          by: 'user:default/nadia',
          decisions: { from: 'A', to: 'B' },
        },
        {
          at: '2026-02-10T12:00:00.000Z',
          by: 'user:default/priya',
          decisions: { from: 'B', to: 'C' },
        },
      ]);
    });
  },
);
