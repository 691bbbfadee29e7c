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
import { amendHeldReview } from './amendHeldReview';
import { createHeldReview } from './createHeldReview';
import { deleteHeldReview } from './deleteHeldReview';
import { getHeldReview } from './getHeldReview';
import { listHeldReviewAmendments } from './listHeldReviewAmendments';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `deleteHeldReview on ${id}: needs a database server, set its connection string`,
  );
}

describe.each(databases.eachSupportedId())(
  'deleteHeldReview on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });

    it('deletes a held review with its amendments, and only it', async () => {
      const review = heldReview();
      const kept = heldReview({ entityRef: 'component:default/checkout-web' });
      for (const r of [review, kept]) {
        await createHeldReview(knex, { review: r });
        await amendHeldReview(knex, {
          id: r.id,
          decisions: 'Amended',
          actor: 'user:default/nadia',
          at: r.heldAt + 1,
        });
      }
      await expect(deleteHeldReview(knex, { id: review.id })).resolves.toBe(
        true,
      );
      await expect(
        getHeldReview(knex, { id: review.id }),
      ).resolves.toBeUndefined();
      await expect(
        listHeldReviewAmendments(knex, { reviewId: review.id }),
      ).resolves.toEqual([]);
      await expect(
        listHeldReviewAmendments(knex, { reviewId: kept.id }),
      ).resolves.toHaveLength(1);
    });

    it('is false for a review that is not held', async () => {
      await expect(
        deleteHeldReview(knex, { id: 'no-such-review' }),
      ).resolves.toBe(false);
    });
  },
);
