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
import type { StoredImprovement } from '../../../improvements/ImprovementStore';
import type { ImprovementFilter } from '../../../permissions/improvementRules';
import { TABLE_IMPROVEMENTS } from '../../tables';
import { applyImprovementFilter } from './applyImprovementFilter';
import { type ImprovementRow, toStoredImprovements } from './improvementRows';

/** One improvement, when it exists and passes the permission filter. */
export async function getImprovement(
  knex: Knex | Knex.Transaction,
  options: { id: string; filter?: ImprovementFilter },
): Promise<StoredImprovement | undefined> {
  const builder = knex<ImprovementRow>(TABLE_IMPROVEMENTS).where({
    id: options.id,
  });
  if (options.filter) {
    applyImprovementFilter(builder, options.filter);
  }
  const [item] = await toStoredImprovements(knex, await builder.select('*'));
  return item;
}
