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
  NewImprovementEvent,
  StoredImprovement,
} from '../../../improvements/ImprovementStore';
import { TABLE_IMPROVEMENTS } from '../../tables';
import { toImprovementRow, writeImprovementLinks } from './improvementRows';

/** Stores a new item, its entities and its first history event, in one transaction. */
export async function createImprovement(
  knex: Knex | Knex.Transaction,
  options: { item: StoredImprovement; event: NewImprovementEvent },
): Promise<void> {
  const { item, event } = options;
  await knex.transaction(async tx => {
    await tx(TABLE_IMPROVEMENTS).insert(toImprovementRow(item));
    await writeImprovementLinks(tx, item.id, {
      entityRefs: item.entityRefs,
      at: Date.parse(item.createdAt),
      events: [event],
    });
  });
}
