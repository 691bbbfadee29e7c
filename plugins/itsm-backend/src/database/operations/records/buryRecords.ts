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
import type { RecordDeletion } from '../../ItsmStore';
import {
  RECORD_INSTANT_COLUMNS,
  RecordsRow,
  RecordTombstonesRow,
  TABLE_RECORD_TOMBSTONES,
  TABLE_RECORDS,
} from '../../tables';
import {
  chunk,
  isPostgres,
  LOOKUP_CHUNK_SIZE,
  ROW_CHUNK_SIZE,
  toIso,
  toMs,
} from '../util/conversions';
import {
  byExternalId,
  deleteChildRows,
  readChildRows,
  RecordChildRows,
} from '../util/rows';

/** The child rows of a record that has none. */
const NO_CHILD_ROWS: RecordChildRows = Object.freeze({
  slas: [],
  mappings: [],
  entities: [],
});

/** The columns a moved record's tombstone overwrites on an existing one. */
const MOVED_MERGE_COLUMNS = [
  'record_id',
  'kind',
  'department',
  'number',
  'title',
  'reason',
  'payload',
] as const;

/**
 * Writes a tombstone per deletion (unique external ids) and moves the
 * stored records among them out of `records`, child rows included, with
 * a JSON copy in the tombstone. A stored version newer than the deletion
 * means the record lives again at the source: that deletion is stale and
 * is left out. Returns how many stored records were moved.
 */
export async function buryRecords(
  tx: Knex.Transaction,
  options: {
    providerId: string;
    department: string;
    deletions: RecordDeletion[];
    now: number;
  },
): Promise<number> {
  const { providerId, department, deletions, now } = options;
  const stored = await byExternalId<RecordsRow>(
    tx,
    TABLE_RECORDS,
    providerId,
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
  const children = await readChildRows(tx, moving);

  const moved: RecordTombstonesRow[] = [];
  const unseen: RecordTombstonesRow[] = [];
  for (const deletion of due) {
    const row = stored.get(deletion.externalId);
    const tombstone: RecordTombstonesRow = {
      provider_id: providerId,
      external_id: deletion.externalId,
      record_id: row?.id ?? null,
      kind: row?.kind ?? null,
      department: row?.department ?? department,
      number: row?.number ?? null,
      title: row?.title ?? null,
      deleted_at: toMs(deletion.deletedAt),
      detected_at: now,
      reason: deletion.reason,
      payload: row
        ? JSON.stringify({
            record: auditRecord(row),
            ...(children.get(row.id) ?? NO_CHILD_ROWS),
          })
        : null,
    };
    (row ? moved : unseen).push(tombstone);
  }

  // A tombstone that exists already keeps its first detection and the
  // later of the two deletion instants; a moved record's details win.
  const laterDeletion = tx.raw(
    `${
      isPostgres(tx) ? 'greatest' : 'max'
    }(??.deleted_at, excluded.deleted_at)`,
    [TABLE_RECORD_TOMBSTONES],
  );
  for (const [tombstones, merge] of [
    [moved, MOVED_MERGE_COLUMNS],
    [unseen, []],
  ] as const) {
    for (const batch of chunk(tombstones, ROW_CHUNK_SIZE)) {
      await tx(TABLE_RECORD_TOMBSTONES)
        .insert(batch)
        .onConflict(['provider_id', 'external_id'])
        .merge({
          ...Object.fromEntries(
            merge.map(column => [column, tx.raw('excluded.??', [column])]),
          ),
          deleted_at: laterDeletion,
        });
    }
  }

  await deleteChildRows(tx, moving);
  for (const batch of chunk(moving, LOOKUP_CHUNK_SIZE)) {
    await tx(TABLE_RECORDS).whereIn('id', batch).delete();
  }
  return moving.length;
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
