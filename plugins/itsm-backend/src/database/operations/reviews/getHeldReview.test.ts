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
    `getHeldReview on ${id}: needs a database server, set its connection string`,
  );
}

describe.each(databases.eachSupportedId())(
  'getHeldReview on %s',
  databaseId => {
    let knex: Knex;
    const january = heldReview();
    const quarter = heldReview({
      label: '2026-Q1',
      to: Date.parse('2026-04-01T00:00:00Z'),
    });

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await createHeldReview(knex, { review: january });
      await createHeldReview(knex, { review: quarter });
    });

    it('reads a held review by its id', async () => {
      await expect(getHeldReview(knex, { id: quarter.id })).resolves.toEqual(
        quarter,
      );
      await expect(
        getHeldReview(knex, { id: 'no-such-review' }),
      ).resolves.toBeUndefined();
    });

    it('reads the review of an entity held for exactly a period', async () => {
      const { entityRef, from, to } = january;
      await expect(
        getHeldReview(knex, { entityRef, from, to }),
      ).resolves.toEqual(january);
      await expect(
        getHeldReview(knex, { entityRef, from, to: to - 1 }),
      ).resolves.toBeUndefined();
      await expect(
        getHeldReview(knex, {
          entityRef: 'component:default/checkout-web',
          from,
          to,
        }),
      ).resolves.toBeUndefined();
    });
  },
);
