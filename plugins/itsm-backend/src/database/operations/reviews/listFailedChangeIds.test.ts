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
import { externalIdsOf } from '../../../__testUtils__/improvements';
import {
  A,
  B,
  DAY,
  HOUR,
  MetricsHarness,
  NOW,
  T0,
  W,
} from '../../../__testUtils__/metricsHarness';
import { operationDatabases } from '../../../__testUtils__/operationDatabases';
import { REVIEW_LIST_LIMIT } from '../../../reviews/ReviewStore';
import { listFailedChangeIds } from './listFailedChangeIds';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `listFailedChangeIds on ${id}: needs a database server, set its connection string`,
  );
}

const scope = { entityRefs: [A], now: NOW, from: W.from, to: W.to };

describe.each(databases.eachSupportedId())(
  'listFailedChangeIds on %s',
  databaseId => {
    let knex: Knex;
    let harness: MetricsHarness;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      harness = await MetricsHarness.create(knex);
    });

    afterEach(() => harness.clear());

    it('lists the failed changes that ended in the period, the latest first', async () => {
      const change = (
        id: string,
        end: number,
        outcome: 'failed' | 'successful' = 'failed',
        entities = [A],
      ) => ({
        id,
        kind: 'change' as const,
        opened: end - HOUR,
        actualEnd: end,
        outcome,
        entities,
      });
      await harness.seed([
        change('early', T0 + DAY),
        change('late', T0 + 20 * DAY),
        change('succeeded', T0 + 2 * DAY, 'successful'),
        change('ended-before', T0 - HOUR),
        change('ended-after', W.to),
        change('other-entity', T0 + 3 * DAY, 'failed', [B]),
      ]);
      const ids = await listFailedChangeIds(knex, scope);
      await expect(externalIdsOf(knex, ids)).resolves.toEqual([
        'late',
        'early',
      ]);
    });

    it(`lists at most ${REVIEW_LIST_LIMIT}`, async () => {
      await harness.seed(
        Array.from({ length: REVIEW_LIST_LIMIT + 1 }, (_, i) => ({
          id: `chg-${i}`,
          kind: 'change' as const,
          opened: T0 + i * HOUR,
          actualEnd: T0 + (i + 1) * HOUR,
          outcome: 'failed' as const,
        })),
      );
      await expect(listFailedChangeIds(knex, scope)).resolves.toHaveLength(
        REVIEW_LIST_LIMIT,
      );
    });
  },
);
