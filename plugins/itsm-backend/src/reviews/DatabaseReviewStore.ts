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
import { amendHeldReview } from '../database/operations/reviews/amendHeldReview';
import { createHeldReview } from '../database/operations/reviews/createHeldReview';
import { deleteHeldReview } from '../database/operations/reviews/deleteHeldReview';
import { getHeldReview } from '../database/operations/reviews/getHeldReview';
import { listCausedIncidentIds } from '../database/operations/reviews/listCausedIncidentIds';
import { listFailedChangeIds } from '../database/operations/reviews/listFailedChangeIds';
import { listHeldReviewAmendments } from '../database/operations/reviews/listHeldReviewAmendments';
import { listOpenProblemIds } from '../database/operations/reviews/listOpenProblemIds';
import { listSlaBreaches } from '../database/operations/reviews/listSlaBreaches';
import { listWorstIncidentIds } from '../database/operations/reviews/listWorstIncidentIds';
import type {
  HeldReview,
  ReviewRecordScope,
  ReviewSlaBreach,
  ReviewStore,
} from './ReviewStore';

/**
 * Service reviews on knex (SQLite and PostgreSQL), one operation per method
 * in `database/operations/reviews`. The tables come with the plugin's
 * migrations, run by `DatabaseItsmStore.create`.
 */
export class DatabaseReviewStore implements ReviewStore {
  constructor(private readonly db: Knex) {}

  getHeldReview(id: string): Promise<HeldReview | undefined> {
    return getHeldReview(this.db, { id });
  }

  findHeldReview(
    entityRef: string,
    period: { from: number; to: number },
  ): Promise<HeldReview | undefined> {
    return getHeldReview(this.db, { entityRef, ...period });
  }

  createHeldReview(review: HeldReview): Promise<void> {
    return createHeldReview(this.db, { review });
  }

  amendHeldReview(options: {
    id: string;
    decisions: string;
    at: number;
    actor: string;
  }): Promise<boolean> {
    return amendHeldReview(this.db, options);
  }

  deleteHeldReview(id: string): Promise<boolean> {
    return deleteHeldReview(this.db, { id });
  }

  listHeldReviewAmendments(
    reviewId: string,
  ): Promise<ItsmHeldReviewAmendment[]> {
    return listHeldReviewAmendments(this.db, { reviewId });
  }

  listWorstIncidentIds(scope: ReviewRecordScope): Promise<string[]> {
    return listWorstIncidentIds(this.db, scope);
  }

  listFailedChangeIds(scope: ReviewRecordScope): Promise<string[]> {
    return listFailedChangeIds(this.db, scope);
  }

  listCausedIncidentIds(changeIds: string[]): Promise<Map<string, string[]>> {
    return listCausedIncidentIds(this.db, { changeIds });
  }

  listSlaBreaches(scope: ReviewRecordScope): Promise<ReviewSlaBreach[]> {
    return listSlaBreaches(this.db, scope);
  }

  listOpenProblemIds(scope: ReviewRecordScope): Promise<string[]> {
    return listOpenProblemIds(this.db, scope);
  }
}
