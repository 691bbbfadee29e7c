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

import type { ItsmRecord } from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import type { RecordFilter } from '../../ItsmStore';
import { R } from '../../permissionCriteria';
import type { RecordsReadRow } from '../../tables';
import { chunk, LOOKUP_CHUNK_SIZE } from '../util/conversions';
import { selectRecords, toRecords } from './readRecords';

/** One record; undefined when missing or filtered out. */
export async function getRecord(
  knex: Knex,
  options: { id: string; filter?: RecordFilter },
): Promise<ItsmRecord | undefined> {
  const rows: RecordsReadRow[] = await selectRecords(
    knex,
    options.filter,
  ).where(`${R}.id`, options.id);
  const [record] = await toRecords(knex, rows, options.filter);
  return record;
}

/** The records of the given ids that exist and pass the filter, in the order of `ids`. */
export async function getRecords(
  knex: Knex,
  options: { ids: string[]; filter?: RecordFilter },
): Promise<ItsmRecord[]> {
  const unique = [...new Set(options.ids)];
  const byId = new Map<string, ItsmRecord>();
  for (const part of chunk(unique, LOOKUP_CHUNK_SIZE)) {
    const rows: RecordsReadRow[] = await selectRecords(
      knex,
      options.filter,
    ).whereIn(`${R}.id`, part);
    for (const record of await toRecords(knex, rows, options.filter)) {
      byId.set(record.id, record);
    }
  }
  return unique.flatMap(id => byId.get(id) ?? []);
}
