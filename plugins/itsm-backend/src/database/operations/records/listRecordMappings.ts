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
import type {
  RecordMappings,
  ListRecordMappingsOptions,
} from '../../ItsmStore';
import {
  ENTITY_REF_MAPPING,
  RecordMappingsRow,
  TABLE_RECORD_MAPPINGS,
  TABLE_RECORDS,
} from '../../tables';
import { checkLimit, chunk, LOOKUP_CHUNK_SIZE } from '../util/conversions';

/**
 * The mappings of records (annotation values and provider-named refs),
 * paged by record id, so entity resolution can be re-run without the sources.
 */
export async function listRecordMappings(
  knex: Knex,
  options: ListRecordMappingsOptions,
): Promise<RecordMappings[]> {
  const limit = checkLimit(options.limit);
  const idQuery = knex(TABLE_RECORDS).select('id').orderBy('id').limit(limit);
  if (options.afterRecordId !== undefined) {
    idQuery.where('id', '>', options.afterRecordId);
  }
  const ids = ((await idQuery) as Array<{ id: string }>).map(row => row.id);

  const result = new Map<string, RecordMappings>(
    ids.map(recordId => [recordId, { recordId, entityRefs: [], mappings: [] }]),
  );
  for (const batch of chunk(ids, LOOKUP_CHUNK_SIZE)) {
    const rows: RecordMappingsRow[] = await knex(TABLE_RECORD_MAPPINGS)
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
