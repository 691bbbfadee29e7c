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

/*
 * Row types and column names of the tables created in `migrations/`.
 *
 * Instants are bigint epoch milliseconds. PostgreSQL's driver returns bigint
 * (and count) values as strings, SQLite as numbers: read them through
 * `DbBigInt` and convert with `Number`.
 */

/** A bigint as the drivers return it: a number (SQLite) or a string (pg). */
export type DbBigInt = number | string;

/** A boolean as the drivers return it: a boolean (pg) or 0/1 (SQLite). */
export type DbBoolean = boolean | number;

export const TABLE_RECORDS = 'records';
export const TABLE_RECORD_ENTITIES = 'record_entities';
export const TABLE_RECORD_MAPPINGS = 'record_mappings';
export const TABLE_SLAS = 'slas';
export const TABLE_FEEDBACK = 'feedback';
export const TABLE_SYNC_STATE = 'sync_state';
export const TABLE_DEAD_LETTERS = 'dead_letters';
export const TABLE_RECORD_TOMBSTONES = 'record_tombstones';
export const TABLE_IMPROVEMENTS = 'improvements';
export const TABLE_IMPROVEMENT_ENTITIES = 'improvement_entities';
export const TABLE_IMPROVEMENT_EVENTS = 'improvement_events';
export const TABLE_SERVICE_REVIEWS = 'service_reviews';
export const TABLE_SERVICE_REVIEW_AMENDMENTS = 'service_review_amendments';

/** The annotation of `record_mappings` rows for entity refs the provider named. */
export const ENTITY_REF_MAPPING = '@entity-ref';

/** A row of `records` as written. */
export interface RecordsRow {
  id: string;
  provider_id: string;
  external_id: string;
  kind: string;
  department: string;
  number: string | null;
  title: string;
  url: string | null;
  state: string;
  priority: number | null;
  opened_at: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  impact_start: number | null;
  impact_end: number | null;
  change_type: string | null;
  planned_start: number | null;
  planned_end: number | null;
  actual_start: number | null;
  actual_end: number | null;
  outcome: string | null;
  caused_by_change: string | null;
  problem_id: string | null;
  reopen_count: number;
  assignment_group: string | null;
  assignee: string | null;
  source_updated_at: number;
  payload: string | null;
  /** sha256 of the normalised record: tells a re-read from a change. */
  content_hash: string;
  created_at: number;
  updated_at: number;
}

/** The instants of a record's life, from opening to the end of its impact. */
export const RECORD_LIFECYCLE_COLUMNS = [
  'opened_at',
  'acknowledged_at',
  'resolved_at',
  'closed_at',
  'impact_start',
  'impact_end',
] as const satisfies ReadonlyArray<keyof RecordsRow>;

/** The instant columns of `records`. */
export const RECORD_INSTANT_COLUMNS = [
  ...RECORD_LIFECYCLE_COLUMNS,
  'planned_start',
  'planned_end',
  'actual_start',
  'actual_end',
  'source_updated_at',
] as const satisfies ReadonlyArray<keyof RecordsRow>;

/** The columns of `records` that hold the normalised record (no key, no bookkeeping). */
const RECORD_CONTENT_COLUMNS = [
  'kind',
  'department',
  'number',
  'title',
  'url',
  'state',
  'priority',
  ...RECORD_LIFECYCLE_COLUMNS,
  'change_type',
  'planned_start',
  'planned_end',
  'actual_start',
  'actual_end',
  'outcome',
  'caused_by_change',
  'problem_id',
  'reopen_count',
  'assignment_group',
  'assignee',
  'source_updated_at',
] as const satisfies ReadonlyArray<keyof RecordsRow>;

/** The columns of `records` that an API read needs (no payload, no bookkeeping). */
export const RECORD_READ_COLUMNS = [
  'id',
  'provider_id',
  'external_id',
  ...RECORD_CONTENT_COLUMNS,
] as const satisfies ReadonlyArray<keyof RecordsRow>;

/** A row of `records` as read with RECORD_READ_COLUMNS. */
export type RecordsReadRow = {
  [K in (typeof RECORD_READ_COLUMNS)[number]]: RecordsRow[K] extends number
    ? DbBigInt
    : RecordsRow[K] extends number | null
    ? DbBigInt | null
    : RecordsRow[K];
};

/** The columns an upsert of `records` overwrites: all but the key, id and created_at. */
export const RECORD_MERGE_COLUMNS = [
  ...RECORD_CONTENT_COLUMNS,
  'payload',
  'content_hash',
  'updated_at',
] as const satisfies ReadonlyArray<keyof RecordsRow>;

/** A row of `record_entities`. */
export interface RecordEntitiesRow {
  record_id: string;
  entity_ref: string;
  via: string;
  owner_ref: string | null;
}

/** A row of `record_mappings`. */
export interface RecordMappingsRow {
  record_id: string;
  /** An annotation, or ENTITY_REF_MAPPING for refs the provider named. */
  annotation: string;
  value: string;
}

/** A row of `slas` (id is generated). */
export interface SlasRow {
  id?: number;
  record_id: string;
  name: string;
  kind: string;
  target_seconds: number | null;
  stage: string;
  breached: DbBoolean;
  start_at: DbBigInt;
  end_at: DbBigInt | null;
  breach_at: DbBigInt | null;
  business_elapsed_seconds: number | null;
}

/** A row of `feedback`. */
export interface FeedbackRow {
  id: string;
  provider_id: string;
  external_id: string;
  record_external_id: string | null;
  entity_ref: string | null;
  scale: string;
  score: number;
  responded_at: DbBigInt;
  comment: string | null;
}

/** The columns an upsert of `feedback` overwrites. */
export const FEEDBACK_MERGE_COLUMNS = [
  'record_external_id',
  'entity_ref',
  'scale',
  'score',
  'responded_at',
  'comment',
] as const satisfies ReadonlyArray<keyof FeedbackRow>;

/** A row of `sync_state`. */
export interface SyncStateRow {
  provider_id: string;
  department: string;
  /** JSON array of record kinds. */
  kinds: string;
  cursor: string | null;
  last_started_at: DbBigInt | null;
  last_succeeded_at: DbBigInt | null;
  last_finished_at: DbBigInt | null;
  last_error: string | null;
  last_read: number;
  last_upserted: number;
  last_unchanged: number;
  last_dead_lettered: number;
  last_deleted: number;
  last_requests: number;
  last_retries: number;
  last_wait_ms: DbBigInt;
  last_retry_message: string | null;
  /** JSON array of `{ part, error }`: the parts of the last run that failed for good. */
  last_failed_parts: string;
}

/**
 * A row of `record_tombstones`: a record its source deleted, kept for audit
 * and never read as a record. The key is (provider_id, external_id).
 */
export interface RecordTombstonesRow {
  provider_id: string;
  external_id: string;
  /** Our id of the record, or null when it was never stored. */
  record_id: string | null;
  kind: string | null;
  department: string;
  number: string | null;
  title: string | null;
  /** When the source deleted it (or the deletion was noticed). */
  deleted_at: DbBigInt;
  /** When we first learnt of it. */
  detected_at: DbBigInt;
  /** audit, reconciliation or export. */
  reason: string;
  /** JSON of the stored record, its SLAs, mappings and entities; null when never stored. */
  payload: string | null;
}

/** A row of `dead_letters`. */
export interface DeadLettersRow {
  id: string;
  provider_id: string;
  external_id: string | null;
  /** JSON of what failed, or its String() when it is not JSON-serialisable. */
  payload: string;
  error: string;
  at: DbBigInt;
}
