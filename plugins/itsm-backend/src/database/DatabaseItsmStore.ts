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

import { applyPermissionCriteria } from './permissionCriteria';
import { NO_RUN_OBSERVATIONS } from './syncStatus';
import { createHash, randomUUID } from 'node:crypto';
import type {
  ItsmChangeOutcome,
  ItsmChangeType,
  ItsmDeadLetter,
  ItsmNormalisedFeedback,
  ItsmNormalisedRecord,
  ItsmRecord,
  ItsmRecordKind,
  ItsmRecordLink,
  ItsmRecordState,
  ItsmSla,
  ItsmSyncStatus,
} from '@backstage-itsm/plugin-itsm-common';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import type {
  CommitBatchInput,
  CommitBatchResult,
  ItsmStore,
  ListRecordsQuery,
  RecordCriterion,
  RecordDeletion,
  RecordFilter,
  RecordToStore,
  ResolvedEntity,
  SyncRunCounts,
  SyncRunObservations,
} from './ItsmStore';
import {
  DbBigInt,
  DeadLettersRow,
  ENTITY_REF_MAPPING,
  FEEDBACK_MERGE_COLUMNS,
  FeedbackRow,
  RECORD_INSTANT_COLUMNS,
  RECORD_MERGE_COLUMNS,
  RECORD_READ_COLUMNS,
  RecordEntitiesRow,
  RecordMappingsRow,
  RecordsReadRow,
  RecordsRow,
  RecordTombstonesRow,
  SlasRow,
  SyncStateRow,
  TABLE_DEAD_LETTERS,
  TABLE_FEEDBACK,
  TABLE_RECORD_ENTITIES,
  TABLE_RECORD_MAPPINGS,
  TABLE_RECORD_TOMBSTONES,
  TABLE_RECORDS,
  TABLE_SLAS,
  TABLE_SYNC_STATE,
} from './tables';

const migrationsDir = resolvePackagePath(
  '@backstage-itsm/plugin-itsm-backend',
  'migrations',
);

/**
 * Records per statement. A `records` row has 32 columns, so 200 rows stay
 * far below SQLite's bound-variable limit (32766) and its 500-term compound
 * SELECT limit (knex writes SQLite multi-row inserts as `SELECT ... UNION ALL`).
 */
const RECORD_CHUNK_SIZE = 200;
/** Rows per statement for the narrow tables (at most 11 columns). */
const ROW_CHUNK_SIZE = 400;
/** Values per `whereIn`. */
const LOOKUP_CHUNK_SIZE = 500;
/** Rows per JSON parameter on PostgreSQL. */
const PG_JSON_CHUNK_SIZE = 2000;
/** Most external ids one `listExternalIds` call returns. */
const MAX_EXTERNAL_IDS = 10_000;
/** The tables of a record's child rows, deleted with it. */
const RECORD_CHILD_TABLES = [
  TABLE_SLAS,
  TABLE_RECORD_MAPPINGS,
  TABLE_RECORD_ENTITIES,
] as const;

/** The alias of `records` in every read, so filters can refer to `r.id`. */
const R = 'r';

type SortOrder = 'asc' | 'desc';

interface PageCursor {
  openedAt: number;
  id: string;
  order: SortOrder;
}

/** A record of a batch turned into rows. */
export interface PreparedRecord {
  row: RecordsRow;
  slas: Omit<SlasRow, 'record_id'>[];
  mappings: Omit<RecordMappingsRow, 'record_id'>[];
  entities: Omit<RecordEntitiesRow, 'record_id'>[];
}

/**
 * The ITSM store on knex, for SQLite and PostgreSQL.
 *
 * @remarks
 *
 * Instants are bigint epoch milliseconds in the database and ISO strings at
 * the interface. In `listRecords`, a list filter that is given but empty
 * (`kinds: []`) matches nothing, like an empty `anyOf`.
 */
export class DatabaseItsmStore implements ItsmStore {
  static async create({
    database,
    skipMigrations,
  }: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseItsmStore> {
    const client = await database.getClient();
    if (!database.migrations?.skip && !skipMigrations) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseItsmStore(client);
  }

  private readonly isPostgres: boolean;

  private constructor(private readonly db: Knex) {
    this.isPostgres = db.client.config.client === 'pg';
  }

  async commitBatch(input: CommitBatchInput): Promise<CommitBatchResult> {
    const now = Date.now();
    const records = newestPerExternalId(input.records).map(item =>
      prepareRecord(input, item, now),
    );
    const feedback = lastPerExternalId(input.feedback).map(fb =>
      toFeedbackRow(input.providerId, fb),
    );
    const deletions = latestPerExternalId(input.deletions ?? []);
    const deadLetters: DeadLettersRow[] = input.deadLetters.map(dl => ({
      id: randomUUID(),
      provider_id: input.providerId,
      external_id: dl.externalId,
      payload: stringifyPayload(dl.payload),
      error: dl.error,
      at: now,
    }));

    return this.db.transaction(async tx => {
      let upserted = 0;
      const size = this.isPostgres ? PG_JSON_CHUNK_SIZE : RECORD_CHUNK_SIZE;
      for (const batch of chunk(records, size)) {
        upserted += await this.upsertRecords(tx, input.providerId, batch);
      }
      for (const batch of chunk(feedback, ROW_CHUNK_SIZE)) {
        await tx(TABLE_FEEDBACK)
          .insert(batch)
          .onConflict(['provider_id', 'external_id'])
          .merge([...FEEDBACK_MERGE_COLUMNS]);
      }
      // After the upserts: a record and its deletion in one batch are
      // decided by their instants alone, the deletion winning a tie.
      let deleted = 0;
      for (const batch of chunk(deletions, LOOKUP_CHUNK_SIZE)) {
        deleted += await this.buryRecords(tx, input, batch, now);
      }
      await this.insertRows(tx, TABLE_DEAD_LETTERS, deadLetters);
      await this.saveCursor(tx, input);
      return {
        upserted,
        unchanged: records.length - upserted,
        feedback: feedback.length,
        deadLettered: deadLetters.length,
        deleted,
      };
    });
  }

  async listRecords(
    query: ListRecordsQuery,
  ): Promise<{ items: ItsmRecord[]; nextCursor?: string }> {
    const limit = checkLimit(query.limit);
    const order: SortOrder = query.order ?? 'desc';
    const builder = this.selectRecords(query.filter);
    applyRecordQuery(builder, query);
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor, order);
      // A row comparison, so both databases seek in the (opened_at, id) index.
      builder.whereRaw(
        `(${R}.opened_at, ${R}.id) ${order === 'desc' ? '<' : '>'} (?, ?)`,
        [cursor.openedAt, cursor.id],
      );
    }
    builder
      .orderBy([
        { column: `${R}.opened_at`, order },
        { column: `${R}.id`, order },
      ])
      .limit(limit + 1);

