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

import type { ItsmHeldReviewAmendment } from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import { TABLE_SERVICE_REVIEW_AMENDMENTS } from '../../tables';
import type { HeldReviewAmendmentRow } from './heldReviewRows';

/** The decision changes of a held review, oldest first. */
export async function listHeldReviewAmendments(
  knex: Knex | Knex.Transaction,
  options: { reviewId: string },
): Promise<ItsmHeldReviewAmendment[]> {
  const rows: HeldReviewAmendmentRow[] = await knex<HeldReviewAmendmentRow>(
    TABLE_SERVICE_REVIEW_AMENDMENTS,
  )
    .where({ review_id: options.reviewId })
    .orderBy('seq');
  return rows.map(r => ({
    at: new Date(Number(r.at)).toISOString(),
    by: r.actor,
    decisions: { from: r.decisions_before, to: r.decisions_after },
  }));
}
