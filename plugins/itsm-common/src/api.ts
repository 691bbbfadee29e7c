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
  ItsmChangeOutcome,
  ItsmChangeType,
  ItsmRecordKind,
  ItsmRecordState,
} from './records';

/** An SLA of a record, as the API serves it. @public */
export interface ItsmSla {
  name: string;
  kind: 'response' | 'resolution';
  targetSeconds: number | null;
  stage: 'in_progress' | 'paused' | 'completed' | 'breached' | 'cancelled';
  breached: boolean;
  startAt: string;
  endAt: string | null;
  breachAt: string | null;
  businessElapsedSeconds: number | null;
}

/** A link from one record to another, resolved when read. @public */
export interface ItsmRecordLink {
  /** The source's external id of the linked record. */
  externalId: string;
  /** Our id of the linked record, null when it has not arrived yet. */
  id: string | null;
  number: string | null;
  title: string | null;
}

/** A stored ITSM record (GET /records). @public */
export interface ItsmRecord {
  id: string;
  providerId: string;
  externalId: string;
  kind: ItsmRecordKind;
  department: string;
  number: string | null;
  title: string;
  url: string | null;
  state: ItsmRecordState;
  priority: number | null;
  openedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  impactStart: string | null;
  impactEnd: string | null;
  changeType: ItsmChangeType | null;
  plannedStart: string | null;
  plannedEnd: string | null;
  actualStart: string | null;
  actualEnd: string | null;
  outcome: ItsmChangeOutcome | null;
  causedByChange: ItsmRecordLink | null;
  problem: ItsmRecordLink | null;
  reopenCount: number;
  assignmentGroup: string | null;
  assignee: string | null;
  sourceUpdatedAt: string;
  entityRefs: string[];
  /** Owners (full refs) of the entities the record maps to. */
  ownerRefs?: string[];
  slas: ItsmSla[];
}

/** @public */
export interface ItsmRecordPage {
  items: ItsmRecord[];
  /** Pass as `cursor` to read the next page; absent on the last page. */
  nextCursor?: string;
}

/** Ingestion bookkeeping of one provider (GET /sync). @public */
export interface ItsmSyncStatus {
  providerId: string;
  department: string;
  kinds: ItsmRecordKind[];
  /**
   * Whether the provider has saved a cursor to resume from. The cursor itself
   * is never returned: a source's cursor may be a next-link URL holding a key.
   */
  hasCursor: boolean;
  lastStartedAt: string | null;
  /** The end of the last run that finished without error (failed parts allowed). */
  lastSucceededAt: string | null;
  lastFinishedAt: string | null;
  lastError: string | null;
  /**
   * The parts of the source (tables, endpoints) that failed for good in the
   * last finished run while the others synced, e.g. a table the integration
   * user may not read. Empty when none did.
   */
  failedParts: Array<{ part: string; error: string }>;
  /** Counts and observations of the last finished run. */
  lastRun: {
    read: number;
    upserted: number;
    unchanged: number;
    deadLettered: number;
    /** Stored records the source deleted, moved to tombstones. */
    deleted: number;
    /** HTTP requests sent, retries included. */
    requests: number;
    /** Retries of single requests and of the run itself. */
    retries: number;
    /** Time spent waiting before those retries, in milliseconds. */
    waitMs: number;
    /** Why the last retry was needed, or null without retries. */
    lastRetryMessage: string | null;
  };
  /** Totals since the provider was first seen. */
  totals: {
    records: number;
    deadLetters: number;
    /** Records deleted at the source, kept for audit and never counted. */
    tombstones: number;
  };
}

/** A record that failed validation, kept with the reason. @public */
export interface ItsmDeadLetter {
  id: string;
  providerId: string;
  externalId: string | null;
  error: string;
  at: string;
}
