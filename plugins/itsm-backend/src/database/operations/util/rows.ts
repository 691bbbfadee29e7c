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
  TABLE_RECORD_ENTITIES,
  TABLE_RECORD_MAPPINGS,
  TABLE_SLAS,
} from '../../tables';
import {
  chunk,
  isPostgres,
  LOOKUP_CHUNK_SIZE,
  PG_JSON_CHUNK_SIZE,
  ROW_CHUNK_SIZE,
} from './conversions';

/** The tables of a record's child rows, deleted with it, and their stable order. */
const RECORD_CHILD_ORDERS = {
  [TABLE_SLAS]: ['record_id', 'id'],
  [TABLE_RECORD_MAPPINGS]: ['record_id', 'annotation', 'value'],
  [TABLE_RECORD_ENTITIES]: ['record_id', 'entity_ref'],
} as const;

export const RECORD_CHILD_TABLES = Object.keys(
  RECORD_CHILD_ORDERS,
) as ReadonlyArray<keyof typeof RECORD_CHILD_ORDERS>;

/** Plain multi-row inserts; on PostgreSQL as one JSON parameter per chunk. */
export async function insertRows(
  tx: Knex.Transaction,
  table: string,
  rows: object[],
): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  if (isPostgres(tx)) {
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

/** Rows of a table keyed by (provider_id, external_id), by external id. */
export async function byExternalId<T extends { external_id: string }>(
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
export async function deleteChildRows(
  tx: Knex.Transaction,
  recordIds: string[],
): Promise<void> {
  for (const table of RECORD_CHILD_TABLES) {
    for (const batch of chunk(recordIds, LOOKUP_CHUNK_SIZE)) {
      await tx(table).whereIn('record_id', batch).delete();
    }
  }
}

/** The child rows of one record, each list in a stable order. */
export interface RecordChildRows {
  slas: object[];
  mappings: object[];
  entities: object[];
}

/** The child rows of records, by record id (records without any are left out). */
export async function readChildRows(
  tx: Knex.Transaction,
  recordIds: string[],
): Promise<Map<string, RecordChildRows>> {
  const result = new Map<string, RecordChildRows>();
  const parts: Array<
    [keyof RecordChildRows, (typeof RECORD_CHILD_TABLES)[number]]
  > = [
    ['slas', TABLE_SLAS],
    ['mappings', TABLE_RECORD_MAPPINGS],
    ['entities', TABLE_RECORD_ENTITIES],
  ];
  for (const [part, table] of parts) {
    for (const batch of chunk(recordIds, LOOKUP_CHUNK_SIZE)) {
      const rows: Array<{ record_id: string }> = await tx(table)
        .select('*')
        .whereIn('record_id', batch)
        .orderBy([...RECORD_CHILD_ORDERS[table]]);
      for (const { record_id, ...rest } of rows) {
        let children = result.get(record_id);
        if (!children) {
          children = { slas: [], mappings: [], entities: [] };
          result.set(record_id, children);
        }
        children[part].push(rest);
      }
    }
  }
  return result;
}