    const rows: RecordsReadRow[] = await builder;
    const page = rows.slice(0, limit);
    const items = await this.toRecords(page, query.filter);
    if (rows.length <= limit) {
      return { items };
    }
    const last = page[page.length - 1];
    return {
      items,
      nextCursor: encodeCursor({
        openedAt: Number(last.opened_at),
        id: last.id,
        order,
      }),
    };
  }

  async getRecord(
    id: string,
    filter?: RecordFilter,
  ): Promise<ItsmRecord | undefined> {
    const rows: RecordsReadRow[] = await this.selectRecords(filter).where(
      `${R}.id`,
      id,
    );
    const [record] = await this.toRecords(rows, filter);
    return record;
  }

  async getRecords(
    ids: string[],
    filter?: RecordFilter,
  ): Promise<ItsmRecord[]> {
    const unique = [...new Set(ids)];
    const byId = new Map<string, ItsmRecord>();
    for (const part of chunk(unique, 500)) {
      const rows: RecordsReadRow[] = await this.selectRecords(filter).whereIn(
        `${R}.id`,
        part,
      );
      for (const record of await this.toRecords(rows, filter)) {
        byId.set(record.id, record);
      }
    }
    return unique.flatMap(id => byId.get(id) ?? []);
  }

  async listRecordMappings(options: {
    afterRecordId?: string;
    limit: number;
  }): Promise<
    Array<{
      recordId: string;
      entityRefs: string[];
      mappings: Array<{ annotation: string; value: string }>;
    }>
  > {
    const limit = checkLimit(options.limit);
    const idQuery = this.db(TABLE_RECORDS)
      .select('id')
      .orderBy('id')
      .limit(limit);
    if (options.afterRecordId !== undefined) {
      idQuery.where('id', '>', options.afterRecordId);
    }
    const ids = ((await idQuery) as Array<{ id: string }>).map(row => row.id);

    const result = new Map(
      ids.map(recordId => [
        recordId,
        {
          recordId,
          entityRefs: new Array<string>(),
          mappings: new Array<{ annotation: string; value: string }>(),
        },
      ]),
    );
    for (const batch of chunk(ids, LOOKUP_CHUNK_SIZE)) {
      const rows: RecordMappingsRow[] = await this.db(TABLE_RECORD_MAPPINGS)
        .select('record_id', 'annotation', 'value')
        .whereIn('record_id', batch)
        .orderBy([
          { column: 'record_id' },
          { column: 'annotation' },
          { column: 'value' },
        ]);
      for (const row of rows) {
        const entry = result.get(row.record_id)!;
        if (row.annotation === ENTITY_REF_MAPPING) {
          entry.entityRefs.push(row.value);
        } else {
          entry.mappings.push({ annotation: row.annotation, value: row.value });
        }
      }
    }
    return [...result.values()];
  }

  async replaceRecordEntities(
    entities: Map<string, ResolvedEntity[]>,
  ): Promise<number> {
    const recordIds = [...entities.keys()].sort();
    if (recordIds.length === 0) {
      return 0;
    }
    return this.db.transaction(async tx => {
      let changed = 0;
      for (const batch of chunk(recordIds, LOOKUP_CHUNK_SIZE)) {
        const rows: Array<{
          record_id: string;
          entity_ref: string | null;
          via: string | null;
          owner_ref: string | null;
        }> = await tx(`${TABLE_RECORDS} as ${R}`)
          .leftJoin(`${TABLE_RECORD_ENTITIES} as re`, 're.record_id', `${R}.id`)
          .select(
            `${R}.id as record_id`,
            're.entity_ref',
            're.via',
            're.owner_ref',
          )
          .whereIn(`${R}.id`, batch);

        const current = new Map<string, ResolvedEntity[]>();
        for (const row of rows) {
          const list = current.get(row.record_id) ?? [];
          if (row.entity_ref !== null) {
            list.push({
              entityRef: row.entity_ref,
              via: row.via ?? '',
              ownerRef: row.owner_ref,
            });
          }
          current.set(row.record_id, list);
        }

        const changedIds: string[] = [];
        const newRows: RecordEntitiesRow[] = [];
        // Records that no longer exist are skipped.
        for (const recordId of batch) {
          const stored = current.get(recordId);
          if (!stored) {
            continue;
          }
          const wanted = uniqueEntities(entities.get(recordId) ?? []);
          if (entitiesKey(stored) === entitiesKey(wanted)) {
            continue;
          }
          changedIds.push(recordId);
          newRows.push(...wanted.map(e => toEntityRow(recordId, e)));
        }
        if (changedIds.length === 0) {
          continue;
        }
        await tx(TABLE_RECORD_ENTITIES)
          .whereIn('record_id', changedIds)
          .delete();
        for (const rowBatch of chunk(newRows, ROW_CHUNK_SIZE)) {
          await tx(TABLE_RECORD_ENTITIES).insert(rowBatch);
        }
        changed += changedIds.length;
      }
      return changed;
    });
  }

  async listExternalIds(options: {
    providerId: string;
    kind?: ItsmRecordKind;
    after?: string;
    limit: number;
  }): Promise<string[]> {
    const limit = Math.min(checkLimit(options.limit), MAX_EXTERNAL_IDS);
    // Code-point order on both databases: SQLite's default, and on
    // PostgreSQL the "C" collation, served by records_provider_external_c_idx.
    const column = this.isPostgres ? 'external_id collate "C"' : 'external_id';
    const query = this.db(TABLE_RECORDS)
      .select('external_id')
      .where('provider_id', options.providerId)
      .orderByRaw(column)
      .limit(limit);
    if (options.kind !== undefined) {
      query.where('kind', options.kind);
    }
    if (options.after !== undefined) {
      query.whereRaw(`${column} > ?`, [options.after]);
    }
    const rows: Array<Pick<RecordsRow, 'external_id'>> = await query;
    return rows.map(row => row.external_id);
  }

  async getCursor(providerId: string): Promise<string | null> {
    const row: Pick<SyncStateRow, 'cursor'> | undefined = await this.db(
      TABLE_SYNC_STATE,
    )
      .select('cursor')
      .where('provider_id', providerId)
      .first();
    return row?.cursor ?? null;
  }

  async markSyncStarted(provider: {
    providerId: string;
    department: string;
    kinds: ItsmRecordKind[];
  }): Promise<void> {
    await this.db(TABLE_SYNC_STATE)
      .insert({
        provider_id: provider.providerId,
        department: provider.department,
        kinds: JSON.stringify(provider.kinds),
        last_started_at: Date.now(),
      })
      .onConflict('provider_id')
      .merge(['department', 'kinds', 'last_started_at']);
  }

  async markSyncFinished(
    providerId: string,
    outcome: {
      error?: string;
      counts: SyncRunCounts;
      observations?: SyncRunObservations;
    },
  ): Promise<void> {
    const now = Date.now();
    const succeeded = outcome.error === undefined;
    const observed = outcome.observations ?? NO_RUN_OBSERVATIONS;
    const values: Partial<SyncStateRow> = {
      last_finished_at: now,
      last_error: outcome.error ?? null,
      last_read: outcome.counts.read,
      last_upserted: outcome.counts.upserted,
      last_unchanged: outcome.counts.unchanged,
      last_dead_lettered: outcome.counts.deadLettered,
      last_deleted: outcome.counts.deleted,
      last_requests: observed.requests,
      last_retries: observed.retries,
      last_wait_ms: observed.waitMs,
      last_retry_message: observed.lastRetryMessage,
      last_failed_parts: JSON.stringify(observed.failedParts),
      ...(succeeded ? { last_succeeded_at: now } : {}),
    };
    // A run that was never marked as started still leaves a row.
    await this.db(TABLE_SYNC_STATE)
      .insert({
        provider_id: providerId,
        department: '',
        kinds: '[]',
        ...values,
      })
      .onConflict('provider_id')
      .merge(Object.keys(values));
  }

  async listSyncStatus(): Promise<ItsmSyncStatus[]> {
    const [states, recordCounts, deadLetterCounts, tombstoneCounts] =
      await Promise.all([
        this.db(TABLE_SYNC_STATE).select('*').orderBy('provider_id') as Promise<
          SyncStateRow[]
        >,
        this.countByProvider(TABLE_RECORDS),
        this.countByProvider(TABLE_DEAD_LETTERS),
        this.countByProvider(TABLE_RECORD_TOMBSTONES),
      ]);
    return states.map(row => ({
      providerId: row.provider_id,
      department: row.department,
      kinds: parseKinds(row.kinds),
      hasCursor: row.cursor !== null,
      lastStartedAt: toIso(row.last_started_at),
      lastSucceededAt: toIso(row.last_succeeded_at),
      lastFinishedAt: toIso(row.last_finished_at),
      lastError: row.last_error,
      failedParts: parseFailedParts(row.last_failed_parts),
      lastRun: {
        read: Number(row.last_read),
        upserted: Number(row.last_upserted),
        unchanged: Number(row.last_unchanged),
        deadLettered: Number(row.last_dead_lettered),
        deleted: Number(row.last_deleted),
        requests: Number(row.last_requests),
        retries: Number(row.last_retries),
        waitMs: Number(row.last_wait_ms),
        lastRetryMessage: row.last_retry_message,
      },
      totals: {
        records: recordCounts.get(row.provider_id) ?? 0,
        deadLetters: deadLetterCounts.get(row.provider_id) ?? 0,
        tombstones: tombstoneCounts.get(row.provider_id) ?? 0,
      },
    }));
  }

  async listDeadLetters(options: {
    providerId?: string;
    limit: number;
  }): Promise<ItsmDeadLetter[]> {
    const query = this.db(TABLE_DEAD_LETTERS)
      .select('id', 'provider_id', 'external_id', 'error', 'at')
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(checkLimit(options.limit));
    if (options.providerId !== undefined) {
      query.where('provider_id', options.providerId);
    }
    const rows: Omit<DeadLettersRow, 'payload'>[] = await query;
    return rows.map(row => ({
      id: row.id,
      providerId: row.provider_id,
      externalId: row.external_id,
      error: row.error,
      at: new Date(Number(row.at)).toISOString(),
    }));
  }

  /**
   * Upserts one chunk of records (unique external ids) and replaces the
   * child rows of those that were written. Returns how many were written.
   */
  private async upsertRecords(
    tx: Knex.Transaction,
    providerId: string,
    records: PreparedRecord[],
  ): Promise<number> {
    const externalIds = records.map(r => r.row.external_id);
    // Skip what is already stored as new or newer without sending it.
    const stored = await this.byExternalId<
      Pick<RecordsRow, 'external_id' | 'content_hash'> & {
        source_updated_at: DbBigInt;
      }
    >(tx, TABLE_RECORDS, providerId, externalIds, [
      'external_id',
      'source_updated_at',
      'content_hash',
    ]);
    // A version not newer than its deletion stays deleted; a newer one (the
    // record was restored at the source) is stored under its former id.
    const buried = await this.byExternalId<
      Pick<RecordTombstonesRow, 'external_id' | 'record_id' | 'deleted_at'>
    >(tx, TABLE_RECORD_TOMBSTONES, providerId, externalIds, [
      'external_id',
      'record_id',
      'deleted_at',
    ]);
    const candidates = records.filter(({ row }) => {
      const tombstone = buried.get(row.external_id);
      if (tombstone && row.source_updated_at <= Number(tombstone.deleted_at)) {
        return false;
      }
      const current = stored.get(row.external_id);
      return (
        !current ||
        isNewer(row, Number(current.source_updated_at), current.content_hash)
      );
    });
    if (candidates.length === 0) {
      return 0;
    }
    for (const { row } of candidates) {
      const formerId = buried.get(row.external_id)?.record_id;
      if (formerId && !stored.has(row.external_id)) {
        row.id = formerId;
      }
    }

    // The same rule again in SQL, so a concurrent writer of the same key
    // (which the read above could not see) is neither duplicated nor
    // overwritten by an older version. Only written rows are returned.
    const written = await this.insertRecordRows(
      tx,
      candidates.map(c => c.row),
    );
    if (written.length === 0) {
      return 0;
    }
    const restored = written
      .map(w => w.external_id)
      .filter(externalId => buried.has(externalId));
    if (restored.length > 0) {
      await tx(TABLE_RECORD_TOMBSTONES)
        .where('provider_id', providerId)
        .whereIn('external_id', restored)
        .delete();
    }

    const byExternalId = new Map(candidates.map(c => [c.row.external_id, c]));
    // Only rows that were updated have child rows to replace; new ones don't.
    // PostgreSQL says which were inserted; SQLite has a single writer, so the
    // read above is still true.
    const replacedIds = written
      .filter(w =>
        w.inserted === undefined ? stored.has(w.external_id) : !w.inserted,
      )
      .map(w => w.id)
      .sort();
    await this.deleteChildRows(tx, replacedIds);
    const slas: SlasRow[] = [];
    const mappings: RecordMappingsRow[] = [];
    const entities: RecordEntitiesRow[] = [];
    for (const { id, external_id } of written) {
      const record = byExternalId.get(external_id)!;
      slas.push(...record.slas.map(s => ({ record_id: id, ...s })));
      mappings.push(...record.mappings.map(m => ({ record_id: id, ...m })));
      entities.push(...record.entities.map(e => ({ record_id: id, ...e })));
    }
    for (const [table, rows] of [
      [TABLE_SLAS, slas],
      [TABLE_RECORD_MAPPINGS, mappings],
      [TABLE_RECORD_ENTITIES, entities],
    ] as const) {
      await this.insertRows(tx, table, rows);
    }
    return written.length;
  }

  /** Rows of a table keyed by (provider_id, external_id), by external id. */
  private async byExternalId<T extends { external_id: string }>(
    tx: Knex.Transaction,
    table: string,
    providerId: string,
    externalIds: string[],
    columns: string[],
  ): Promise<Map<string, T>> {
    const rows: T[] = await tx(table)
      .select(columns)
      .where('provider_id', providerId)
      .whereIn('external_id', externalIds);
    return new Map(rows.map(row => [row.external_id, row]));
  }

  /** Deletes the slas, mappings and entities of records (ids sorted). */
  private async deleteChildRows(
    tx: Knex.Transaction,
    recordIds: string[],
  ): Promise<void> {
    for (const table of RECORD_CHILD_TABLES) {
      for (const batch of chunk(recordIds, LOOKUP_CHUNK_SIZE)) {
        await tx(table).whereIn('record_id', batch).delete();
      }
    }
  }

  /**
   * Writes a tombstone per deletion (unique external ids) and moves the
   * stored records among them out of `records`, child rows included, with
   * a JSON copy in the tombstone. A stored version newer than the deletion
   * means the record lives again at the source: that deletion is stale and
   * is left out. Returns how many stored records were moved.
   */
  private async buryRecords(
    tx: Knex.Transaction,
    input: CommitBatchInput,
    deletions: RecordDeletion[],
    now: number,
  ): Promise<number> {
    const stored = await this.byExternalId<RecordsRow>(
      tx,
      TABLE_RECORDS,
      input.providerId,
      deletions.map(d => d.externalId),
      ['*'],
    );
    const due = deletions.filter(d => {
      const row = stored.get(d.externalId);
      return !row || Number(row.source_updated_at) <= toMs(d.deletedAt);
    });
    const moving = due
      .flatMap(d => stored.get(d.externalId) ?? [])
      .map(row => row.id)
      .sort();
    const children = await this.readChildRows(tx, moving);

    const moved: RecordTombstonesRow[] = [];
    const unseen: RecordTombstonesRow[] = [];
    for (const deletion of due) {
      const row = stored.get(deletion.externalId);
      const tombstone: RecordTombstonesRow = {
        provider_id: input.providerId,
        external_id: deletion.externalId,
        record_id: row?.id ?? null,
        kind: row?.kind ?? null,
        department: row?.department ?? input.department,
        number: row?.number ?? null,
        title: row?.title ?? null,
        deleted_at: toMs(deletion.deletedAt),
        detected_at: now,
        reason: deletion.reason,
        payload: row
          ? JSON.stringify({
              record: auditRecord(row),
              slas: children.get(TABLE_SLAS)?.get(row.id) ?? [],
              mappings: children.get(TABLE_RECORD_MAPPINGS)?.get(row.id) ?? [],
              entities: children.get(TABLE_RECORD_ENTITIES)?.get(row.id) ?? [],
            })
          : null,
      };
      (row ? moved : unseen).push(tombstone);
    }

    // A tombstone that exists already keeps its first detection and the
    // later of the two deletion instants; a moved record's details win.
    const laterDeletion = this.db.raw(
      `${
        this.isPostgres ? 'greatest' : 'max'
      }(??.deleted_at, excluded.deleted_at)`,
      [TABLE_RECORD_TOMBSTONES],
    );
    for (const [tombstones, merge] of [
      [
        moved,
        [
          'record_id',
          'kind',
          'department',
          'number',
          'title',
          'reason',
          'payload',
        ],
      ],
      [unseen, []],
    ] as const) {
      for (const batch of chunk(tombstones, ROW_CHUNK_SIZE)) {
        await tx(TABLE_RECORD_TOMBSTONES)
          .insert(batch)
          .onConflict(['provider_id', 'external_id'])
          .merge({
            ...Object.fromEntries(
              merge.map(column => [
                column,
                this.db.raw('excluded.??', [column]),
              ]),
            ),
            deleted_at: laterDeletion,
          });
      }
    }

    await this.deleteChildRows(tx, moving);
    for (const batch of chunk(moving, LOOKUP_CHUNK_SIZE)) {
      await tx(TABLE_RECORDS).whereIn('id', batch).delete();
    }
    return moving.length;
  }

  /** The child rows of records, by table and record id, in a stable order. */
  private async readChildRows(
    tx: Knex.Transaction,
    recordIds: string[],
  ): Promise<Map<string, Map<string, object[]>>> {
    const orders: Record<(typeof RECORD_CHILD_TABLES)[number], string[]> = {
      [TABLE_SLAS]: ['record_id', 'id'],
      [TABLE_RECORD_MAPPINGS]: ['record_id', 'annotation', 'value'],
      [TABLE_RECORD_ENTITIES]: ['record_id', 'entity_ref'],
    };
    const result = new Map<string, Map<string, object[]>>();
    for (const table of RECORD_CHILD_TABLES) {
      const byRecord = new Map<string, object[]>();
      for (const batch of chunk(recordIds, LOOKUP_CHUNK_SIZE)) {
        const rows: Array<{ record_id: string }> = await tx(table)
          .select('*')
          .whereIn('record_id', batch)
          .orderBy(orders[table]);
        for (const { record_id, ...rest } of rows) {
          pushTo(byRecord, record_id, rest);
        }
      }
      result.set(table, byRecord);
    }
    return result;
  }

  /**
   * Inserts record rows, or updates the stored row of the same key when the
   * incoming version is newer (or as new with other content): the same rule
   * as the read in `upsertRecords`, again in SQL, so a concurrent writer of
   * the same key is neither duplicated nor overwritten by an older version.
   * Returns the rows written.
   */
  private async insertRecordRows(
    tx: Knex.Transaction,
    rows: RecordsRow[],
  ): Promise<
    Array<Pick<RecordsRow, 'id' | 'external_id'> & { inserted?: boolean }>
  > {
    const newer = `??.source_updated_at < excluded.source_updated_at
      or (??.source_updated_at = excluded.source_updated_at
          and ??.content_hash <> excluded.content_hash)`;
    if (this.isPostgres) {
      // One JSON parameter instead of a bind per value: the statement stays
      // small and PostgreSQL parses the rows itself.
      const columns = Object.keys(rows[0]);
      const result = await tx.raw(
        `insert into ?? (${columns.map(() => '??').join(', ')})
         select ${columns.map(() => '??').join(', ')}
           from json_populate_recordset(null::??, ?::json)
         on conflict (provider_id, external_id) do update set
           ${RECORD_MERGE_COLUMNS.map(() => '?? = excluded.??').join(', ')}
         where ${newer}
         returning id, external_id, (xmax = 0) as inserted`,
        [
          TABLE_RECORDS,
          ...columns,
          ...columns,
          TABLE_RECORDS,
          JSON.stringify(rows),
          ...RECORD_MERGE_COLUMNS.flatMap(c => [c, c]),
          TABLE_RECORDS,
          TABLE_RECORDS,
          TABLE_RECORDS,
        ],
      );
      return result.rows;
    }
    return tx(TABLE_RECORDS)
      .insert(rows)
      .onConflict(['provider_id', 'external_id'])
      .merge([...RECORD_MERGE_COLUMNS])
      .whereRaw(newer, [TABLE_RECORDS, TABLE_RECORDS, TABLE_RECORDS])
      .returning(['id', 'external_id']);
  }

  /** Plain multi-row inserts; on PostgreSQL as one JSON parameter per chunk. */
  private async insertRows(
    tx: Knex.Transaction,
    table: string,
    rows: object[],
  ): Promise<void> {
    if (rows.length === 0) {
      return;
    }
    if (this.isPostgres) {
      const columns = Object.keys(rows[0]);
      for (const batch of chunk(rows, PG_JSON_CHUNK_SIZE)) {
        await tx.raw(
          `insert into ?? (${columns.map(() => '??').join(', ')})
           select ${columns.map(() => '??').join(', ')}
             from json_populate_recordset(null::??, ?::json)`,
          [table, ...columns, ...columns, table, JSON.stringify(batch)],
        );
      }
      return;
    }
    for (const batch of chunk(rows, ROW_CHUNK_SIZE)) {
      await tx(table).insert(batch);
    }
  }

  /** Keeps the provider's sync_state row, with the batch's cursor if it has one. */
  private async saveCursor(
    tx: Knex.Transaction,
    input: CommitBatchInput,
  ): Promise<void> {
    const insert = tx(TABLE_SYNC_STATE)
      .insert({
        provider_id: input.providerId,
        department: input.department,
        kinds: '[]',
        cursor: input.cursor ?? null,
      })
      .onConflict('provider_id');
    if (input.cursor === undefined) {
      await insert.ignore();
    } else {
      await insert.merge(['cursor']);
    }
  }

  /** `records as r` with the read columns, narrowed by a permission filter. */
  private selectRecords(filter: RecordFilter | undefined): Knex.QueryBuilder {
    const builder = this.db(`${TABLE_RECORDS} as ${R}`).select(
      RECORD_READ_COLUMNS.map(column => `${R}.${column}`),
    );
    if (filter) {
      applyFilter(builder, filter);
    }
    return builder;
  }

  /** Turns rows into API records: entities, SLAs and links in one query each. */
  private async toRecords(
    rows: RecordsReadRow[],
    filter: RecordFilter | undefined,
  ): Promise<ItsmRecord[]> {
    if (rows.length === 0) {
      return [];
    }
    const ids = rows.map(row => row.id);
    const [entities, slas, links] = await Promise.all([
      this.readEntities(ids),
      this.readSlas(ids),
      this.readLinks(rows, filter),
    ]);
    const link = (providerId: string, externalId: string | null) => {
      if (externalId === null) {
        return null;
      }
      return (
        links.get(linkKey(providerId, externalId)) ?? {
          externalId,
          id: null,
          number: null,
          title: null,
        }
      );
    };
    return rows.map(row => ({
      id: row.id,
      providerId: row.provider_id,
      externalId: row.external_id,
      kind: row.kind as ItsmRecordKind,
      department: row.department,
      number: row.number,
      title: row.title,
      url: row.url,
      state: row.state as ItsmRecordState,
      priority: row.priority === null ? null : Number(row.priority),
      openedAt: new Date(Number(row.opened_at)).toISOString(),
      acknowledgedAt: toIso(row.acknowledged_at),
      resolvedAt: toIso(row.resolved_at),
      closedAt: toIso(row.closed_at),
      impactStart: toIso(row.impact_start),
      impactEnd: toIso(row.impact_end),
      changeType: row.change_type as ItsmChangeType | null,
      plannedStart: toIso(row.planned_start),
      plannedEnd: toIso(row.planned_end),
      actualStart: toIso(row.actual_start),
      actualEnd: toIso(row.actual_end),
      outcome: row.outcome as ItsmChangeOutcome | null,
      causedByChange: link(row.provider_id, row.caused_by_change),
      problem: link(row.provider_id, row.problem_id),
      reopenCount: Number(row.reopen_count),
      assignmentGroup: row.assignment_group,
      assignee: row.assignee,
      sourceUpdatedAt: new Date(Number(row.source_updated_at)).toISOString(),
      entityRefs: entities.get(row.id)?.entityRefs ?? [],
      ownerRefs: entities.get(row.id)?.ownerRefs ?? [],
      slas: slas.get(row.id) ?? [],
    }));
  }

  /** The mapped entities of records and the distinct owners of those entities. */
  private async readEntities(
    ids: string[],
  ): Promise<Map<string, { entityRefs: string[]; ownerRefs: string[] }>> {
    const result = new Map<
      string,
      { entityRefs: string[]; ownerRefs: string[] }
    >();
    for (const batch of chunk(ids, LOOKUP_CHUNK_SIZE)) {
      const rows: Pick<
        RecordEntitiesRow,
        'record_id' | 'entity_ref' | 'owner_ref'
      >[] = await this.db(TABLE_RECORD_ENTITIES)
        .select('record_id', 'entity_ref', 'owner_ref')
        .whereIn('record_id', batch)
        .orderBy([{ column: 'record_id' }, { column: 'entity_ref' }]);
      for (const row of rows) {
        let entry = result.get(row.record_id);
        if (!entry) {
          entry = { entityRefs: [], ownerRefs: [] };
          result.set(row.record_id, entry);
        }
        entry.entityRefs.push(row.entity_ref);
        if (row.owner_ref && !entry.ownerRefs.includes(row.owner_ref)) {
          entry.ownerRefs.push(row.owner_ref);
        }
      }
    }
    return result;
  }

  private async readSlas(ids: string[]): Promise<Map<string, ItsmSla[]>> {
    const result = new Map<string, ItsmSla[]>();
    for (const batch of chunk(ids, LOOKUP_CHUNK_SIZE)) {
      const rows: Required<SlasRow>[] = await this.db(TABLE_SLAS)
        .select('*')
        .whereIn('record_id', batch)
        .orderBy([{ column: 'record_id' }, { column: 'id' }]);
      for (const row of rows) {
        pushTo(result, row.record_id, {
          name: row.name,
          kind: row.kind as ItsmSla['kind'],
          targetSeconds:
            row.target_seconds === null ? null : Number(row.target_seconds),
          stage: row.stage as ItsmSla['stage'],
          breached: Boolean(row.breached),
          startAt: new Date(Number(row.start_at)).toISOString(),
          endAt: toIso(row.end_at),
          breachAt: toIso(row.breach_at),
          businessElapsedSeconds:
            row.business_elapsed_seconds === null
              ? null
              : Number(row.business_elapsed_seconds),
        });
      }
    }
    return result;
  }

  /**
   * Resolves caused_by_change and problem_id (external ids in the record's
   * own provider). A linked record the filter hides reads as not arrived.
   */
  private async readLinks(
    rows: RecordsReadRow[],
    filter: RecordFilter | undefined,
  ): Promise<Map<string, ItsmRecordLink>> {
    const wanted = new Map<
      string,
      { providerId: string; externalId: string }
    >();
    for (const row of rows) {
      for (const externalId of [row.caused_by_change, row.problem_id]) {
        if (externalId !== null) {
          wanted.set(linkKey(row.provider_id, externalId), {
            providerId: row.provider_id,
            externalId,
          });
        }
      }
    }
    const result = new Map<string, ItsmRecordLink>();
    for (const batch of chunk([...wanted.values()], LOOKUP_CHUNK_SIZE)) {
      const byProvider = new Map<string, string[]>();
      for (const { providerId, externalId } of batch) {
        pushTo(byProvider, providerId, externalId);
      }
      const query = this.db(`${TABLE_RECORDS} as ${R}`)
        .select(
          `${R}.id`,
          `${R}.provider_id`,
          `${R}.external_id`,
          `${R}.number`,
          `${R}.title`,
        )
        .where(any => {
          for (const [providerId, externalIds] of byProvider) {
            any.orWhere(one =>
              one
                .where(`${R}.provider_id`, providerId)
                .whereIn(`${R}.external_id`, externalIds),
            );
          }
        });
      if (filter) {
        applyFilter(query, filter);
      }
      const found: Pick<
        RecordsRow,
        'id' | 'provider_id' | 'external_id' | 'number' | 'title'
      >[] = await query;
      for (const row of found) {
        result.set(linkKey(row.provider_id, row.external_id), {
          externalId: row.external_id,
          id: row.id,
          number: row.number,
          title: row.title,
        });
      }
    }
    return result;
  }

  private async countByProvider(table: string): Promise<Map<string, number>> {
    const rows: Array<{ provider_id: string; count: DbBigInt }> = await this.db(
      table,
    )
      .select('provider_id')
      .count({ count: '*' })
      .groupBy('provider_id');
    return new Map(rows.map(row => [row.provider_id, Number(row.count)]));
  }
}

