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
  itsmRecordInputSchema,
} from '@backstage-itsm/plugin-itsm-common';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  A,
  HOUR,
  MetricsHarness,
  T0,
} from '../../../__testUtils__/metricsHarness';
import type { DatabaseItsmStore } from '../../DatabaseItsmStore';
import type { CommitBatchInput, RecordDeletion } from '../../ItsmStore';

jest.setTimeout(60_000);

const DATABASE_IDS = ['POSTGRES_15', 'SQLITE_3'] as const;
const databases = TestDatabases.create({ ids: [...DATABASE_IDS] });
const unsupported = DATABASE_IDS.filter(id => !databases.supports(id));

/** The provider MetricsHarness seeds by default. */
const P = 'sn:corp';
const iso = (ms: number) => new Date(ms).toISOString();

function incident(
  externalId: string,
  updatedAt: number,
  overrides: Partial<ItsmRecordInput> = {},
) {
  return {
    record: itsmRecordInputSchema.parse({
      externalId,
      kind: 'incident',
      number: `INC-${externalId}`,
      title: `Record ${externalId}`,
      state: 'resolved',
      priority: 2,
      openedAt: iso(T0 + HOUR),
      resolvedAt: iso(T0 + 2 * HOUR),
      sourceUpdatedAt: iso(updatedAt),
      payload: { sys_id: externalId, short_description: 'kept for audit' },
      ...overrides,
    }),
    entities: [{ entityRef: A, via: 'provider', ownerRef: null }],
  };
}

function batch(
  parts: Pick<Partial<CommitBatchInput>, 'records' | 'deletions'>,
): CommitBatchInput {
  return {
    providerId: P,
    department: 'it',
    records: [],
    feedback: [],
    deadLetters: [],
    ...parts,
  };
}

function deletion(
  externalId: string,
  deletedAt: number,
  reason: RecordDeletion['reason'] = 'audit',
): RecordDeletion {
  return { externalId, deletedAt: iso(deletedAt), reason };
}

