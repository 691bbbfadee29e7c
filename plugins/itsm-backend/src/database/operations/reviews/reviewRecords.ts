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
import { scopedRecords } from '../../../metrics/sql';
import type { ReviewRecordScope } from '../../../reviews/ReviewStore';

/** `records as r` narrowed to the records mapped to the scope's entities. */
export function reviewRecords(
  knex: Knex,
  scope: ReviewRecordScope,
): Knex.QueryBuilder {
  // Record selection only: the outage threshold plays no part in it.
  return scopedRecords({
    db: knex,
    entityRefs: scope.entityRefs,
    now: scope.now,
    outagePriorityThreshold: 0,
  });
}

/**
 * The ids of the scope's records of one kind that `narrow` keeps, in the
 * order and number it sets.
 */
export async function listReviewRecordIds(
  knex: Knex,
  scope: ReviewRecordScope,
  kind: 'incident' | 'change' | 'problem',
  narrow: (builder: Knex.QueryBuilder) => Knex.QueryBuilder,
): Promise<string[]> {
  const rows: Array<{ id: string }> = await narrow(
    reviewRecords(knex, scope).select('r.id').where('r.kind', kind),
  );
  return rows.map(r => r.id);
}