/** Applies the non-permission filters of a list query to `records as r`. */
function applyRecordQuery(builder: Knex.QueryBuilder, query: ListRecordsQuery) {
  if (query.entityRefs !== undefined) {
    builder.whereIn(`${R}.id`, recordIdsWhere('entity_ref', query.entityRefs));
  }
  if (query.kinds !== undefined) {
    builder.whereIn(`${R}.kind`, query.kinds);
  }
  if (query.states !== undefined) {
    builder.whereIn(`${R}.state`, query.states);
  }
  if (query.priorities !== undefined) {
    builder.whereIn(`${R}.priority`, query.priorities);
  }
  if (query.providerIds !== undefined) {
    builder.whereIn(`${R}.provider_id`, query.providerIds);
  }
  if (query.to !== undefined) {
    builder.where(`${R}.opened_at`, '<', query.to);
  }
  if (query.from !== undefined) {
    const from = query.from;
    const end = `coalesce(${R}.closed_at, ${R}.resolved_at)`;
    builder.where(overlap =>
      overlap.whereRaw(`${end} is null`).orWhereRaw(`${end} > ?`, [from]),
    );
  }
  if (query.q !== undefined && query.q !== '') {
    const pattern = `%${escapeLike(query.q.toLowerCase())}%`;
    builder.where(text =>
      text
        .whereRaw(`lower(${R}.number) like ? escape '\\'`, [pattern])
        .orWhereRaw(`lower(${R}.title) like ? escape '\\'`, [pattern]),
    );
  }
}

