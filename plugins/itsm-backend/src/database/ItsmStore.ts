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
  ItsmDeadLetter,
  ItsmNormalisedFeedback,
  ItsmNormalisedRecord,
  ItsmRecord,
  ItsmRecordKind,
  ItsmRecordState,
  ItsmSyncStatus,
} from '@backstage-itsm/plugin-itsm-common';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';

/** A catalog entity a record maps to, and why. */
export interface ResolvedEntity {
  entityRef: string;
  /** The annotation that matched, or `provider` when the provider named the entity. */
  via: string;
  /** The entity's owner (`spec.owner` as a full ref), for owner-based permission rules. */
  ownerRef: string | null;
}

/** One record of a batch, validated, with the entities it maps to now. */
export interface RecordToStore {
  record: ItsmNormalisedRecord;
  entities: ResolvedEntity[];
}

/** A batch as the ingestion engine commits it: all of it or nothing. */
export interface CommitBatchInput {
  providerId: string;
  department: string;
  records: RecordToStore[];
  feedback: ItsmNormalisedFeedback[];
  deadLetters: Array<{
    externalId: string | null;
    payload: unknown;
    error: string;
  }>;
  /**
   * Records the source deleted: each becomes a tombstone in the same
   * transaction, and the stored record (if any) leaves `records`.
   */
  deletions?: RecordDeletion[];
  /** Saved in the same transaction; undefined keeps the stored cursor. */
  cursor?: string | null;
}

/** A validated deletion of a batch. */
export interface RecordDeletion {
  externalId: string;
  /** When the source deleted it, or when the deletion was noticed (ISO 8601). */
  deletedAt: string;
  reason: 'audit' | 'reconciliation' | 'export';
}

export interface CommitBatchResult {
  /** Records inserted or changed. */
  upserted: number;
  /** Records whose stored version is as new or newer (sourceUpdatedAt): left as they were. */
  unchanged: number;
  feedback: number;
  deadLettered: number;
  /** Stored records moved to tombstones by this batch's deletions. */
  deleted: number;
}

/** What a provider said maps one record. */
export interface RecordMappings {
  recordId: string;
  /** Entity refs the provider named. */
  entityRefs: string[];
  /** Annotation values, matched against the catalog. */
  mappings: Array<{ annotation: string; value: string }>;
}

/** A criterion of a record filter; permission conditions turn into these. */
export type RecordCriterion =
  | { key: 'department'; values: string[] }
  /** The record maps to an entity whose owner is one of `values` (full refs). */
  | { key: 'owner'; values: string[] }
  | { key: 'kind'; values: string[] };

export type RecordFilter = PermissionCriteria<RecordCriterion>;

export interface ListRecordsQuery {
  /** Records mapped to any of these entities. */
  entityRefs?: string[];
  kinds?: ItsmRecordKind[];
  states?: ItsmRecordState[];
  priorities?: number[];
  providerIds?: string[];
  /** Records whose life [openedAt, closedAt ?? resolvedAt ?? open) overlaps [from, to). Epoch ms. */
  from?: number;
  to?: number;
  /** Case-insensitive substring of number or title. */
  q?: string;
  /** Permission filter, applied in SQL. */
  filter?: RecordFilter;
  /** Default `desc` (newest openedAt first). */
  order?: 'asc' | 'desc';
  limit: number;
  /** Opaque cursor returned as nextCursor by the previous page. */
  cursor?: string;
}

export interface SyncRunCounts {
  read: number;
  upserted: number;
  unchanged: number;
  deadLettered: number;
  /** Stored records moved to tombstones. */
  deleted: number;
}

/** What a run observed besides records (see `ItsmSyncReporter`). */
export interface SyncRunObservations {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Retries of requests and of the run itself. */
  retries: number;
  /** Time spent waiting before those retries. */
  waitMs: number;
  lastRetryMessage: string | null;
  /** Parts of the source that failed for good while the rest synced. */
  failedParts: Array<{ part: string; error: string }>;
}

export interface ListRecordMappingsOptions {
  /** Records with ids strictly after this one. */
  afterRecordId?: string;
  limit: number;
}

export interface ListExternalIdsOptions {
  providerId: string;
  kind?: ItsmRecordKind;
  /** Ids strictly after this one. */
  after?: string;
  limit: number;
}

/** A provider as a run of it starts. */
export interface SyncRunProvider {
  providerId: string;
  department: string;
  kinds: ItsmRecordKind[];
}

/** How a run ended: an error (none for a success), its counts and observations. */
export interface SyncRunOutcome {
  error?: string;
  counts: SyncRunCounts;
  observations?: SyncRunObservations;
}

export interface ListDeadLettersOptions {
  providerId?: string;
  limit: number;
}

/**
 * The ITSM plugin's storage. Instants are epoch milliseconds in the database
 * and ISO strings at this interface.
 */
export interface ItsmStore {
  /** Upserts a batch keyed by (providerId, externalId) in one transaction, with the cursor. */
  commitBatch(input: CommitBatchInput): Promise<CommitBatchResult>;

  listRecords(
    query: ListRecordsQuery,
  ): Promise<{ items: ItsmRecord[]; nextCursor?: string }>;
  /** Undefined when missing or filtered out. */
  getRecord(id: string, filter?: RecordFilter): Promise<ItsmRecord | undefined>;
  /** The records of the given ids that exist and pass the filter, in the order of `ids`. */
  getRecords(ids: string[], filter?: RecordFilter): Promise<ItsmRecord[]>;

  /** The mappings of records (annotation values and provider-named refs), paged by record id. */
  listRecordMappings(
    options: ListRecordMappingsOptions,
  ): Promise<RecordMappings[]>;
  /** Replaces the entity mappings of the given records; returns how many records changed. */
  replaceRecordEntities(
    entities: Map<string, ResolvedEntity[]>,
  ): Promise<number>;

  /**
   * The external ids a provider has stored (tombstoned ones are not stored),
   * ascending in code-point order on every database, at most 10,000.
   */
  listExternalIds(options: ListExternalIdsOptions): Promise<string[]>;

  getCursor(providerId: string): Promise<string | null>;
  markSyncStarted(provider: SyncRunProvider): Promise<void>;
  markSyncFinished(providerId: string, outcome: SyncRunOutcome): Promise<void>;
  listSyncStatus(): Promise<ItsmSyncStatus[]>;
  listDeadLetters(options: ListDeadLettersOptions): Promise<ItsmDeadLetter[]>;
}
