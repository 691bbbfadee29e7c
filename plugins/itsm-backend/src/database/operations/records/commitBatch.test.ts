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

import { itsmFeedbackInputSchema } from '@backstage-itsm/plugin-itsm-common';
import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import {
  batch,
  clearStoreTables,
  countRows,
  createStoreDatabase,
  entity,
  P1,
  P2,
  rec,
  STORE_DATABASE_IDS,
} from '../../../__testUtils__/storeFixtures';
import { getCursor } from '../syncState/getCursor';
import { commitBatch } from './commitBatch';
import { getRecord } from './getRecords';
import { listRecordMappings } from './listRecordMappings';
import { listRecords } from './listRecords';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: [...STORE_DATABASE_IDS] });
const unsupported = STORE_DATABASE_IDS.filter(id => !databases.supports(id));

describe.each(databases.eachSupportedId())('commitBatch on %s', databaseId => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await createStoreDatabase(databases, databaseId);
  });

  afterEach(async () => {
    await clearStoreTables(knex);
  });

  async function count(table: string): Promise<number> {
    return countRows(knex, table);
  }

  async function titleOf(externalId: string, providerId = P1) {
    const row = await knex('records')
      .where({ provider_id: providerId, external_id: externalId })
      .first();
    return row?.title;
  }

  describe('commitBatch', () => {
    it('inserts a batch, and the same batch again changes nothing', async () => {
      const input = batch([
        rec('a', {
          slas: [
            {
              name: 'P3 resolution',
              kind: 'resolution',
              targetSeconds: 3600,
              stage: 'in_progress',
              breached: false,
              startAt: '2026-01-01T00:00:00Z',
            },
          ],
          mappings: [{ annotation: 'servicenow.com/ci-sysid', value: 'ci1' }],
        }),
        rec('b'),
        rec('c'),
      ]);

      await expect(commitBatch(knex, input)).resolves.toEqual({
        upserted: 3,
        unchanged: 0,
        feedback: 0,
        deadLettered: 0,
        deleted: 0,
      });
      const ids = await knex('records')
        .select('id', 'external_id')
        .orderBy('external_id');

      await expect(commitBatch(knex, input)).resolves.toEqual({
        upserted: 0,
        unchanged: 3,
        feedback: 0,
        deadLettered: 0,
        deleted: 0,
      });
      await expect(count('records')).resolves.toBe(3);
      await expect(count('slas')).resolves.toBe(1);
      await expect(count('record_mappings')).resolves.toBe(1);
      await expect(
        knex('records').select('id', 'external_id').orderBy('external_id'),
      ).resolves.toEqual(ids);
    });

    it('stores every field and reads it back', async () => {
      await commitBatch(
        knex,
        batch([
          rec(
            'chg',
            {
              kind: 'change',
              number: 'CHG0001',
              title: 'Upgrade',
              url: 'https://example.service-now.com/chg',
              state: 'closed',
              priority: 2,
              openedAt: '2026-02-01T10:00:00+02:00',
              acknowledgedAt: '2026-02-01T08:05:00Z',
              resolvedAt: '2026-02-01T09:00:00Z',
              closedAt: '2026-02-01T09:30:00Z',
              impactStart: '2026-02-01T08:10:00Z',
              impactEnd: '2026-02-01T08:20:00Z',
              changeType: 'emergency',
              plannedStart: '2026-02-01T08:00:00Z',
              plannedEnd: '2026-02-01T09:00:00Z',
              actualStart: '2026-02-01T08:01:00Z',
              actualEnd: '2026-02-01T08:59:00Z',
              outcome: 'successful_with_issues',
              problemId: 'PRB1',
              reopenCount: 2,
              assignmentGroup: 'Network',
              assignee: 'alice',
              sourceUpdatedAt: '2026-02-01T09:30:00.123Z',
              slas: [
                {
                  name: 'response',
                  kind: 'response',
                  targetSeconds: null,
                  stage: 'breached',
                  breached: true,
                  startAt: '2026-02-01T08:00:00Z',
                  endAt: '2026-02-01T08:30:00Z',
                  breachAt: '2026-02-01T08:15:00Z',
                  businessElapsedSeconds: 1800.5,
                },
              ],
            },
            [entity('component:default/router', 'group:default/net')],
          ),
        ]),
      );
      const { items } = await listRecords(knex, { limit: 10 });
      expect(items).toEqual([
        {
          id: expect.any(String),
          providerId: P1,
          externalId: 'chg',
          kind: 'change',
          department: 'it',
          number: 'CHG0001',
          title: 'Upgrade',
          url: 'https://example.service-now.com/chg',
          state: 'closed',
          priority: 2,
          openedAt: '2026-02-01T08:00:00.000Z',
          acknowledgedAt: '2026-02-01T08:05:00.000Z',
          resolvedAt: '2026-02-01T09:00:00.000Z',
          closedAt: '2026-02-01T09:30:00.000Z',
          impactStart: '2026-02-01T08:10:00.000Z',
          impactEnd: '2026-02-01T08:20:00.000Z',
          changeType: 'emergency',
          plannedStart: '2026-02-01T08:00:00.000Z',
          plannedEnd: '2026-02-01T09:00:00.000Z',
          actualStart: '2026-02-01T08:01:00.000Z',
          actualEnd: '2026-02-01T08:59:00.000Z',
          outcome: 'successful_with_issues',
          causedByChange: null,
          problem: {
            externalId: 'PRB1',
            id: null,
            number: null,
            title: null,
          },
          reopenCount: 2,
          assignmentGroup: 'Network',
          assignee: 'alice',
          sourceUpdatedAt: '2026-02-01T09:30:00.123Z',
          entityRefs: ['component:default/router'],
          ownerRefs: ['group:default/net'],
          slas: [
            {
              name: 'response',
              kind: 'response',
              targetSeconds: null,
              stage: 'breached',
              breached: true,
              startAt: '2026-02-01T08:00:00.000Z',
              endAt: '2026-02-01T08:30:00.000Z',
              breachAt: '2026-02-01T08:15:00.000Z',
              businessElapsedSeconds: 1800.5,
            },
          ],
        },
      ]);
      const row = await knex('records').where('external_id', 'chg').first();
      expect(Number(row.opened_at)).toBe(Date.parse('2026-02-01T08:00:00Z'));
      expect(JSON.parse(row.payload)).toEqual({ sys_id: 'chg' });
      await expect(getRecord(knex, { id: items[0].id })).resolves.toEqual(
        items[0],
      );
    });

    it('never lets an older version overwrite a newer one', async () => {
      const newer = rec('a', {
        title: 'newer',
        sourceUpdatedAt: '2026-01-02T00:00:00Z',
      });
      const older = rec('a', {
        title: 'older',
        sourceUpdatedAt: '2026-01-01T00:00:00Z',
      });
      await commitBatch(knex, batch([newer]));

      await expect(commitBatch(knex, batch([older]))).resolves.toMatchObject({
        upserted: 0,
        unchanged: 1,
      });
      await expect(titleOf('a')).resolves.toBe('newer');

      // Same instant, different content: the source changed without
      // moving its watermark, so the content wins.
      const sameInstant = rec('a', {
        title: 'corrected',
        sourceUpdatedAt: '2026-01-02T00:00:00Z',
      });
      await expect(
        commitBatch(knex, batch([sameInstant])),
      ).resolves.toMatchObject({ upserted: 1, unchanged: 0 });
      await expect(titleOf('a')).resolves.toBe('corrected');
      await expect(
        commitBatch(knex, batch([sameInstant])),
      ).resolves.toMatchObject({ upserted: 0, unchanged: 1 });
      await expect(count('records')).resolves.toBe(1);
    });

    it('keeps the newest of the same external id within one batch', async () => {
      const v1 = rec('a', {
        title: 'v1',
        sourceUpdatedAt: '2026-01-01T01:00:00Z',
      });
      const v3 = rec('a', {
        title: 'v3',
        sourceUpdatedAt: '2026-01-01T03:00:00Z',
      });
      const v2 = rec('a', {
        title: 'v2',
        sourceUpdatedAt: '2026-01-01T02:00:00Z',
      });

      await expect(
        commitBatch(knex, batch([v1, v3, v2, rec('b')])),
      ).resolves.toMatchObject({ upserted: 2, unchanged: 0 });
      await expect(titleOf('a')).resolves.toBe('v3');
      await expect(count('records')).resolves.toBe(2);
    });

    it('saves the cursor with the batch and keeps it when undefined', async () => {
      await expect(getCursor(knex, { providerId: P1 })).resolves.toBeNull();
      await commitBatch(knex, batch([rec('a')], { cursor: 'c1' }));
      await expect(getCursor(knex, { providerId: P1 })).resolves.toBe('c1');

      await commitBatch(knex, batch([rec('b')]));
      await expect(getCursor(knex, { providerId: P1 })).resolves.toBe('c1');

      await commitBatch(knex, batch([], { cursor: 'c2' }));
      await expect(getCursor(knex, { providerId: P1 })).resolves.toBe('c2');
      await expect(getCursor(knex, { providerId: P2 })).resolves.toBeNull();

      await commitBatch(knex, batch([], { cursor: null }));
      await expect(getCursor(knex, { providerId: P1 })).resolves.toBeNull();
    });

    it('commits all of a batch or nothing, cursor included', async () => {
      await commitBatch(knex, batch([rec('a')], { cursor: 'c1' }));
      const broken = rec('b');
      // Breaks a NOT NULL column, as a database failure would.
      broken.record.title = null as unknown as string;

      await expect(
        commitBatch(
          knex,
          batch(
            [
              rec('a', {
                title: 'changed',
                sourceUpdatedAt: '2026-03-01T00:00:00Z',
              }),
              broken,
            ],
            {
              cursor: 'c2',
              deadLetters: [{ externalId: 'x', payload: {}, error: 'bad' }],
            },
          ),
        ),
        // Matched on the message: the driver's error may come from another
        // module realm when suites share a worker, and fail `toThrow()`.
      ).rejects.toMatchObject({ message: expect.stringMatching(/null/i) });
      await expect(getCursor(knex, { providerId: P1 })).resolves.toBe('c1');
      await expect(titleOf('a')).resolves.toBe('Record a');
      await expect(count('records')).resolves.toBe(1);
      await expect(count('dead_letters')).resolves.toBe(0);
    });

    it('replaces slas, mappings and entities when a record changes', async () => {
      const sla = (name: string) => ({
        name,
        kind: 'resolution' as const,
        targetSeconds: 60,
        stage: 'in_progress' as const,
        breached: false,
        startAt: '2026-01-01T00:00:00Z',
      });
      await commitBatch(
        knex,
        batch([
          rec(
            'a',
            {
              slas: [sla('one'), sla('two')],
              entityRefs: ['component:default/x'],
              mappings: [
                { annotation: 'pagerduty.com/service-id', value: 'P1' },
              ],
            },
            [entity('component:default/x'), entity('component:default/y')],
          ),
          rec('b', { slas: [sla('untouched')] }),
        ]),
      );
      await commitBatch(
        knex,
        batch([
          rec(
            'a',
            {
              sourceUpdatedAt: '2026-01-05T00:00:00Z',
              slas: [sla('three')],
              mappings: [
                { annotation: 'pagerduty.com/service-id', value: 'P2' },
              ],
            },
            [entity('component:default/z')],
          ),
        ]),
      );

      const a = (await listRecords(knex, { limit: 10 })).items.find(
        r => r.externalId === 'a',
      )!;
      expect(a.slas.map(s => s.name)).toEqual(['three']);
      expect(a.entityRefs).toEqual(['component:default/z']);
      await expect(count('slas')).resolves.toBe(2);

      const mappings = await listRecordMappings(knex, { limit: 10 });
      expect(mappings.find(m => m.recordId === a.id)).toEqual({
        recordId: a.id,
        entityRefs: [],
        mappings: [{ annotation: 'pagerduty.com/service-id', value: 'P2' }],
      });
    });

    it('upserts feedback by external id', async () => {
      const fb = (externalId: string, score: number) =>
        itsmFeedbackInputSchema.parse({
          externalId,
          recordExternalId: 'a',
          scale: 'csat5',
          score,
          respondedAt: '2026-01-03T00:00:00Z',
        });
      await expect(
        commitBatch(knex, batch([], { feedback: [fb('f1', 2), fb('f2', 5)] })),
      ).resolves.toMatchObject({ feedback: 2 });
      await expect(
        commitBatch(knex, batch([], { feedback: [fb('f1', 4), fb('f1', 3)] })),
      ).resolves.toMatchObject({ feedback: 1 });
      const rows = await knex('feedback').orderBy('external_id');
      expect(
        rows.map(r => [r.external_id, Number(r.score), Number(r.responded_at)]),
      ).toEqual([
        ['f1', 3, Date.parse('2026-01-03T00:00:00Z')],
        ['f2', 5, Date.parse('2026-01-03T00:00:00Z')],
      ]);
    });

    it('writes one row when two batches race on the same key', async () => {
      const input = batch([rec('a'), rec('b')]);
      const results = await Promise.all([
        commitBatch(knex, input),
        commitBatch(knex, input),
        commitBatch(knex, batch([rec('b'), rec('a')])),
      ]);
      expect(results.reduce((n, r) => n + r.upserted, 0)).toBe(2);
      expect(results.reduce((n, r) => n + r.unchanged, 0)).toBe(4);
      await expect(count('records')).resolves.toBe(2);

      const older = rec('c', {
        title: 'older',
        sourceUpdatedAt: '2026-01-01T00:00:00Z',
      });
      const newer = rec('c', {
        title: 'newer',
        sourceUpdatedAt: '2026-01-02T00:00:00Z',
      });
      await Promise.all([
        commitBatch(knex, batch([newer])),
        commitBatch(knex, batch([older])),
      ]);
      await expect(titleOf('c')).resolves.toBe('newer');
      await expect(count('records')).resolves.toBe(3);
    });

    it('handles batches larger than one statement', async () => {
      const many = Array.from({ length: 1001 }, (_, i) =>
        rec(
          `r${String(i).padStart(4, '0')}`,
          {
            slas: [
              {
                name: 'response',
                kind: 'response',
                targetSeconds: 60,
                stage: 'completed',
                breached: false,
                startAt: '2026-01-01T00:00:00Z',
              },
            ],
            entityRefs: ['component:default/big'],
          },
          [entity('component:default/big')],
        ),
      );
      await expect(commitBatch(knex, batch(many))).resolves.toMatchObject({
        upserted: 1001,
      });
      await expect(commitBatch(knex, batch(many))).resolves.toMatchObject({
        upserted: 0,
        unchanged: 1001,
      });
      await expect(count('records')).resolves.toBe(1001);
      await expect(count('slas')).resolves.toBe(1001);
      await expect(count('record_entities')).resolves.toBe(1001);
    });
  });
});

if (unsupported.length > 0) {
  describe.each(unsupported)('commitBatch on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