/**
 * The ids of records mapped to an entity whose `column` is one of `values`,
 * as an uncorrelated subquery for `r.id in (...)`: evaluated once, where a
 * correlated EXISTS may be planned per row through the wrong index.
 */
function recordIdsWhere(
  column: 'entity_ref' | 'owner_ref',
  values: string[],
): (sub: Knex.QueryBuilder) => void {
  return sub => {
    sub.select('record_id').from(TABLE_RECORD_ENTITIES).whereIn(column, values);
  };
}

/** Translates a permission filter into where-groups on `records as r`. */
export function applyFilter(
  builder: Knex.QueryBuilder,
  filter: RecordFilter,
): void {
  applyPermissionCriteria(builder, filter, applyCriterion);
}

function applyCriterion(
  builder: Knex.QueryBuilder,
  criterion: RecordCriterion,
): void {
  switch (criterion.key) {
    case 'department':
      builder.whereIn(`${R}.department`, criterion.values);
      return;
    case 'kind':
      builder.whereIn(`${R}.kind`, criterion.values);
      return;
    case 'owner':
      builder.whereIn(`${R}.id`, recordIdsWhere('owner_ref', criterion.values));
      return;
    default:
      throw new InputError(
        `Unknown record filter criterion ${JSON.stringify(criterion)}`,
      );
  }
}

