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

import type {
  ItsmHeldReviewAmendment,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';

/** A review held for a month or quarter: its snapshot and decisions. */
export interface HeldReview {
  id: string;
  entityRef: string;
  /** The period held, epoch ms (start inclusive, end exclusive). */
  from: number;
  to: number;
  /** `2026-Q3` or `2026-10`. */
  label: string;
  heldBy: string;
  /** Epoch ms. */
  heldAt: number;
  decisions: string;
  /** The review as computed when held, counting every record. */
  snapshot: ItsmServiceReview;
}

/** The records a review lists: an entity's and its parts', over a period. */
export interface ReviewRecordScope {
  entityRefs: string[];
  /** The instant of the request, epoch ms. */
  now: number;
  /** The period, epoch ms (start inclusive, end exclusive). */
  from: number;
  to: number;
}

/** A breached SLA of a review's period. */
export interface ReviewSlaBreach {
  recordId: string;
  name: string;
  kind: 'response' | 'resolution';
  targetSeconds: number | null;
  /** ISO 8601, when known. */
  breachAt: string | null;
}

/** Most rows each list of a review holds. */
export const REVIEW_LIST_LIMIT = 25;
/** Worst incidents listed. */
export const WORST_INCIDENTS = 10;

/**
 * Service reviews in the database: held snapshots with the history of their
 * decisions, and the record lists a review is made of.
 */
export interface ReviewStore {
  getHeldReview(id: string): Promise<HeldReview | undefined>;

  /** The review of an entity held for exactly this period. */
  findHeldReview(
    entityRef: string,
    period: { from: number; to: number },
  ): Promise<HeldReview | undefined>;

  /** Stores a held review; fails when the period is already held. */
  createHeldReview(review: HeldReview): Promise<void>;

  /**
   * Replaces the decisions of a held review, keeping the change in its
   * history (nothing when they are the same); false when it is not held.
   */
  amendHeldReview(options: {
    id: string;
    decisions: string;
    at: number;
    actor: string;
  }): Promise<boolean>;

  /** Deletes a held review and its history; false when it is not held. */
  deleteHeldReview(id: string): Promise<boolean>;

  /** The decision changes of a held review, oldest first. */
  listHeldReviewAmendments(
    reviewId: string,
  ): Promise<ItsmHeldReviewAmendment[]>;

  /** The worst incidents opened in the period, at most WORST_INCIDENTS. */
  listWorstIncidentIds(scope: ReviewRecordScope): Promise<string[]>;

  /** Failed changes that ended in the period, the latest first. */
  listFailedChangeIds(scope: ReviewRecordScope): Promise<string[]>;

  /** Incidents caused by each change, by change id. */
  listCausedIncidentIds(changeIds: string[]): Promise<Map<string, string[]>>;

  /** SLAs breached in the period, the latest first. */
  listSlaBreaches(scope: ReviewRecordScope): Promise<ReviewSlaBreach[]>;

  /** Problems open at the end of the period. */
  listOpenProblemIds(scope: ReviewRecordScope): Promise<string[]>;
}
