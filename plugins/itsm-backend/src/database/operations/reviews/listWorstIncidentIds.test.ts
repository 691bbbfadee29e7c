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
import { WORST_INCIDENTS } from '../../../reviews/ReviewStore';
import { listWorstIncidentIds } from './listWorstIncidentIds';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `listWorstIncidentIds on ${id}: needs a database server, set its connection string`,
  );
}

const scope = { entityRefs: [A], now: NOW, from: W.from, to: W.to };

describe.each(databases.eachSupportedId())(
  'listWorstIncidentIds on %s',
  databaseId => {
    let knex: Knex;
    let harness: MetricsHarness;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      harness = await MetricsHarness.create(knex);
    });

    afterEach(() => harness.clear());

    it('lists P1s first, then the longest, of the incidents opened in the period', async () => {
      const opened = T0 + DAY;
      await harness.seed([
        { id: 'p1-short', priority: 1, opened, resolved: opened + HOUR },
        { id: 'p2-long', priority: 2, opened, resolved: opened + 9 * HOUR },
        {
          // The impact window counts, not the time to resolve.
          id: 'p2-impact',
          priority: 2,
          opened,
          impactStart: opened,
          impactEnd: opened + 5 * HOUR,
          resolved: opened + 20 * HOUR,
        },
        // Still open: long until the end of the period.
        { id: 'p3-open', opened: W.to - 10 * HOUR },
        { id: 'cancelled', state: 'cancelled', opened, closed: opened + DAY },
        { id: 'before', priority: 1, opened: T0 - HOUR, resolved: T0 + HOUR },
        { id: 'after', priority: 1, opened: W.to, resolved: W.to + HOUR },
        { id: 'other-entity', priority: 1, opened, entities: [B] },
        { id: 'a-change', kind: 'change', opened, actualEnd: opened + HOUR },
      ]);
      const ids = await listWorstIncidentIds(knex, scope);
      await expect(externalIdsOf(knex, ids)).resolves.toEqual([
        'p1-short',
        'p3-open',
        'p2-long',
        'p2-impact',
      ]);
    });

    it(`lists at most ${WORST_INCIDENTS}`, async () => {
      await harness.seed(
        Array.from({ length: WORST_INCIDENTS + 2 }, (_, i) => ({
          id: `inc-${i}`,
          opened: T0 + i * HOUR,
          resolved: T0 + (i + 1) * HOUR,
        })),
      );
      await expect(listWorstIncidentIds(knex, scope)).resolves.toHaveLength(
        WORST_INCIDENTS,
      );
    });
  },
);
