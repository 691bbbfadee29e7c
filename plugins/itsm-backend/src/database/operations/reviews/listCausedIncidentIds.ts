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
import { TABLE_RECORDS } from '../../tables';

/**
 * The incidents linked to each change, by change id: same source, naming
 * the change's external id as their cause; oldest first.
 */
export async function listCausedIncidentIds(
  knex: Knex,
  options: { changeIds: string[] },
): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  if (options.changeIds.length === 0) {
    return result;
  }
  const rows: Array<{ change_id: string; id: string }> = await knex(
    `${TABLE_RECORDS} as c`,
  )
    .join(`${TABLE_RECORDS} as i`, join =>
      join
        .on('i.provider_id', '=', 'c.provider_id')
        .andOn('i.caused_by_change', '=', 'c.external_id'),
    )
    .whereIn('c.id', options.changeIds)
    .where('i.kind', 'incident')
    .select({ change_id: 'c.id', id: 'i.id' })
    .orderBy([{ column: 'i.opened_at' }, { column: 'i.id' }]);
  for (const row of rows) {
    result.set(row.change_id, [...(result.get(row.change_id) ?? []), row.id]);
  }
  return result;
}
