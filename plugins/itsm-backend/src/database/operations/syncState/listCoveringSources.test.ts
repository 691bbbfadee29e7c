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

import { TestDatabases } from '@backstage/backend-test-utils';
import {
  A,
  B,
  HOUR,
  HR,
  MetricsHarness,
  T0,
} from '../../../__testUtils__/metricsHarness';
import type { RecordFilter } from '../../ItsmStore';
import { listCoveringSources } from './listCoveringSources';

jest.setTimeout(60_000);

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...databaseIds] });
const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('listCoveringSources on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}

const SN = 'servicenow:corp';
const PD = 'pagerduty:main';
const HR_DESK = 'hr:desk';
const FILE = 'file:demo';
const SECRET = 'password=hunter2 at https://corp.service-now.com';

const iso = (ms: number) => new Date(ms).toISOString();

describe.each(databases.eachSupportedId())(
  'listCoveringSources on %s',
  databaseId => {
    let harness: MetricsHarness;

    /** One sync run of a provider through the store, as the engine records it. */
    async function run(
      providerId: string,
      options: {
        start: number;
        end?: number;
        error?: string;
        failedParts?: Array<{ part: string; error: string }>;
      },
    ) {
      const now = jest.spyOn(Date, 'now').mockReturnValue(options.start);
      try {
        await harness.store.markSyncStarted({
          providerId,
          department: providerId === HR_DESK ? 'hr' : 'it',
          kinds: ['incident'],
        });
        if (options.end !== undefined) {
          now.mockReturnValue(options.end);
          await harness.store.markSyncFinished(providerId, {
            ...(options.error !== undefined ? { error: options.error } : {}),
            counts: {
              read: 1,
              upserted: 1,
              unchanged: 0,
              deadLettered: 0,
              deleted: 0,
            },
            observations: {
              requests: 3,
              retries: 1,
              waitMs: 1000,
              lastRetryMessage: SECRET,
              failedParts: options.failedParts ?? [],
            },
          });
        }
      } finally {
        now.mockRestore();
      }
    }

    async function writeFailedParts(providerId: string, json: string) {
      await harness
        .knex('sync_state')
        .where({ provider_id: providerId })
        .update({ last_failed_parts: json });
    }

    beforeAll(async () => {
      harness = await MetricsHarness.create(await databases.init(databaseId));
    });

    beforeEach(async () => {
      await harness.clear();
      // Many records per source, some mapped to two entities: each source once.
      const many = (prefix: string, entities: string[], provider: string) =>
        Array.from({ length: 30 }, (_, i) => ({
          id: `${prefix}-${i}`,
          opened: T0 + i * HOUR,
          entities,
          provider,
        }));
      await harness.seed([
        ...many('sn', [A, B], SN),
        ...many('pd', [B], PD),
        {
          id: 'hr-1',
          kind: 'request',
          opened: T0,
          entities: [HR],
          provider: HR_DESK,
        },
        {
          id: 'f-1',
          opened: T0,
          entities: ['component:default/elsewhere'],
          provider: FILE,
        },
      ]);
    });

    it('lists the providers with a record in the scope, once each, by provider id', async () => {
      await expect(
        listCoveringSources(harness.knex, { entityRefs: [A] }),
      ).resolves.toEqual([expect.objectContaining({ providerId: SN })]);
      const both = await listCoveringSources(harness.knex, {
        entityRefs: [A, B, 'component:default/unmapped'],
      });
      expect(both.map(s => s.providerId)).toEqual([PD, SN]);
      await expect(
        listCoveringSources(harness.knex, {
          entityRefs: ['component:default/unmapped'],
        }),
      ).resolves.toEqual([]);
      await expect(
        listCoveringSources(harness.knex, { entityRefs: [] }),
      ).resolves.toEqual([]);
    });

    it('reads a large rollup in one statement', async () => {
      const refs = [
        ...Array.from({ length: 700 }, (_, i) => `component:default/c${i}`),
        HR,
      ];
      const statements: string[] = [];
      const count = (query: { sql: string }) => statements.push(query.sql);
      harness.knex.on('query', count);
      try {
        const sources = await listCoveringSources(harness.knex, {
          entityRefs: refs,
        });
        expect(sources).toEqual([
          expect.objectContaining({ providerId: HR_DESK, department: 'hr' }),
        ]);
      } finally {
        harness.knex.removeListener('query', count);
      }
      expect(statements).toHaveLength(1);
    });

    it('counts a source only through records the filter admits', async () => {
      const notHr: RecordFilter = {
        not: { key: 'department', values: ['hr'] },
      };
      await expect(
        listCoveringSources(harness.knex, { entityRefs: [HR], filter: notHr }),
      ).resolves.toEqual([]);
      const onlyHr: RecordFilter = { key: 'department', values: ['hr'] };
      const sources = await listCoveringSources(harness.knex, {
        entityRefs: [A, B, HR],
        filter: onlyHr,
      });
      expect(sources.map(s => s.providerId)).toEqual([HR_DESK]);
    });

    it('says whether the last run failed and whether the first run finished', async () => {
      const t = (hours: number) => T0 + hours * HOUR;
      // ServiceNow: a success, then a failure.
      await run(SN, { start: t(1), end: t(2) });
      await run(SN, { start: t(3), end: t(4), error: SECRET });
      // PagerDuty: its first run is under way.
      await run(PD, { start: t(5) });
      // HR: a failed first run, then a success, then a run under way.
      await run(HR_DESK, { start: t(1), end: t(2), error: SECRET });
      await run(HR_DESK, { start: t(3), end: t(4) });
      await run(HR_DESK, { start: t(5) });

      const sources = await listCoveringSources(harness.knex, {
        entityRefs: [A, B, HR],
      });
      expect(sources).toEqual([
        {
          providerId: HR_DESK,
          department: 'hr',
          lastSucceededAt: iso(t(4)),
          lastFinishedAt: iso(t(4)),
          lastRunFailed: false,
          failedParts: [],
          firstRunFinished: true,
        },
        {
          providerId: PD,
          department: 'it',
          lastSucceededAt: null,
          lastFinishedAt: null,
          lastRunFailed: false,
          failedParts: [],
          firstRunFinished: false,
        },
        {
          providerId: SN,
          department: 'it',
          lastSucceededAt: iso(t(2)),
          lastFinishedAt: iso(t(4)),
          lastRunFailed: true,
          failedParts: [],
          firstRunFinished: true,
        },
      ]);
      expect(JSON.stringify(sources)).not.toContain('hunter2');
    });

    it('tells a failed first run from one retried and one never retried', async () => {
      const t = (hours: number) => T0 + hours * HOUR;
      // ServiceNow failed its first run and has not run since.
      await run(SN, { start: t(1), end: t(2), error: SECRET });
      // PagerDuty failed its first run; the retry is under way.
      await run(PD, { start: t(1), end: t(2), error: SECRET });
      await run(PD, { start: t(3) });
      const byId = Object.fromEntries(
        (await listCoveringSources(harness.knex, { entityRefs: [A, B] })).map(
          s => [s.providerId, s],
        ),
      );
      expect(byId[SN]).toMatchObject({
        lastSucceededAt: null,
        lastFinishedAt: iso(t(2)),
        lastRunFailed: true,
        firstRunFinished: true,
      });
      expect(byId[PD]).toMatchObject({
        lastSucceededAt: null,
        lastRunFailed: true,
        firstRunFinished: false,
      });
    });

    it('names the parts the last run could not read, never their errors', async () => {
      const t = (hours: number) => T0 + hours * HOUR;
      await run(SN, {
        start: t(1),
        end: t(2),
        failedParts: [
          { part: 'problem', error: `403 Forbidden: ${SECRET}` },
          { part: 'task_sla', error: '400 Invalid table' },
          { part: 'problem', error: 'again' },
        ],
      });
      // A failed run that also lost a part; then an unreadable column value.
      await run(PD, {
        start: t(1),
        end: t(2),
        error: SECRET,
        failedParts: [{ part: 'incidents', error: SECRET }],
      });
      await run(HR_DESK, { start: t(1), end: t(2) });
      await writeFailedParts(HR_DESK, 'not json');
      const sources = await listCoveringSources(harness.knex, {
        entityRefs: [A, B, HR],
      });
      expect(sources).toEqual([
        expect.objectContaining({ providerId: HR_DESK, failedParts: [] }),
        expect.objectContaining({
          providerId: PD,
          lastRunFailed: true,
          failedParts: ['incidents'],
        }),
        expect.objectContaining({
          providerId: SN,
          lastRunFailed: false,
          failedParts: ['problem', 'task_sla'],
        }),
      ]);
      expect(JSON.stringify(sources)).not.toMatch(/hunter2|Forbidden|Invalid/);
    });
  },
);
