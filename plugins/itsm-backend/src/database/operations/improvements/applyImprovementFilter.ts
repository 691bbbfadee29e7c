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
  ImprovementCriterion,
  ImprovementFilter,
} from '../../../permissions/improvementRules';
import { applyPermissionCriteria } from '../../permissionCriteria';

/** Narrows a read of `improvements` to what a permission filter allows. */
export function applyImprovementFilter(
  builder: Knex.QueryBuilder,
  filter: ImprovementFilter,
): void {
  applyPermissionCriteria(builder, filter, applyCriterion);
}

function applyCriterion(
  builder: Knex.QueryBuilder,
  criterion: ImprovementCriterion,
): void {
  switch (criterion.key) {
    case 'department':
      builder.whereIn('department', criterion.values);
      return;
    case 'owner':
      builder.whereIn('owner_ref', criterion.values);
      return;
    default:
      throw new Error(
        `Unknown improvement filter criterion ${JSON.stringify(criterion)}`,
      );
  }
}
