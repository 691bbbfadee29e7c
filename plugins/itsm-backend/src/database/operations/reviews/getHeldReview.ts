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
import type { HeldReview } from '../../../reviews/ReviewStore';
import { TABLE_SERVICE_REVIEWS } from '../../tables';
import { fromHeldReviewRow, type HeldReviewRow } from './heldReviewRows';

/**
 * A held review by its id, or by the entity and the exact period it was
 * held for.
 */
export async function getHeldReview(
  knex: Knex | Knex.Transaction,
  options: { id: string } | { entityRef: string; from: number; to: number },
): Promise<HeldReview | undefined> {
  const where =
    'id' in options
      ? { id: options.id }
      : {
          entity_ref: options.entityRef,
          period_from: options.from,
          period_to: options.to,
        };
  const row = await knex<HeldReviewRow>(TABLE_SERVICE_REVIEWS)
    .where(where)
    .first();
  return row && fromHeldReviewRow(row);
}
