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
import { getHeldReview } from './getHeldReview';
import { listHeldReviewAmendments } from './listHeldReviewAmendments';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `amendHeldReview on ${id}: needs a database server, set its connection string`,
  );
}

const AT = Date.parse('2026-02-10T12:00:00Z');

describe.each(databases.eachSupportedId())(
  'amendHeldReview on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });

    it('replaces the decisions and keeps the change in the history', async () => {
      const review = heldReview();
      await createHeldReview(knex, { review });
      const amend = (decisions: string, actor: string, at: number) =>
        amendHeldReview(knex, { id: review.id, decisions, actor, at });
      await expect(
        amend('Canary always', 'user:default/nadia', AT),
      ).resolves.toBe(true);
      await expect(
        amend('Canary and rollback', 'user:default/priya', AT + 1000),
      ).resolves.toBe(true);
      await expect(getHeldReview(knex, { id: review.id })).resolves.toEqual({
        ...review,
        decisions: 'Canary and rollback',
      });
      await expect(
        listHeldReviewAmendments(knex, { reviewId: review.id }),
      ).resolves.toEqual([
        {
          at: new Date(AT).toISOString(),
          by: 'user:default/nadia',
          decisions: { from: 'Canary first', to: 'Canary always' },
        },
        {
          at: new Date(AT + 1000).toISOString(),
          by: 'user:default/priya',
          decisions: { from: 'Canary always', to: 'Canary and rollback' },
        },
      ]);
    });

    it('changes nothing when the decisions are the same', async () => {
      const review = heldReview({
        entityRef: 'component:default/checkout-web',
      });
      await createHeldReview(knex, { review });
      await expect(
        amendHeldReview(knex, {
          id: review.id,
          decisions: review.decisions,
          actor: 'user:default/nadia',
          at: AT,
        }),
      ).resolves.toBe(true);
      await expect(
        listHeldReviewAmendments(knex, { reviewId: review.id }),
      ).resolves.toEqual([]);
    });

    it('is false for a review that is not held', async () => {
      await expect(
        amendHeldReview(knex, {
          id: 'no-such-review',
          decisions: 'x',
          actor: 'user:default/nadia',
          at: AT,
        }),
      ).resolves.toBe(false);
      const [{ n }] = await knex('service_review_amendments')
        .where({ review_id: 'no-such-review' })
        .count({ n: '*' });
      expect(Number(n)).toBe(0);
    });
  },
);
