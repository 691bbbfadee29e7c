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

import type { HeldReview } from '../../../reviews/ReviewStore';
import type { DbBigInt } from '../../tables';

/** A row of `service_reviews`. */
export interface HeldReviewRow {
  id: string;
  entity_ref: string;
  period_from: DbBigInt;
  period_to: DbBigInt;
  label: string;
  held_by: string;
  held_at: DbBigInt;
  decisions: string;
  snapshot: string;
}

/** A row of `service_review_amendments`. */
export interface HeldReviewAmendmentRow {
  seq: DbBigInt;
  review_id: string;
  at: DbBigInt;
  actor: string;
  decisions_before: string;
  decisions_after: string;
}

export function toHeldReviewRow(review: HeldReview): HeldReviewRow {
  return {
    id: review.id,
    entity_ref: review.entityRef,
    period_from: review.from,
    period_to: review.to,
    label: review.label,
    held_by: review.heldBy,
    held_at: review.heldAt,
    decisions: review.decisions,
    snapshot: JSON.stringify(review.snapshot),
  };
}

export function fromHeldReviewRow(row: HeldReviewRow): HeldReview {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    from: Number(row.period_from),
    to: Number(row.period_to),
    label: row.label,
    heldBy: row.held_by,
    heldAt: Number(row.held_at),
    decisions: row.decisions,
    snapshot: JSON.parse(row.snapshot),
  };
}
