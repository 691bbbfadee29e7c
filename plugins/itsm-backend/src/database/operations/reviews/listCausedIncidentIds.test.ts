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
import { externalIdsOf, recordIdOf } from '../../../__testUtils__/improvements';
import {
  DAY,
  HOUR,
  MetricsHarness,
  T0,
} from '../../../__testUtils__/metricsHarness';
import { operationDatabases } from '../../../__testUtils__/operationDatabases';
import { listCausedIncidentIds } from './listCausedIncidentIds';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `listCausedIncidentIds on ${id}: needs a database server, set its connection string`,
  );
}

describe.each(databases.eachSupportedId())(
  'listCausedIncidentIds on %s',
  databaseId => {
    let knex: Knex;
    let harness: MetricsHarness;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      harness = await MetricsHarness.create(knex);
    });

    it('lists the incidents each change caused, of its own source, oldest first', async () => {
      await harness.seed([
        { id: 'chg-1', kind: 'change', opened: T0, outcome: 'failed' },
        { id: 'chg-2', kind: 'change', opened: T0, outcome: 'failed' },
        { id: 'quiet', kind: 'change', opened: T0 },
        { id: 'inc-late', opened: T0 + DAY, causedBy: 'chg-1' },
        { id: 'inc-early', opened: T0 + HOUR, causedBy: 'chg-1' },
        { id: 'inc-2', opened: T0 + HOUR, causedBy: 'chg-2' },
        {
          id: 'problem',
          kind: 'problem',
          opened: T0 + HOUR,
          causedBy: 'chg-1',
        },
        // Another source's chg-1 is another change.
        {
          id: 'elsewhere',
          opened: T0 + HOUR,
          causedBy: 'chg-1',
          provider: 'hr:desk',
        },
      ]);
      const [chg1, chg2, quiet] = await Promise.all(
        ['chg-1', 'chg-2', 'quiet'].map(id => recordIdOf(knex, id)),
      );
      const caused = await listCausedIncidentIds(knex, {
        changeIds: [chg1, chg2, quiet],
      });
      expect([...caused.keys()].sort()).toEqual([chg1, chg2].sort());
      await expect(externalIdsOf(knex, caused.get(chg1)!)).resolves.toEqual([
        'inc-early',
        'inc-late',
      ]);
      await expect(externalIdsOf(knex, caused.get(chg2)!)).resolves.toEqual([
        'inc-2',
      ]);
    });

    it('is empty for no changes', async () => {
      await expect(
        listCausedIncidentIds(knex, { changeIds: [] }),
      ).resolves.toEqual(new Map());
    });
  },
);
