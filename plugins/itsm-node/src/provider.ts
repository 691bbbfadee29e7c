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
  LoggerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import type {
  ItsmBuiltinMetricId,
  ItsmFeedbackInput,
  ItsmRecordInput,
  ItsmRecordKind,
} from '@backstage-itsm/plugin-itsm-common';

/**
 * One batch of a sync. The engine validates every item, upserts the valid ones
 * and dead-letters the rest in one transaction, and stores `cursor` in that
 * same transaction: a crash re-reads the batch, never skips it.
 * @public
 */
export interface ItsmProviderBatch {
  /** Records as the source has them now, normalised; validated by the engine. */
  records?: Array<ItsmRecordInput | unknown>;
  /** Survey answers (CSAT, NPS). */
  feedback?: Array<ItsmFeedbackInput | unknown>;
  /**
   * Where the next sync resumes once this batch has committed. Leave undefined
   * to keep the previous cursor (the engine saves the last one it was given).
   */
  cursor?: string | null;
  /**
   * Records deleted at the source. They become tombstones in the same
   * transaction as the rest of the batch: kept for audit, never shown and
   * never counted. A tombstone is not undone by a version of the record that
   * is not newer than `deletedAt`.
   */
  deletions?: ItsmProviderDeletion[];
}

/** A record the source no longer has. @public */
export interface ItsmProviderDeletion {
  /** The record's external id, as the provider yielded it. */
  externalId: string;
  /** When the source deleted it (ISO 8601), if it says; else when it was noticed. */
  deletedAt?: string;
  /**
   * How the deletion was found, for the audit trail: `audit` (the source's
   * deletion log), `reconciliation` (missing from a full id listing), `export`
   * (gone from a full export).
   */
  reason: 'audit' | 'reconciliation' | 'export';
}

/**
 * Observations of one run that are not records: the HTTP layer's requests,
 * retries and waits, and the parts of a source (tables, endpoints) that
 * failed for good while the rest synced. The engine keeps them in the sync
 * status (`GET /sync`).
 * @public
 */
export interface ItsmSyncReporter {
  /** One HTTP request was sent (retries included). */
  request(): void;
  /** A request failed transiently and is tried again after `waitMs`. */
  retry(event: { status?: number; waitMs: number; message: string }): void;
  /**
   * A part of the source (a table, an endpoint) failed permanently, e.g. the
   * integration user may not read it. The run goes on with the other parts and
   * ends as partial; the part is named in the sync status.
   */
  partFailed(part: string, error: unknown): void;
}

/** A reporter that keeps nothing, for providers run on their own (tests, scripts). @public */
export const noopItsmSyncReporter: ItsmSyncReporter = Object.freeze({
  request() {},
  retry() {},
  partFailed() {},
});

/** What the engine hands to a provider's sync. @public */
export interface ItsmProviderSyncContext {
  /** The cursor saved with the last committed batch, or null on the first run. */
  cursor: string | null;
  /** Aborted when the task times out or the backend shuts down. */
  signal: AbortSignal;
  /** A child logger of this run. */
  logger: LoggerService;
  /**
   * Where the run's HTTP and per-part observations go. The engine always
   * passes one; absent when a provider is run on its own (use
   * {@link noopItsmSyncReporter} then).
   */
  reporter?: ItsmSyncReporter;
  /**
   * The external ids this provider has stored and not tombstoned, in
   * ascending order, a page at a time: what reconciliation compares with the
   * source's own id listing. Absent when a provider is run on its own
   * (reconciliation is then skipped).
   */
  listStoredExternalIds?(options: {
    kind?: ItsmRecordKind;
    /** Ids strictly after this one. */
    after?: string;
    /** At most this many; the engine caps it at 10,000. */
    limit: number;
  }): Promise<string[]>;
}

/**
 * A source of ITSM records: a vendor API, an export folder, an HR system.
 * Register it through {@link itsmProvidersExtensionPoint}.
 * @public
 */
export interface ItsmProvider {
  /** Stable id, unique across the installation, e.g. `servicenow:corp`. The upsert key. */
  readonly id: string;
  /** The service desk that owns its records: `it`, `hr`, `facilities`, ... */
  readonly department: string;
  /** The record kinds it yields. */
  readonly kinds: ReadonlyArray<ItsmRecordKind>;
  /**
   * The catalog annotations whose values its records map on, e.g.
   * `servicenow.com/ci-sysid`. An entity bearing one of them is covered by
   * this source before any record maps to it: its counts are 0, not unknown.
   * Omit when the source maps by a rule of its own (refs it names itself).
   */
  readonly mapsOnAnnotations?: ReadonlyArray<string>;
  /**
   * Metrics this source cannot measure, with the reason in a sentence a
   * service owner reads (`reopen_rate`: "PagerDuty does not report
   * reopenings"). When no source covering an entity can measure a metric,
   * its value is null with that reason instead of a 0 nobody measured.
   */
  readonly unmeasurable?: Readonly<
    Partial<Record<ItsmBuiltinMetricId, string>>
  >;
  /**
   * What a reader must know about a metric computed from this source's
   * records, shown beside the metric when the source covers the entity:
   * a heuristic link (change to incident by correlation), a mapping from
   * config (PagerDuty urgency to priority, which decides what counts as an
   * outage).
   */
  readonly metricNotes?: Readonly<Partial<Record<ItsmBuiltinMetricId, string>>>;
  /**
   * Reads what changed since `cursor`, in batches. Throwing ends the run: the
   * batches already yielded stay committed and the error lands in `sync_state`.
   */
  sync(context: ItsmProviderSyncContext): AsyncIterable<ItsmProviderBatch>;
}

/**
 * When the engine runs a provider. Providers read from config use the
 * `schedule` key of their own config block.
 * @public
 */
export interface ItsmProviderRegistration {
  provider: ItsmProvider;
  /** Defaults to every 30 minutes, timeout 15 minutes, when omitted. */
  schedule?: SchedulerServiceTaskScheduleDefinition;
}
