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

import {
  ItsmRecordInput,
  itsmFeedbackInputSchema,
  itsmRecordInputSchema,
} from '@backstage-itsm/plugin-itsm-common';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { DatabaseItsmStore } from './DatabaseItsmStore';
import type {
  CommitBatchInput,
  RecordFilter,
  RecordToStore,
  ResolvedEntity,
} from './ItsmStore';

jest.setTimeout(60_000);

const DATABASE_IDS = ['POSTGRES_15', 'SQLITE_3'] as const;
const databases = TestDatabases.create({ ids: [...DATABASE_IDS] });
const unsupported = DATABASE_IDS.filter(id => !databases.supports(id));

const P1 = 'servicenow:corp';
const P2 = 'hr:main';

function rec(
  externalId: string,
  overrides: Partial<ItsmRecordInput> = {},
  entities: ResolvedEntity[] = [],
): RecordToStore {
  const record = itsmRecordInputSchema.parse({
    externalId,
    kind: 'incident',
    number: `INC-${externalId}`,
    title: `Record ${externalId}`,
    state: 'new',
    openedAt: '2026-01-01T00:00:00Z',
    sourceUpdatedAt: '2026-01-01T01:00:00Z',
    payload: { sys_id: externalId },
    ...overrides,
  });
  return { record, entities };
}

function entity(ref: string, ownerRef: string | null = null): ResolvedEntity {
  return { entityRef: ref, via: 'servicenow.com/ci-sysid', ownerRef };
}

function batch(
  records: RecordToStore[],
  extra: Partial<CommitBatchInput> = {},
): CommitBatchInput {
  return {
    providerId: P1,
    department: 'it',
    records,
    feedback: [],
    deadLetters: [],
    ...extra,
  };
}

