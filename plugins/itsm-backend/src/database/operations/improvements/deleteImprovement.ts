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
import {
  TABLE_IMPROVEMENT_ENTITIES,
  TABLE_IMPROVEMENT_EVENTS,
  TABLE_IMPROVEMENTS,
} from '../../tables';

/** Deletes an item with its entities and history; false when there was none. */
export async function deleteImprovement(
  knex: Knex | Knex.Transaction,
  options: { id: string },
): Promise<boolean> {
  const { id } = options;
  return knex.transaction(async tx => {
    await tx(TABLE_IMPROVEMENT_EVENTS).where({ improvement_id: id }).delete();
    await tx(TABLE_IMPROVEMENT_ENTITIES).where({ improvement_id: id }).delete();
    return (await tx(TABLE_IMPROVEMENTS).where({ id }).delete()) > 0;
  });
}