/** The same external id twice in one batch: the newest sourceUpdatedAt wins, the later on a tie. */
function newestPerExternalId(records: RecordToStore[]): RecordToStore[] {
  const newest = new Map<string, RecordToStore>();
  for (const item of records) {
    const seen = newest.get(item.record.externalId);
    if (
      !seen ||
      toMs(item.record.sourceUpdatedAt) >= toMs(seen.record.sourceUpdatedAt)
    ) {
      newest.set(item.record.externalId, item);
    }
  }
  return sortByKey([...newest.values()], item => item.record.externalId);
}

/** The same external id deleted twice in one batch: the later deletion wins. */
function latestPerExternalId(deletions: RecordDeletion[]): RecordDeletion[] {
  const latest = new Map<string, RecordDeletion>();
  for (const deletion of deletions) {
    const seen = latest.get(deletion.externalId);
    if (!seen || toMs(deletion.deletedAt) >= toMs(seen.deletedAt)) {
      latest.set(deletion.externalId, deletion);
    }
  }
  return sortByKey([...latest.values()], d => d.externalId);
}

/** A stored record row as a tombstone keeps it: instants as ISO, the payload as JSON. */
function auditRecord(row: RecordsRow): Record<string, unknown> {
  const record: Record<string, unknown> = { ...row };
  for (const column of [
    ...RECORD_INSTANT_COLUMNS,
    'created_at',
    'updated_at',
  ] as const) {
    record[column] = toIso(row[column]);
  }
  for (const column of ['priority', 'reopen_count'] as const) {
    record[column] = row[column] === null ? null : Number(row[column]);
  }
  if (row.payload !== null) {
    try {
      record.payload = JSON.parse(row.payload);
    } catch {
      // Kept as the text it was stored as.
    }
  }
  return record;
}