describe.each(databases.eachSupportedId())(
  'DatabaseItsmStore on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseItsmStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseItsmStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    afterEach(async () => {
      for (const table of [
        'slas',
        'record_mappings',
        'record_entities',
        'records',
        'feedback',
        'dead_letters',
        'sync_state',
      ]) {
        await knex(table).delete();
      }
    });

    async function count(table: string): Promise<number> {
      const [row] = await knex(table).count({ n: '*' });
      return Number(row.n);
    }

    async function titleOf(externalId: string, providerId = P1) {
      const row = await knex('records')
        .where({ provider_id: providerId, external_id: externalId })
        .first();
      return row?.title;
    }

    async function listIds(
      extra: Partial<Parameters<DatabaseItsmStore['listRecords']>[0]> = {},
    ): Promise<string[]> {
      const { items } = await store.listRecords({ limit: 100, ...extra });
      return items.map(item => item.externalId).sort();
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

        await expect(store.commitBatch(input)).resolves.toEqual({
          upserted: 3,
          unchanged: 0,
          feedback: 0,
          deadLettered: 0,
          deleted: 0,
        });
        const ids = await knex('records')
          .select('id', 'external_id')
          .orderBy('external_id');

        await expect(store.commitBatch(input)).resolves.toEqual({
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
        await store.commitBatch(
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
        const { items } = await store.listRecords({ limit: 10 });
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
        await expect(store.getRecord(items[0].id)).resolves.toEqual(items[0]);
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
        await store.commitBatch(batch([newer]));

        await expect(store.commitBatch(batch([older]))).resolves.toMatchObject({
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
          store.commitBatch(batch([sameInstant])),
        ).resolves.toMatchObject({ upserted: 1, unchanged: 0 });
        await expect(titleOf('a')).resolves.toBe('corrected');
        await expect(
          store.commitBatch(batch([sameInstant])),
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
          store.commitBatch(batch([v1, v3, v2, rec('b')])),
        ).resolves.toMatchObject({ upserted: 2, unchanged: 0 });
        await expect(titleOf('a')).resolves.toBe('v3');
        await expect(count('records')).resolves.toBe(2);
      });

      it('saves the cursor with the batch and keeps it when undefined', async () => {
        await expect(store.getCursor(P1)).resolves.toBeNull();
        await store.commitBatch(batch([rec('a')], { cursor: 'c1' }));
        await expect(store.getCursor(P1)).resolves.toBe('c1');

        await store.commitBatch(batch([rec('b')]));
        await expect(store.getCursor(P1)).resolves.toBe('c1');

        await store.commitBatch(batch([], { cursor: 'c2' }));
        await expect(store.getCursor(P1)).resolves.toBe('c2');
        await expect(store.getCursor(P2)).resolves.toBeNull();

        await store.commitBatch(batch([], { cursor: null }));
        await expect(store.getCursor(P1)).resolves.toBeNull();
      });

      it('commits all of a batch or nothing, cursor included', async () => {
        await store.commitBatch(batch([rec('a')], { cursor: 'c1' }));
        const broken = rec('b');
        // Breaks a NOT NULL column, as a database failure would.
        broken.record.title = null as unknown as string;

        await expect(
          store.commitBatch(
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
        await expect(store.getCursor(P1)).resolves.toBe('c1');
        await expect(titleOf('a')).resolves.toBe('Record a');
        await expect(count('records')).resolves.toBe(1);
        await expect(count('dead_letters')).resolves.toBe(0);
      });

      it('stores dead letters and counts them', async () => {
        const circular: Record<string, unknown> = { name: 'loop' };
        circular.self = circular;
        await expect(
          store.commitBatch(
            batch([rec('a')], {
              deadLetters: [
                {
                  externalId: 'bad1',
                  payload: { openedAt: 'yesterday' },
                  error: 'openedAt: Invalid',
                },
                { externalId: null, payload: circular, error: 'no externalId' },
              ],
            }),
          ),
        ).resolves.toEqual({
          upserted: 1,
          unchanged: 0,
          feedback: 0,
          deadLettered: 2,
          deleted: 0,
        });

        const rows = await knex('dead_letters').orderBy('error');
        expect(rows.map(r => [r.external_id, r.payload, r.error])).toEqual([
          [null, '[object Object]', 'no externalId'],
          ['bad1', '{"openedAt":"yesterday"}', 'openedAt: Invalid'],
        ]);

        const letters = await store.listDeadLetters({ limit: 10 });
        const at = expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
        expect(
          [...letters].sort((x, y) => x.error.localeCompare(y.error)),
        ).toEqual([
          {
            id: expect.any(String),
            providerId: P1,
            externalId: null,
            error: 'no externalId',
            at,
          },
          {
            id: expect.any(String),
            providerId: P1,
            externalId: 'bad1',
            error: 'openedAt: Invalid',
            at,
          },
        ]);
        await expect(
          store.listDeadLetters({ providerId: P2, limit: 10 }),
        ).resolves.toEqual([]);
        await expect(
          store.listDeadLetters({ providerId: P1, limit: 1 }),
        ).resolves.toHaveLength(1);

        const [status] = await store.listSyncStatus();
        expect(status.totals).toEqual({
          records: 1,
          deadLetters: 2,
          tombstones: 0,
        });
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
        await store.commitBatch(
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
        await store.commitBatch(
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

        const a = (await store.listRecords({ limit: 10 })).items.find(
          r => r.externalId === 'a',
        )!;
        expect(a.slas.map(s => s.name)).toEqual(['three']);
        expect(a.entityRefs).toEqual(['component:default/z']);
        await expect(count('slas')).resolves.toBe(2);

        const mappings = await store.listRecordMappings({ limit: 10 });
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
          store.commitBatch(
            batch([], { feedback: [fb('f1', 2), fb('f2', 5)] }),
          ),
        ).resolves.toMatchObject({ feedback: 2 });
        await expect(
          store.commitBatch(
            batch([], { feedback: [fb('f1', 4), fb('f1', 3)] }),
          ),
        ).resolves.toMatchObject({ feedback: 1 });
        const rows = await knex('feedback').orderBy('external_id');
        expect(
          rows.map(r => [
            r.external_id,
            Number(r.score),
            Number(r.responded_at),
          ]),
        ).toEqual([
          ['f1', 3, Date.parse('2026-01-03T00:00:00Z')],
          ['f2', 5, Date.parse('2026-01-03T00:00:00Z')],
        ]);
      });

      it('writes one row when two batches race on the same key', async () => {
        const input = batch([rec('a'), rec('b')]);
        const results = await Promise.all([
          store.commitBatch(input),
          store.commitBatch(input),
          store.commitBatch(batch([rec('b'), rec('a')])),
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
          store.commitBatch(batch([newer])),
          store.commitBatch(batch([older])),
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
        await expect(store.commitBatch(batch(many))).resolves.toMatchObject({
          upserted: 1001,
        });
        await expect(store.commitBatch(batch(many))).resolves.toMatchObject({
          upserted: 0,
          unchanged: 1001,
        });
        await expect(count('records')).resolves.toBe(1001);
        await expect(count('slas')).resolves.toBe(1001);
        await expect(count('record_entities')).resolves.toBe(1001);
      });
    });

    describe('listRecords', () => {
      const teamA = 'group:default/team-a';
      const teamB = 'group:default/team-b';

      beforeEach(async () => {
        await store.commitBatch(
          batch([
            rec(
              'A',
              {
                title: 'Database down at 100% CPU',
                priority: 1,
                openedAt: '2026-01-01T00:00:00Z',
              },
              [entity('component:default/a', teamA)],
            ),
            rec(
              'B',
              {
                kind: 'change',
                title: 'Upgrade 1000 nodes (diskXfull)',
                state: 'closed',
                priority: 3,
                openedAt: '2026-01-05T00:00:00Z',
                closedAt: '2026-01-06T00:00:00Z',
              },
              [entity('component:default/b', teamB)],
            ),
            rec('D', {
              kind: 'problem',
              number: 'PRB-D',
              title: 'Disk_full on host',
              state: 'in_progress',
              openedAt: '2026-01-15T00:00:00Z',
            }),
          ]),
        );
        await store.commitBatch({
          ...batch([
            rec(
              'C',
              {
                kind: 'request',
                title: 'New laptop',
                state: 'resolved',
                openedAt: '2026-01-09T00:00:00Z',
                resolvedAt: '2026-01-10T00:00:00Z',
              },
              [entity('component:default/a', teamA)],
            ),
          ]),
          providerId: P2,
          department: 'hr',
        });
      });

      it('filters by entity, kind, state, priority and provider', async () => {
        await expect(listIds()).resolves.toEqual(['A', 'B', 'C', 'D']);
        await expect(
          listIds({ entityRefs: ['component:default/a'] }),
        ).resolves.toEqual(['A', 'C']);
        await expect(
          listIds({
            entityRefs: ['component:default/a', 'component:default/b'],
          }),
        ).resolves.toEqual(['A', 'B', 'C']);
        await expect(listIds({ entityRefs: [] })).resolves.toEqual([]);
        await expect(
          listIds({ kinds: ['change', 'problem'] }),
        ).resolves.toEqual(['B', 'D']);
        await expect(listIds({ states: ['closed'] })).resolves.toEqual(['B']);
        await expect(listIds({ priorities: [1, 3] })).resolves.toEqual([
          'A',
          'B',
        ]);
        await expect(listIds({ providerIds: [P2] })).resolves.toEqual(['C']);
        await expect(
          listIds({ kinds: ['incident', 'request'], providerIds: [P1] }),
        ).resolves.toEqual(['A']);
      });

      it('filters by overlap with a time window', async () => {
        const ms = (iso: string) => Date.parse(iso);
        await expect(
          listIds({
            from: ms('2026-01-06T12:00:00Z'),
            to: ms('2026-01-12T00:00:00Z'),
          }),
        ).resolves.toEqual(['A', 'C']);
        // The end of a record's life is exclusive, like the window's.
        await expect(
          listIds({
            from: ms('2026-01-06T00:00:00Z'),
            to: ms('2026-01-07T00:00:00Z'),
          }),
        ).resolves.toEqual(['A']);
        await expect(
          listIds({
            from: ms('2026-01-05T23:59:59Z'),
            to: ms('2026-01-07T00:00:00Z'),
          }),
        ).resolves.toEqual(['A', 'B']);
        await expect(
          listIds({ to: ms('2026-01-05T00:00:00Z') }),
        ).resolves.toEqual(['A']);
        await expect(
          listIds({ from: ms('2026-02-01T00:00:00Z') }),
        ).resolves.toEqual(['A', 'D']);
      });

      it('searches number and title, case-insensitively and literally', async () => {
        await expect(listIds({ q: 'DATABASE' })).resolves.toEqual(['A']);
        await expect(listIds({ q: '100%' })).resolves.toEqual(['A']);
        await expect(listIds({ q: '100' })).resolves.toEqual(['A', 'B']);
        await expect(listIds({ q: 'k_f' })).resolves.toEqual(['D']);
        await expect(listIds({ q: 'prb-d' })).resolves.toEqual(['D']);
        await expect(listIds({ q: 'inc-' })).resolves.toEqual(['A', 'B', 'C']);
        await expect(listIds({ q: '\\' })).resolves.toEqual([]);
      });

      it.each<[string, RecordFilter, string[]]>([
        ['department', { key: 'department', values: ['hr'] }, ['C']],
        ['kind', { key: 'kind', values: ['incident'] }, ['A']],
        ['empty values', { key: 'kind', values: [] }, []],
        ['owner', { key: 'owner', values: [teamA] }, ['A', 'C']],
        [
          'not',
          { not: { key: 'department', values: ['hr'] } },
          ['A', 'B', 'D'],
        ],
        ['empty anyOf', { anyOf: [] } as unknown as RecordFilter, []],
        [
          'empty allOf',
          { allOf: [] } as unknown as RecordFilter,
          ['A', 'B', 'C', 'D'],
        ],
        [
          'not empty anyOf',
          { not: { anyOf: [] } } as unknown as RecordFilter,
          ['A', 'B', 'C', 'D'],
        ],
        [
          'not empty allOf',
          { not: { allOf: [] } } as unknown as RecordFilter,
          [],
        ],
        [
          'anyOf',
          {
            anyOf: [
              { key: 'owner', values: [teamB] },
              { key: 'kind', values: ['problem'] },
            ],
          },
          ['B', 'D'],
        ],
        [
          'allOf with not owner',
          {
            allOf: [
              { key: 'department', values: ['it'] },
              { not: { key: 'owner', values: [teamA] } },
            ],
          },
          ['B', 'D'],
        ],
        [
          'nested',
          {
            anyOf: [
              {
                allOf: [
                  { key: 'department', values: ['hr'] },
                  { key: 'owner', values: [teamA] },
                ],
              },
              {
                not: {
                  anyOf: [
                    { key: 'department', values: ['hr'] },
                    { key: 'kind', values: ['incident', 'change'] },
                  ],
                },
              },
            ],
          },
          ['C', 'D'],
        ],
      ])('applies a permission filter: %s', async (_name, filter, expected) => {
        await expect(listIds({ filter })).resolves.toEqual(expected);
        const a = (await store.listRecords({ limit: 10 })).items.find(
          r => r.externalId === 'A',
        )!;
        await expect(store.getRecord(a.id, filter)).resolves.toEqual(
          expected.includes('A') ? a : undefined,
        );
        const ids = (await store.listRecords({ limit: 10 })).items
          .map(r => r.id)
          .reverse();
        const byIds = await store.getRecords([...ids, 'no-such-id'], filter);
        const all = await store.getRecords(ids);
        expect(byIds.map(r => r.externalId)).toEqual(
          all.map(r => r.externalId).filter(id => expected.includes(id)),
        );
      });

      it('combines the permission filter with the other filters', async () => {
        await expect(
          listIds({
            filter: { key: 'owner', values: [teamA] },
            kinds: ['request'],
          }),
        ).resolves.toEqual(['C']);
      });

      it('returns undefined for an unknown id', async () => {
        await expect(store.getRecord('no-such-id')).resolves.toBeUndefined();
      });
    });

    describe('pagination', () => {
      it('pages without gaps or repeats, in both orders', async () => {
        // 21 records, several sharing an openedAt so the id breaks ties.
        const records = Array.from({ length: 21 }, (_, i) =>
          rec(`p${i}`, {
            openedAt: new Date(
              Date.UTC(2026, 0, 1 + Math.floor(i / 3)),
            ).toISOString(),
          }),
        );
        await store.commitBatch(batch(records));
        const all = await knex('records').select('id', 'opened_at');
        const expectedDesc = all
          .sort(
            (x, y) =>
              Number(y.opened_at) - Number(x.opened_at) ||
              (y.id < x.id ? -1 : 1),
          )
          .map(r => r.id);

        for (const order of ['desc', 'asc'] as const) {
          const seen: string[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await store.listRecords({ limit: 7, order, cursor });
            seen.push(...page.items.map(r => r.id));
            cursor = page.nextCursor;
            pages += 1;
          } while (cursor && pages < 10);
          expect(pages).toBe(3);
          expect(seen).toEqual(
            order === 'desc' ? expectedDesc : [...expectedDesc].reverse(),
          );
        }

        const firstPage = await store.listRecords({ limit: 20 });
        expect(firstPage.items).toHaveLength(20);
        expect(firstPage.nextCursor).toBeDefined();
        const lastPage = await store.listRecords({
          limit: 20,
          cursor: firstPage.nextCursor,
        });
        expect(lastPage.items.map(r => r.id)).toEqual([expectedDesc[20]]);
        expect(lastPage.nextCursor).toBeUndefined();
      });

      it('keeps filters across pages', async () => {
        await store.commitBatch(
          batch(
            Array.from({ length: 10 }, (_, i) =>
              rec(`k${i}`, { kind: i % 2 ? 'change' : 'incident' }),
            ),
          ),
        );
        const first = await store.listRecords({ limit: 3, kinds: ['change'] });
        const second = await store.listRecords({
          limit: 3,
          kinds: ['change'],
          cursor: first.nextCursor,
        });
        expect(
          [...first.items, ...second.items].map(r => r.externalId).sort(),
        ).toEqual(['k1', 'k3', 'k5', 'k7', 'k9']);
        expect(second.nextCursor).toBeUndefined();
      });

      it('refuses a malformed cursor', async () => {
        await expect(
          store.listRecords({ limit: 5, cursor: 'not-a-cursor' }),
        ).rejects.toThrow(/Invalid cursor/);
        await store.commitBatch(batch([rec('a'), rec('b')]));
        const { nextCursor } = await store.listRecords({ limit: 1 });
        await expect(
          store.listRecords({ limit: 1, cursor: nextCursor, order: 'asc' }),
        ).rejects.toThrow(/desc order/);
      });
    });

    describe('links', () => {
      it('resolves a link when its target arrives after the source', async () => {
        await store.commitBatch(
          batch([rec('INC1', { causedByChange: 'CHG1', problemId: 'PRB1' })]),
        );
        let [incident] = (await store.listRecords({ limit: 10 })).items;
        expect(incident.causedByChange).toEqual({
          externalId: 'CHG1',
          id: null,
          number: null,
          title: null,
        });

        // A record with that external id in another provider is not it.
        await store.commitBatch({
          ...batch([rec('CHG1', { kind: 'change', title: 'Elsewhere' })]),
          providerId: P2,
        });
        await store.commitBatch(
          batch([
            rec('CHG1', {
              kind: 'change',
              number: 'CHG0001',
              title: 'Bad deploy',
              openedAt: '2025-12-31T00:00:00Z',
            }),
          ]),
        );
        const change = (
          await store.listRecords({
            limit: 10,
            providerIds: [P1],
            kinds: ['change'],
          })
        ).items[0];
        incident = (await store.getRecord(incident.id))!;
        expect(incident.causedByChange).toEqual({
          externalId: 'CHG1',
          id: change.id,
          number: 'CHG0001',
          title: 'Bad deploy',
        });
        expect(incident.problem).toEqual({
          externalId: 'PRB1',
          id: null,
          number: null,
          title: null,
        });

        // A linked record the filter hides reads as not arrived.
        const hidden = await store.getRecord(incident.id, {
          key: 'kind',
          values: ['incident'],
        });
        expect(hidden?.causedByChange).toEqual({
          externalId: 'CHG1',
          id: null,
          number: null,
          title: null,
        });
      });
    });

    describe('entity mappings', () => {
      it('replaces entities and counts the records that changed', async () => {
        await store.commitBatch(
          batch([
            rec('a', { entityRefs: ['component:default/a'] }, [
              entity('component:default/a', 'group:default/x'),
            ]),
            rec('b', {
              mappings: [
                { annotation: 'pagerduty.com/service-id', value: 'PB' },
              ],
            }),
          ]),
        );
        const { items } = await store.listRecords({ limit: 10, order: 'asc' });
        const ids = Object.fromEntries(items.map(r => [r.externalId, r.id]));

        await expect(
          store.replaceRecordEntities(
            new Map([
              [ids.a, [entity('component:default/a', 'group:default/x')]],
              [ids.b, []],
            ]),
          ),
        ).resolves.toBe(0);
        await expect(
          store.replaceRecordEntities(
            new Map([
              [
                ids.a,
                [
                  entity('component:default/a', 'group:default/x'),
                  entity('component:default/c', 'group:default/y'),
                ],
              ],
              [ids.b, [entity('component:default/b')]],
              ['missing-record', [entity('component:default/z')]],
            ]),
          ),
        ).resolves.toBe(2);
        // Same set in another order: no change.
        await expect(
          store.replaceRecordEntities(
            new Map([
              [
                ids.a,
                [
                  entity('component:default/c', 'group:default/y'),
                  entity('component:default/a', 'group:default/x'),
                ],
              ],
            ]),
          ),
        ).resolves.toBe(0);
        // A new owner is a change (owner-based permissions read it).
        await expect(
          store.replaceRecordEntities(
            new Map([
              [ids.b, [entity('component:default/b', 'group:default/new')]],
            ]),
          ),
        ).resolves.toBe(1);

        await expect(
          listIds({ filter: { key: 'owner', values: ['group:default/new'] } }),
        ).resolves.toEqual(['b']);
        await expect(
          listIds({ entityRefs: ['component:default/c'] }),
        ).resolves.toEqual(['a']);
        await expect(count('record_entities')).resolves.toBe(3);
        await expect(store.replaceRecordEntities(new Map())).resolves.toBe(0);
      });

      it('lists the mappings of records page by page', async () => {
        await store.commitBatch(
          batch(
            Array.from({ length: 5 }, (_, i) =>
              rec(`m${i}`, {
                entityRefs: [`component:default/m${i}`],
                mappings: [
                  { annotation: 'servicenow.com/ci-sysid', value: `ci${i}` },
                  { annotation: 'servicenow.com/ci-sysid', value: `ci${i}` },
                ],
              }),
            ),
          ),
        );
        const first = await store.listRecordMappings({ limit: 3 });
        const rest = await store.listRecordMappings({
          afterRecordId: first[first.length - 1].recordId,
          limit: 3,
        });
        expect(first).toHaveLength(3);
        expect(rest).toHaveLength(2);
        const all = [...first, ...rest];
        const recordIds = all.map(m => m.recordId);
        expect(recordIds).toEqual([...recordIds].sort());
        expect(new Set(recordIds).size).toBe(5);

        const byTitle = await store.listRecords({ limit: 10 });
        const m3 = byTitle.items.find(r => r.externalId === 'm3')!;
        expect(all.find(m => m.recordId === m3.id)).toEqual({
          recordId: m3.id,
          entityRefs: ['component:default/m3'],
          mappings: [{ annotation: 'servicenow.com/ci-sysid', value: 'ci3' }],
        });
      });
    });

    describe('sync state', () => {
      it('records runs and totals per provider', async () => {
        await store.markSyncStarted({
          providerId: P1,
          department: 'it',
          kinds: ['incident', 'change'],
        });
        await store.commitBatch(
          batch([rec('a'), rec('b')], {
            cursor: 'c1',
            deadLetters: [{ externalId: 'x', payload: 1, error: 'bad' }],
          }),
        );
        await store.markSyncFinished(P1, {
          counts: {
            read: 3,
            upserted: 2,
            unchanged: 0,
            deadLettered: 1,
            deleted: 0,
          },
          observations: {
            requests: 12,
            retries: 2,
            waitMs: 1500,
            lastRetryMessage: '429: Too Many Requests',
            failedParts: [{ part: 'problem', error: '403 Forbidden' }],
          },
        });
        await store.commitBatch({
          ...batch([rec('c')]),
          providerId: P2,
          department: 'hr',
        });
        await store.markSyncStarted({
          providerId: P2,
          department: 'hr',
          kinds: ['request'],
        });
        await store.markSyncFinished(P2, {
          error: 'boom',
          counts: {
            read: 0,
            upserted: 0,
            unchanged: 0,
            deadLettered: 0,
            deleted: 0,
          },
        });

        const statuses = await store.listSyncStatus();
        expect(statuses).toEqual([
          {
            providerId: P2,
            department: 'hr',
            kinds: ['request'],
            hasCursor: false,
            lastStartedAt: expect.any(String),
            lastSucceededAt: null,
            lastFinishedAt: expect.any(String),
            lastError: 'boom',
            failedParts: [],
            lastRun: {
              read: 0,
              upserted: 0,
              unchanged: 0,
              deadLettered: 0,
              deleted: 0,
              requests: 0,
              retries: 0,
              waitMs: 0,
              lastRetryMessage: null,
            },
            totals: { records: 1, deadLetters: 0, tombstones: 0 },
          },
          {
            providerId: P1,
            department: 'it',
            kinds: ['incident', 'change'],
            hasCursor: true,
            lastStartedAt: expect.any(String),
            lastSucceededAt: expect.any(String),
            lastFinishedAt: expect.any(String),
            lastError: null,
            // Recorded as succeeded, with the part that failed named.
            failedParts: [{ part: 'problem', error: '403 Forbidden' }],
            lastRun: {
              read: 3,
              upserted: 2,
              unchanged: 0,
              deadLettered: 1,
              deleted: 0,
              requests: 12,
              retries: 2,
              waitMs: 1500,
              lastRetryMessage: '429: Too Many Requests',
            },
            totals: { records: 2, deadLetters: 1, tombstones: 0 },
          },
        ]);
        expect(Date.parse(statuses[1].lastFinishedAt!)).toBeGreaterThanOrEqual(
          Date.parse(statuses[1].lastStartedAt!),
        );

        // A later failure keeps the last success and records the error.
        await store.markSyncFinished(P1, {
          error: 'timeout',
          counts: {
            read: 1,
            upserted: 0,
            unchanged: 1,
            deadLettered: 0,
            deleted: 0,
          },
        });
        const p1 = (await store.listSyncStatus()).find(
          s => s.providerId === P1,
        )!;
        expect(p1.lastSucceededAt).toBe(statuses[1].lastSucceededAt);
        expect(p1.lastError).toBe('timeout');
        expect(p1.lastRun).toEqual({
          read: 1,
          upserted: 0,
          unchanged: 1,
          deadLettered: 0,
          deleted: 0,
          requests: 0,
          retries: 0,
          waitMs: 0,
          lastRetryMessage: null,
        });
        // The parts of the last run only: this one reported none.
        expect(p1.failedParts).toEqual([]);
        expect(p1.hasCursor).toBe(true);
        expect(await store.getCursor(P1)).toBe('c1');
      });
    });
  },
);

if (unsupported.length > 0) {
  describe.each(unsupported)('DatabaseItsmStore on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
