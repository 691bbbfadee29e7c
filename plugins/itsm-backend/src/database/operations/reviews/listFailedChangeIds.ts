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
  REVIEW_LIST_LIMIT,
  type ReviewRecordScope,
} from '../../../reviews/ReviewStore';
import { listReviewRecordIds } from './reviewRecords';

/** Failed changes that ended in the period, the latest first. */
export async function listFailedChangeIds(
  knex: Knex,
  scope: ReviewRecordScope,
): Promise<string[]> {
  const end = 'coalesce(r.actual_end, r.closed_at, r.planned_end)';
  return listReviewRecordIds(knex, scope, 'change', builder =>
    builder
      .where('r.outcome', 'failed')
      .whereRaw(`${end} >= ? and ${end} < ?`, [scope.from, scope.to])
      .orderByRaw(`${end} desc, r.id`)
      .limit(REVIEW_LIST_LIMIT),
  );
}
