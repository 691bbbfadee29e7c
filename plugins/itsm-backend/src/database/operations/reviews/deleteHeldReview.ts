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

/** Deletes a held review and its amendments; false when it is not held. */
export async function deleteHeldReview(
  knex: Knex | Knex.Transaction,
  options: { id: string },
): Promise<boolean> {
  const { id } = options;
  return knex.transaction(async tx => {
    await tx(TABLE_SERVICE_REVIEW_AMENDMENTS).where({ review_id: id }).delete();
    return (await tx(TABLE_SERVICE_REVIEWS).where({ id }).delete()) > 0;
  });
}
