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

import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ItsmMetricBucket,
  ItsmMetricsResponse,
  ItsmOwnership,
  ItsmRecord,
  ItsmRecordKind,
  ItsmRecordPage,
  ItsmRecordState,
  ItsmSyncStatus,
  ItsmImprovement,
  ItsmImprovementCreateRequest,
  ItsmImprovementDetails,
  ItsmImprovementList,
  ItsmImprovementStatus,
  ItsmImprovementUpdateRequest,
  ItsmAmendReviewRequest,
  ItsmHoldReviewRequest,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';

/** Filters of GET /records. @public */
export interface ItsmRecordsQuery {
  entityRef?: string;
  kind?: ItsmRecordKind[];
  state?: ItsmRecordState[];
  priority?: number[];
  providerId?: string[];
  from?: string;
  to?: string;
  q?: string;
  limit?: number;
  cursor?: string;
  order?: 'asc' | 'desc';
}

/** @public */
export interface ItsmMetricsQuery {
  entityRef: string;
  from?: string;
  to?: string;
  bucket?: ItsmMetricBucket;
  metrics?: string[];
  explain?: string;
}

/** Filters of `GET /improvements`. @public */
export interface ItsmImprovementsQuery {
  entityRef?: string;
  /**
   * A group's or user's improvements: about the entities it owns (catalog
   * `ownerOf`) or with it as owner.
   */
  ownedBy?: string;
  ownerRef?: string;
  status?: ItsmImprovementStatus[];
  department?: string;
  overdue?: boolean;
  q?: string;
  sort?: 'dueDate' | 'priority' | 'updatedAt' | 'createdAt' | 'title';
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

/**
 * The period of a service review: `period` (`2026-Q3`, `2026-10`) or an
 * explicit `from`/`to`.
 * @public
 */
export interface ItsmReviewQuery {
  entityRef: string;
  period?: string;
  from?: string;
  to?: string;
}

/** The ITSM backend, as the frontend reaches it. @public */
export interface ItsmApi {
  getRecords(query: ItsmRecordsQuery): Promise<ItsmRecordPage>;
  getRecord(id: string): Promise<ItsmRecord>;
  getMetrics(query: ItsmMetricsQuery): Promise<ItsmMetricsResponse>;
  getOwnership(entityRef: string): Promise<ItsmOwnership>;
  getSyncStatus(): Promise<{ items: ItsmSyncStatus[] }>;
  getImprovements(query: ItsmImprovementsQuery): Promise<ItsmImprovementList>;
  getImprovement(id: string): Promise<ItsmImprovementDetails>;
  createImprovement(
    request: ItsmImprovementCreateRequest,
  ): Promise<ItsmImprovement>;
  updateImprovement(
    id: string,
    request: ItsmImprovementUpdateRequest,
  ): Promise<ItsmImprovement>;
  deleteImprovement(id: string): Promise<void>;
  getReview(query: ItsmReviewQuery): Promise<ItsmServiceReview>;
  /** The review as Markdown, the same numbers as the JSON. */
  getReviewMarkdown(query: ItsmReviewQuery): Promise<string>;
  /** Holds (freezes) the review of a month or quarter that has ended. */
  holdReview(request: ItsmHoldReviewRequest): Promise<ItsmServiceReview>;
  /** Replaces the decisions of a held review; the change is kept in its history. */
  amendReview(
    heldId: string,
    request: ItsmAmendReviewRequest,
  ): Promise<ItsmServiceReview>;
  /** Releases a held review: its snapshot is deleted and the period reads live again. */
  releaseReview(heldId: string): Promise<void>;
}

/** @public */
export const itsmApiRef = createApiRef<ItsmApi>({ id: 'plugin.itsm.service' });
