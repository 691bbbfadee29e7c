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

import type {
  ItsmImprovementEvent,
  ItsmImprovementEventType,
} from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import { TABLE_IMPROVEMENT_EVENTS } from '../../tables';
import { type ImprovementEventRow, isoOf } from './improvementRows';

/** An item's history, oldest first. */
export async function listImprovementEvents(
  knex: Knex | Knex.Transaction,
  options: { improvementId: string },
): Promise<ItsmImprovementEvent[]> {
  const rows: ImprovementEventRow[] = await knex<ImprovementEventRow>(
    TABLE_IMPROVEMENT_EVENTS,
  )
    .where({ improvement_id: options.improvementId })
    .orderBy('seq', 'asc');
  return rows.map(row => ({
    id: row.id,
    improvementId: row.improvement_id,
    at: isoOf(row.at),
    actor: row.actor,
    type: row.type as ItsmImprovementEventType,
    changes: JSON.parse(row.changes),
    comment: row.comment,
  }));
}
