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

/** Problems open at the end of the period, the most urgent first. */
export async function listOpenProblemIds(
  knex: Knex,
  scope: ReviewRecordScope,
): Promise<string[]> {
  const end = 'coalesce(r.resolved_at, r.closed_at)';
  return listReviewRecordIds(knex, scope, 'problem', builder =>
    builder
      .whereNot('r.state', 'cancelled')
      .where('r.opened_at', '<', scope.to)
      .whereRaw(`(${end} is null or ${end} >= ?)`, [scope.to])
      .orderByRaw('coalesce(r.priority, 9), r.opened_at, r.id')
      .limit(REVIEW_LIST_LIMIT),
  );
}
