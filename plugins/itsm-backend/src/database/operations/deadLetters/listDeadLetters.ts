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

import type { ItsmDeadLetter } from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import type { ListDeadLettersOptions } from '../../ItsmStore';
import { DeadLettersRow, TABLE_DEAD_LETTERS } from '../../tables';
import { checkLimit } from '../util/conversions';

/** The newest dead letters, of one provider or all, without their payloads. */
export async function listDeadLetters(
  knex: Knex,
  options: ListDeadLettersOptions,
): Promise<ItsmDeadLetter[]> {
  const query = knex(TABLE_DEAD_LETTERS)
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
