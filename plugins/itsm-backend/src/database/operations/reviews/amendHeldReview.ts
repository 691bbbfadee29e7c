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
  TABLE_SERVICE_REVIEW_AMENDMENTS,
  TABLE_SERVICE_REVIEWS,
} from '../../tables';
import type { HeldReviewRow } from './heldReviewRows';

/**
 * Replaces the decisions of a held review and keeps the change (who, when,
 * before and after) in its history, in one transaction; the row is locked
 * on PostgreSQL so concurrent amendments chain. Same decisions: nothing
 * changes. False when the review is not held.
 */
export async function amendHeldReview(
  knex: Knex | Knex.Transaction,
  options: { id: string; decisions: string; at: number; actor: string },
): Promise<boolean> {
  const { id, decisions, at, actor } = options;
  return knex.transaction(async tx => {
    const query = tx<HeldReviewRow>(TABLE_SERVICE_REVIEWS).where({ id });
    const current = await (knex.client.config.client === 'pg'
      ? query.forUpdate()
      : query
    ).first();
    if (!current) {
      return false;
    }
    if (current.decisions === decisions) {
      return true;
    }
    await tx(TABLE_SERVICE_REVIEWS).where({ id }).update({ decisions });
    await tx(TABLE_SERVICE_REVIEW_AMENDMENTS).insert({
      review_id: id,
      at,
      actor,
      decisions_before: current.decisions,
      decisions_after: decisions,
    });
    return true;
  });
}