function lastPerExternalId(
  feedback: ItsmNormalisedFeedback[],
): ItsmNormalisedFeedback[] {
  const last = new Map(feedback.map(fb => [fb.externalId, fb]));
  return sortByKey([...last.values()], fb => fb.externalId);
}

/** Sorted so that concurrent writers lock rows in the same order. */
function sortByKey<T>(items: T[], key: (item: T) => string): T[] {
  return items.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === kb) {
      return 0;
    }
    return ka < kb ? -1 : 1;
  });
}

/** @internal Builds the rows of one record; shared with the ingestion benchmark. */
export function prepareRecord(
  input: CommitBatchInput,
  { record, entities }: RecordToStore,
  now: number,
): PreparedRecord {
  const content = toRecordContent(input, record);
  const slas = record.slas.map(sla => ({
    name: sla.name,
    kind: sla.kind,
    target_seconds: sla.targetSeconds,
    stage: sla.stage,
    breached: sla.breached,
    start_at: toMs(sla.startAt),
    end_at: toNullableMs(sla.endAt),
    breach_at: toNullableMs(sla.breachAt),
    business_elapsed_seconds: sla.businessElapsedSeconds,
  }));
  const mappings = uniqueBy(
    [
      ...record.entityRefs.map(value => ({
        annotation: ENTITY_REF_MAPPING,
        value,
      })),
      ...record.mappings.map(m => ({
        annotation: m.annotation,
        value: m.value,
      })),
    ],
    m => `${m.annotation}\u0000${m.value}`,
  );
  const contentHash = createHash('sha256')
    .update(JSON.stringify({ content, slas, mappings }))
    .digest('hex');
  return {
    row: {
      id: randomUUID(),
      ...content,
      content_hash: contentHash,
      created_at: now,
      updated_at: now,
    },
    slas,
    mappings,
    entities: uniqueEntities(entities).map(e => ({
      entity_ref: e.entityRef,
      via: e.via,
      owner_ref: e.ownerRef,
    })),
  };
}

