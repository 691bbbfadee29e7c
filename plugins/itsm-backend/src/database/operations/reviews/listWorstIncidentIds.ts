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
  type ReviewRecordScope,
  WORST_INCIDENTS,
} from '../../../reviews/ReviewStore';
import { listReviewRecordIds } from './reviewRecords';

/**
 * The worst incidents opened in the period: P1s first, then the longest
 * (impact window, else open to resolve, or to the period's end).
 */
export async function listWorstIncidentIds(
  knex: Knex,
  scope: ReviewRecordScope,
): Promise<string[]> {
  const duration = `coalesce(r.impact_end, r.resolved_at, r.closed_at, ${Number(
    scope.to,
  )}) - coalesce(r.impact_start, r.opened_at)`;
  return listReviewRecordIds(knex, scope, 'incident', builder =>
    builder
      .whereNot('r.state', 'cancelled')
      .where('r.opened_at', '>=', scope.from)
      .where('r.opened_at', '<', scope.to)
      .orderByRaw(
        `case when r.priority = 1 then 0 else 1 end, ${duration} desc, r.opened_at, r.id`,
      )
      .limit(WORST_INCIDENTS),
  );
}
