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
import type { ListExternalIdsOptions } from '../../ItsmStore';
import { RecordsRow, TABLE_RECORDS } from '../../tables';
import { checkLimit, isPostgres } from '../util/conversions';

/** Most external ids one call returns. */
const MAX_EXTERNAL_IDS = 10_000;

/**
 * The external ids a provider has stored (tombstoned ones are not stored),
 * ascending in code-point order on every database, at most 10,000.
 */
export async function listExternalIds(
  knex: Knex,
  options: ListExternalIdsOptions,
): Promise<string[]> {
  const limit = Math.min(checkLimit(options.limit), MAX_EXTERNAL_IDS);
  // Code-point order on both databases: SQLite's default, and on
  // PostgreSQL the "C" collation, served by records_provider_external_c_idx.
  const column = isPostgres(knex) ? 'external_id collate "C"' : 'external_id';
  const query = knex(TABLE_RECORDS)
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