/** The columns of a record that its content hash covers. */
function toRecordContent(
  input: CommitBatchInput,
  record: ItsmNormalisedRecord,
): Omit<RecordsRow, 'id' | 'content_hash' | 'created_at' | 'updated_at'> {
  return {
    provider_id: input.providerId,
    external_id: record.externalId,
    kind: record.kind,
    department: input.department,
    number: record.number,
    title: record.title,
    url: record.url,
    state: record.state,
    priority: record.priority,
    opened_at: toMs(record.openedAt),
    acknowledged_at: toNullableMs(record.acknowledgedAt),
    resolved_at: toNullableMs(record.resolvedAt),
    closed_at: toNullableMs(record.closedAt),
    impact_start: toNullableMs(record.impactStart),
    impact_end: toNullableMs(record.impactEnd),
    change_type: record.changeType,
    planned_start: toNullableMs(record.plannedStart),
    planned_end: toNullableMs(record.plannedEnd),
    actual_start: toNullableMs(record.actualStart),
    actual_end: toNullableMs(record.actualEnd),
    outcome: record.outcome,
    caused_by_change: record.causedByChange,
    problem_id: record.problemId,
    reopen_count: record.reopenCount,
    assignment_group: record.assignmentGroup,
    assignee: record.assignee,
    source_updated_at: toMs(record.sourceUpdatedAt),
    payload:
      record.payload === undefined ? null : stringifyPayload(record.payload),
  };
}

