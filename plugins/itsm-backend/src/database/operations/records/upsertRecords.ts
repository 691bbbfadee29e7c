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
import {
  DbBigInt,
  RECORD_MERGE_COLUMNS,
  RecordEntitiesRow,
  RecordMappingsRow,
  RecordsRow,
  RecordTombstonesRow,
  SlasRow,
  TABLE_RECORD_ENTITIES,
  TABLE_RECORD_MAPPINGS,
  TABLE_RECORD_TOMBSTONES,
  TABLE_RECORDS,
  TABLE_SLAS,
} from '../../tables';
import { isPostgres } from '../util/conversions';
import { byExternalId, deleteChildRows, insertRows } from '../util/rows';
import type { PreparedRecord } from './prepareRecord';

/**
 * Upserts one chunk of prepared records of a provider (unique external ids)
 * and replaces the child rows of those that were written. Returns how many
 * were written.
 */
export async function upsertRecords(
  tx: Knex.Transaction,
  options: { providerId: string; records: PreparedRecord[] },
): Promise<number> {
  const { providerId, records } = options;
  const externalIds = records.map(r => r.row.external_id);
  // Skip what is already stored as new or newer without sending it.
  const stored = await byExternalId<
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
  const buried = await byExternalId<
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
  const written = await insertRecordRows(
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

  const byExternal = new Map(candidates.map(c => [c.row.external_id, c]));
  // Only rows that were updated have child rows to replace; new ones don't.
  // PostgreSQL says which were inserted; SQLite has a single writer, so the
  // read above is still true.
  const replacedIds = written
    .filter(w =>
      w.inserted === undefined ? stored.has(w.external_id) : !w.inserted,
    )
    .map(w => w.id)
    .sort();
  await deleteChildRows(tx, replacedIds);
  const slas: SlasRow[] = [];
  const mappings: RecordMappingsRow[] = [];
  const entities: RecordEntitiesRow[] = [];
  for (const { id, external_id } of written) {
    const record = byExternal.get(external_id)!;
    slas.push(...record.slas.map(s => ({ record_id: id, ...s })));
    mappings.push(...record.mappings.map(m => ({ record_id: id, ...m })));
    entities.push(...record.entities.map(e => ({ record_id: id, ...e })));
  }
  for (const [table, rows] of [
    [TABLE_SLAS, slas],
    [TABLE_RECORD_MAPPINGS, mappings],
    [TABLE_RECORD_ENTITIES, entities],
  ] as const) {
    await insertRows(tx, table, rows);
  }
  return written.length;
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

/**
 * Inserts record rows, or updates the stored row of the same key when the
 * incoming version is newer (or as new with other content): the same rule
 * as the read in `upsertRecords`, again in SQL, so a concurrent writer of
 * the same key is neither duplicated nor overwritten by an older version.
 * Returns the rows written.
 */
async function insertRecordRows(
  tx: Knex.Transaction,
  rows: RecordsRow[],
): Promise<
  Array<Pick<RecordsRow, 'id' | 'external_id'> & { inserted?: boolean }>
> {
  const newer = `??.source_updated_at < excluded.source_updated_at
    or (??.source_updated_at = excluded.source_updated_at
        and ??.content_hash <> excluded.content_hash)`;
  if (isPostgres(tx)) {
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
