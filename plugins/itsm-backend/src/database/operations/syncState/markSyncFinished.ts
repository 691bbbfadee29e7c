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
import type { SyncRunOutcome } from '../../ItsmStore';
import { NO_RUN_OBSERVATIONS } from '../../syncStatus';
import { SyncStateRow, TABLE_SYNC_STATE } from '../../tables';

/**
 * Notes how a provider's run ended: its error (none for a success), counts
 * and observations. A run that was never marked as started still leaves a row.
 */
export async function markSyncFinished(
  knex: Knex,
  options: SyncRunOutcome & { providerId: string },
): Promise<void> {
  const now = Date.now();
  const succeeded = options.error === undefined;
  const observed = options.observations ?? NO_RUN_OBSERVATIONS;
  const values: Partial<SyncStateRow> = {
    last_finished_at: now,
    last_error: options.error ?? null,
    last_read: options.counts.read,
    last_upserted: options.counts.upserted,
    last_unchanged: options.counts.unchanged,
    last_dead_lettered: options.counts.deadLettered,
    last_deleted: options.counts.deleted,
    last_requests: observed.requests,
    last_retries: observed.retries,
    last_wait_ms: observed.waitMs,
    last_retry_message: observed.lastRetryMessage,
    last_failed_parts: JSON.stringify(observed.failedParts),
    ...(succeeded ? { last_succeeded_at: now } : {}),
  };
  await knex(TABLE_SYNC_STATE)
    .insert({
      provider_id: options.providerId,
      department: '',
      kinds: '[]',
      ...values,
    })
    .onConflict('provider_id')
    .merge(Object.keys(values));
}