/** Whether an incoming row should replace the stored version. */
function isNewer(
  row: RecordsRow,
  storedUpdatedAt: number,
  storedHash: string,
): boolean {
  return (
    row.source_updated_at > storedUpdatedAt ||
    (row.source_updated_at === storedUpdatedAt &&
      row.content_hash !== storedHash)
  );
}

function toFeedbackRow(
  providerId: string,
  fb: ItsmNormalisedFeedback,
): FeedbackRow {
  return {
    id: randomUUID(),
    provider_id: providerId,
    external_id: fb.externalId,
    record_external_id: fb.recordExternalId,
    entity_ref: fb.entityRef,
    scale: fb.scale,
    score: fb.score,
    responded_at: toMs(fb.respondedAt),
    comment: fb.comment,
  };
}

function toEntityRow(
  recordId: string,
  entity: ResolvedEntity,
): RecordEntitiesRow {
  return {
    record_id: recordId,
    entity_ref: entity.entityRef,
    via: entity.via,
    owner_ref: entity.ownerRef,
  };
}

/** One entry per entityRef (the primary key); the first one wins. */
function uniqueEntities(entities: ResolvedEntity[]): ResolvedEntity[] {
  return uniqueBy(entities, e => e.entityRef);
}

/** Compares entity sets regardless of order. */
function entitiesKey(entities: ResolvedEntity[]): string {
  return JSON.stringify(
    entities
      .map(e => [e.entityRef, e.via, e.ownerRef ?? null])
      .sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
  );
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter(item => {
    const k = key(item);
    if (seen.has(k)) {
      return false;
    }
    seen.add(k);
    return true;
  });
}

/** JSON of a payload, or its String() when it cannot be serialised. */
function stringifyPayload(payload: unknown): string {
  try {
    return JSON.stringify(payload) ?? String(payload);
  } catch {
    return String(payload);
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, c => `\\${c}`);
}

function linkKey(providerId: string, externalId: string): string {
  return JSON.stringify([providerId, externalId]);
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InputError(`limit must be a positive integer, got ${limit}`);
  }
  return limit;
}

function toMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    throw new InputError(`Invalid instant ${JSON.stringify(iso)}`);
  }
  return ms;
}

function toNullableMs(iso: string | null): number | null {
  return iso === null ? null : toMs(iso);
}

function toIso(ms: DbBigInt | null): string | null {
  return ms === null ? null : new Date(Number(ms)).toISOString();
}

function parseFailedParts(
  json: string | null | undefined,
): Array<{ part: string; error: string }> {
  try {
    const parts: unknown = json ? JSON.parse(json) : [];
    if (!Array.isArray(parts)) {
      return [];
    }
    return parts.flatMap(item =>
      item && typeof item === 'object' && typeof item.part === 'string'
        ? [{ part: item.part, error: String(item.error ?? '') }]
        : [],
    );
  } catch {
    return [];
  }
}

function parseKinds(json: string): ItsmRecordKind[] {
  try {
    const kinds: unknown = JSON.parse(json);
    return Array.isArray(kinds) ? (kinds as ItsmRecordKind[]) : [];
  } catch {
    return [];
  }
}

function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(
    JSON.stringify({ o: cursor.openedAt, i: cursor.id, d: cursor.order }),
  ).toString('base64url');
}

function decodeCursor(text: string, order: SortOrder): PageCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InputError('Invalid cursor');
  }
  const { o, i, d } = (value ?? {}) as Record<string, unknown>;
  if (typeof o !== 'number' || !Number.isFinite(o) || typeof i !== 'string') {
    throw new InputError('Invalid cursor');
  }
  if (d !== order) {
    throw new InputError(`The cursor belongs to a listing in ${d} order`);
  }
  return { openedAt: o, id: i, order };
}
