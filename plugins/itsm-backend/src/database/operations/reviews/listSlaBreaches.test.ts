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
import { listSlaBreaches } from './listSlaBreaches';

jest.setTimeout(60_000);

const databases = operationDatabases();
for (const id of databases.unsupportedIds) {
  it.todo(
    `listSlaBreaches on ${id}: needs a database server, set its connection string`,
  );
}

const scope = { entityRefs: [A], now: NOW, from: W.from, to: W.to };

describe.each(databases.eachSupportedId())(
  'listSlaBreaches on %s',
  databaseId => {
    let knex: Knex;
    let harness: MetricsHarness;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      harness = await MetricsHarness.create(knex);
    });

    it('lists the SLAs breached in the period, the latest first', async () => {
      const breached = (at: number) => ({
        kind: 'resolution' as const,
        stage: 'breached' as const,
        breached: true,
        breachAt: at,
      });
      await harness.seed([
        {
          id: 'early',
          opened: T0 + DAY,
          slas: [breached(T0 + DAY + HOUR)],
        },
        {
          id: 'late',
          opened: T0 + 5 * DAY,
          slas: [
            {
              kind: 'response',
              stage: 'completed',
              breached: true,
              end: T0 + 5 * DAY + 2 * HOUR,
            },
            { kind: 'resolution', stage: 'completed', breached: false },
          ],
        },
        {
          id: 'cancelled',
          opened: T0 + DAY,
          slas: [
            {
              kind: 'resolution',
              stage: 'cancelled',
              breached: true,
              breachAt: T0 + 2 * DAY,
            },
          ],
        },
        { id: 'after', opened: T0, slas: [breached(W.to)] },
        {
          id: 'other-entity',
          opened: T0,
          entities: [B],
          slas: [breached(T0 + HOUR)],
        },
      ]);
      const breaches = await listSlaBreaches(knex, scope);
      await expect(
        externalIdsOf(
          knex,
          breaches.map(b => b.recordId),
        ),
      ).resolves.toEqual(['late', 'early']);
      expect(breaches.map(({ recordId, ...rest }) => rest)).toEqual([
        {
          name: 'response-0',
          kind: 'response',
          targetSeconds: 3600,
          breachAt: null,
        },
        {
          name: 'resolution-0',
          kind: 'resolution',
          targetSeconds: 3600,
          breachAt: new Date(T0 + DAY + HOUR).toISOString(),
        },
      ]);
    });
  },
);
