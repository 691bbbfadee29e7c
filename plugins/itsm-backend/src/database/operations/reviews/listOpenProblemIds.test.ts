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
  DAY,
  MetricsHarness,
  NOW,
  T0,
  W,
} from '../../../__testUtils__/metricsHarness';
import { operationDatabases } from '../../../__testUtils__/operationDatabases';
import { listOpenProblemIds } from './listOpenProblemIds';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `listOpenProblemIds on ${id}: needs a database server, set its connection string`,
  );
}

const scope = { entityRefs: [A], now: NOW, from: W.from, to: W.to };

describe.each(databases.eachSupportedId())(
  'listOpenProblemIds on %s',
  databaseId => {
    let knex: Knex;
    let harness: MetricsHarness;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      harness = await MetricsHarness.create(knex);
    });

    afterEach(() => harness.clear());

    it('lists the problems open at the end of the period, the most urgent first', async () => {
      const problem = 'problem' as const;
      await harness.seed([
        { id: 'p3-old', kind: problem, priority: 3, opened: T0 - 90 * DAY },
        { id: 'p1', kind: problem, priority: 1, opened: T0 + DAY },
        { id: 'no-priority', kind: problem, priority: null, opened: T0 },
        // Resolved after the period: open at its end.
        {
          id: 'resolved-later',
          kind: problem,
          priority: 3,
          opened: T0 + 2 * DAY,
          resolved: W.to + DAY,
        },
        {
          id: 'resolved-in-period',
          kind: problem,
          opened: T0,
          resolved: T0 + DAY,
        },
        {
          id: 'cancelled',
          kind: problem,
          state: 'cancelled',
          opened: T0,
        },
        { id: 'opened-after', kind: problem, priority: 1, opened: W.to },
        { id: 'an-incident', priority: 1, opened: T0 },
      ]);
      const ids = await listOpenProblemIds(knex, scope);
      await expect(externalIdsOf(knex, ids)).resolves.toEqual([
        'p1',
        'p3-old',
        'resolved-later',
        'no-priority',
      ]);
    });
  },
);