describe.each(databases.eachSupportedId())(
  'record tombstones on %s',
  databaseId => {
    let harness: MetricsHarness;
    let store: DatabaseItsmStore;

    beforeAll(async () => {
      harness = await MetricsHarness.create(await databases.init(databaseId));
      store = harness.store;
    });

    afterEach(async () => {
      await harness.knex('record_tombstones').delete();
      await harness.clear();
    });

    async function count(table: string): Promise<number> {
      const [row] = await harness.knex(table).count({ n: '*' });
      return Number(row.n);
    }

    async function tombstone(externalId: string) {
      return harness
        .knex('record_tombstones')
        .where({ provider_id: P, external_id: externalId })
        .first();
    }

    async function listed(): Promise<string[]> {
      const { items } = await store.listRecords({ limit: 100 });
      return items.map(r => r.externalId).sort();
    }

    async function incidentsOfA(): Promise<number | null> {
      const response = await harness.compute({ metrics: ['incident_count'] });
      return response.metrics.incident_count.value;
    }

    it('moves a deleted record out of every read and metric, keeping it for audit', async () => {
      await harness.seed(
        [
          {
            id: 'a',
            opened: T0 + HOUR,
            resolved: T0 + 2 * HOUR,
            payload: { sys_id: 'a', short_description: 'disk full' },
            slas: [{ kind: 'resolution', stage: 'completed', breached: false }],
          },
          { id: 'b', opened: T0 + 3 * HOUR, resolved: T0 + 4 * HOUR },
        ],
        [
          // One answer about record a, one about the entity itself.
          {
            id: 'f1',
            scale: 'csat5',
            score: 5,
            at: T0 + 5 * HOUR,
            record: 'a',
          },
          {
            id: 'f2',
            scale: 'csat5',
            score: 1,
            at: T0 + 5 * HOUR,
            entityRef: A,
          },
        ],
      );
      const before = await harness.compute({
        metrics: ['incident_count', 'csat'],
      });
      expect(before.metrics.incident_count).toMatchObject({ value: 2, n: 2 });
      expect(before.metrics.csat).toMatchObject({ value: 0.5, n: 2 });
      const { items } = await store.listRecords({ limit: 10 });
      const a = items.find(r => r.externalId === 'a')!;

      await expect(
        store.commitBatch(
          batch({ deletions: [deletion('a', T0 + 10 * HOUR)] }),
        ),
      ).resolves.toMatchObject({ deleted: 1, upserted: 0 });

      // Never shown...
      expect(await listed()).toEqual(['b']);
      await expect(store.getRecord(a.id)).resolves.toBeUndefined();
      await expect(store.getRecords([a.id])).resolves.toEqual([]);
      // ...never counted; the survey answer stays, no longer about a record.
      const after = await harness.compute({
        metrics: ['incident_count', 'csat'],
      });
      expect(after.metrics.incident_count).toMatchObject({ value: 1, n: 1 });
      expect(after.metrics.csat).toMatchObject({ value: 0, n: 1 });
      expect(await count('feedback')).toBe(2);
      // Its child rows are gone with it.
      for (const table of ['slas', 'record_entities', 'record_mappings']) {
        const [row] = await harness
          .knex(table)
          .where('record_id', a.id)
          .count({ n: '*' });
        expect(Number(row.n)).toBe(0);
      }
      expect(await count('record_entities')).toBe(1);

      // Kept for audit, with what was stored.
      const stone = await tombstone('a');
      expect(stone).toMatchObject({
        record_id: a.id,
        kind: 'incident',
        department: 'it',
        number: 'A',
        title: 'Record a',
        reason: 'audit',
        payload: expect.any(String),
      });
      expect(Number(stone.deleted_at)).toBe(T0 + 10 * HOUR);
      expect(Number(stone.detected_at)).toBeGreaterThan(T0);
      const audit = JSON.parse(stone.payload);
      expect(audit.record).toMatchObject({
        id: a.id,
        external_id: 'a',
        opened_at: iso(T0 + HOUR),
        resolved_at: iso(T0 + 2 * HOUR),
        priority: 3,
        payload: { sys_id: 'a', short_description: 'disk full' },
      });
      expect(audit.slas).toEqual([
        expect.objectContaining({ kind: 'resolution', stage: 'completed' }),
      ]);
      expect(audit.entities).toEqual([
        expect.objectContaining({ entity_ref: A, via: 'provider' }),
      ]);

      const status = (await store.listSyncStatus()).find(
        s => s.providerId === P,
      );
      expect(status?.totals).toEqual({
        records: 1,
        deadLetters: 0,
        tombstones: 1,
      });
    });

    it('skips a version not newer than the deletion, and restores a newer one under its former id', async () => {
      await store.commitBatch(batch({ records: [incident('a', T0 + HOUR)] }));
      const [{ id }] = (await store.listRecords({ limit: 1 })).items;
      await store.commitBatch(
        batch({ deletions: [deletion('a', T0 + 5 * HOUR)] }),
      );

      // A stale re-read, older or as old as the deletion, never resurrects.
      for (const updatedAt of [T0 + HOUR, T0 + 5 * HOUR]) {
        await expect(
          store.commitBatch(
            batch({
              records: [incident('a', updatedAt, { title: 'stale re-read' })],
            }),
          ),
        ).resolves.toMatchObject({ upserted: 0, unchanged: 1 });
      }
      expect(await listed()).toEqual([]);
      // With its only record deleted, no record maps a source to A any more.
      expect(await incidentsOfA()).toBeNull();

      // Restored at the source: a newer version lives again.
      await expect(
        store.commitBatch(
          batch({
            records: [incident('a', T0 + 6 * HOUR, { title: 'restored' })],
          }),
        ),
      ).resolves.toMatchObject({ upserted: 1 });
      const restored = await store.getRecord(id);
      expect(restored).toMatchObject({ externalId: 'a', title: 'restored' });
      expect(restored?.entityRefs).toEqual([A]);
      await expect(tombstone('a')).resolves.toBeUndefined();
      expect(await incidentsOfA()).toBe(1);
    });

    it('writes a tombstone for a deletion that arrives before the record', async () => {
      await expect(
        store.commitBatch(
          batch({
            deletions: [deletion('early', T0 + 5 * HOUR, 'reconciliation')],
          }),
        ),
      ).resolves.toMatchObject({ deleted: 0 });
      await expect(tombstone('early')).resolves.toMatchObject({
        record_id: null,
        kind: null,
        department: 'it',
        payload: null,
        reason: 'reconciliation',
      });

      await expect(
        store.commitBatch(batch({ records: [incident('early', T0 + HOUR)] })),
      ).resolves.toMatchObject({ upserted: 0, unchanged: 1 });
      expect(await count('records')).toBe(0);

      await store.commitBatch(
        batch({ records: [incident('early', T0 + 9 * HOUR)] }),
      );
      expect(await listed()).toEqual(['early']);
      await expect(tombstone('early')).resolves.toBeUndefined();
    });

    it('ignores a deletion older than the stored version', async () => {
      await store.commitBatch(
        batch({ records: [incident('live', T0 + 8 * HOUR)] }),
      );
      await expect(
        store.commitBatch(
          batch({ deletions: [deletion('live', T0 + 2 * HOUR)] }),
        ),
      ).resolves.toMatchObject({ deleted: 0 });
      expect(await listed()).toEqual(['live']);
      expect(await count('record_tombstones')).toBe(0);
    });

    it('lets the deletion win a tie with a version in the same batch', async () => {
      await expect(
        store.commitBatch(
          batch({
            records: [incident('tie', T0 + 3 * HOUR)],
            deletions: [deletion('tie', T0 + 3 * HOUR)],
          }),
        ),
      ).resolves.toMatchObject({ upserted: 1, deleted: 1 });
      expect(await listed()).toEqual([]);
      expect(JSON.parse((await tombstone('tie')).payload).record.title).toBe(
        'Record tie',
      );
    });

    it('keeps the first detection and the later deletion instant when a deletion repeats', async () => {
      await store.commitBatch(batch({ records: [incident('r', T0 + HOUR)] }));
      await store.commitBatch(
        batch({ deletions: [deletion('r', T0 + 4 * HOUR, 'audit')] }),
      );
      const first = await tombstone('r');
      await store.commitBatch(
        batch({
          deletions: [
            deletion('r', T0 + 2 * HOUR, 'reconciliation'),
            deletion('r', T0 + 7 * HOUR, 'reconciliation'),
          ],
        }),
      );
      await store.commitBatch(
        batch({ deletions: [deletion('r', T0 + 3 * HOUR, 'export')] }),
      );
      const last = await tombstone('r');
      expect(Number(last.deleted_at)).toBe(T0 + 7 * HOUR);
      expect(Number(last.detected_at)).toBe(Number(first.detected_at));
      expect(last.record_id).toBe(first.record_id);
      expect(last.payload).toBe(first.payload);
      // Between the two deletions is still deleted.
      await store.commitBatch(
        batch({ records: [incident('r', T0 + 5 * HOUR)] }),
      );
      expect(await listed()).toEqual([]);
    });
  },
);

if (unsupported.length > 0) {
  describe.each(unsupported)('record tombstones on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
