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
}

/** What the engine hands to a provider's sync. @public */
export interface ItsmProviderSyncContext {
  /** The cursor saved with the last committed batch, or null on the first run. */
  cursor: string | null;
  /** Aborted when the task times out or the backend shuts down. */
  signal: AbortSignal;
  /** A child logger of this run. */
  logger: LoggerService;
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
