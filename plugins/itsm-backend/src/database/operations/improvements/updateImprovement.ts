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

import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import type {
  NewImprovementEvent,
  StoredImprovement,
} from '../../../improvements/ImprovementStore';
import { TABLE_IMPROVEMENTS } from '../../tables';
import { toImprovementRow, writeImprovementLinks } from './improvementRows';

/**
 * Replaces an item with `next` and records the events, in one transaction,
 * unless it changed since `expectedUpdatedAt` (then ConflictError: someone
 * else saved first).
 */
export async function updateImprovement(
  knex: Knex | Knex.Transaction,
  options: {
    next: StoredImprovement;
    expectedUpdatedAt: string;
    events: NewImprovementEvent[];
  },
): Promise<void> {
  const { next, expectedUpdatedAt, events } = options;
  await knex.transaction(async tx => {
    const { id, ...rest } = toImprovementRow(next);
    const changed = await tx(TABLE_IMPROVEMENTS)
      .where({ id, updated_at: Date.parse(expectedUpdatedAt) })
      .update(rest);
    if (changed === 0) {
      throw new ConflictError(
        `Improvement '${id}' was changed by someone else; reload and try again`,
      );
    }
    await writeImprovementLinks(tx, id, {
      entityRefs: next.entityRefs,
      at: Date.parse(next.updatedAt),
      events,
    });
  });
}
