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
import type { ResolvedEntity } from '../../ItsmStore';
import {
  RecordEntitiesRow,
  TABLE_RECORD_ENTITIES,
  TABLE_RECORDS,
} from '../../tables';
import { chunk, LOOKUP_CHUNK_SIZE, ROW_CHUNK_SIZE } from '../util/conversions';
import { uniqueEntities } from './prepareRecord';

/**
 * Replaces the entity mappings of the given records (by record id), in one
 * transaction. Records that no longer exist are skipped. Returns how many
 * records changed.
 */
export async function replaceRecordEntities(
  knex: Knex,
  options: { entities: Map<string, ResolvedEntity[]> },
): Promise<number> {
  const { entities } = options;
  const recordIds = [...entities.keys()].sort();
  if (recordIds.length === 0) {
    return 0;
  }
  return knex.transaction(async tx => {
    let changed = 0;
    for (const batch of chunk(recordIds, LOOKUP_CHUNK_SIZE)) {
      const current = await readStoredEntities(tx, batch);
      const changedIds: string[] = [];
      const newRows: RecordEntitiesRow[] = [];
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
      await tx(TABLE_RECORD_ENTITIES).whereIn('record_id', changedIds).delete();
      for (const rowBatch of chunk(newRows, ROW_CHUNK_SIZE)) {
        await tx(TABLE_RECORD_ENTITIES).insert(rowBatch);
      }
      changed += changedIds.length;
    }
    return changed;
  });
}

/** The stored entities of the records that exist among `recordIds`. */
async function readStoredEntities(
  tx: Knex.Transaction,
  recordIds: string[],
): Promise<Map<string, ResolvedEntity[]>> {
  const rows: Array<{
    record_id: string;
    entity_ref: string | null;
    via: string | null;
    owner_ref: string | null;
  }> = await tx(`${TABLE_RECORDS} as r`)
    .leftJoin(`${TABLE_RECORD_ENTITIES} as re`, 're.record_id', 'r.id')
    .select('r.id as record_id', 're.entity_ref', 're.via', 're.owner_ref')
    .whereIn('r.id', recordIds);
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
  return current;
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

/** Compares entity sets regardless of order. */
function entitiesKey(entities: ResolvedEntity[]): string {
  return JSON.stringify(
    entities
      .map(e => [e.entityRef, e.via, e.ownerRef ?? null])
      .sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
  );
}
