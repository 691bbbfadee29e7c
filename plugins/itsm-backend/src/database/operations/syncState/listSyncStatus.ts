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
  ItsmRecordKind,
  ItsmSyncStatus,
} from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import {
  DbBigInt,
  SyncStateRow,
  TABLE_DEAD_LETTERS,
  TABLE_RECORD_TOMBSTONES,
  TABLE_RECORDS,
  TABLE_SYNC_STATE,
} from '../../tables';
import { toIso } from '../util/conversions';

/** The sync state of every provider that ever ran, with its totals, by provider id. */
export async function listSyncStatus(knex: Knex): Promise<ItsmSyncStatus[]> {
  const [states, recordCounts, deadLetterCounts, tombstoneCounts] =
    await Promise.all([
      knex(TABLE_SYNC_STATE).select('*').orderBy('provider_id') as Promise<
        SyncStateRow[]
      >,
      countByProvider(knex, TABLE_RECORDS),
      countByProvider(knex, TABLE_DEAD_LETTERS),
      countByProvider(knex, TABLE_RECORD_TOMBSTONES),
    ]);
  return states.map(row => ({
    providerId: row.provider_id,
    department: row.department,
    kinds: parseKinds(row.kinds),
    hasCursor: row.cursor !== null,
    lastStartedAt: toIso(row.last_started_at),
    lastSucceededAt: toIso(row.last_succeeded_at),
    lastFinishedAt: toIso(row.last_finished_at),
    lastError: row.last_error,
    failedParts: parseFailedParts(row.last_failed_parts),
    lastRun: {
      read: Number(row.last_read),
      upserted: Number(row.last_upserted),
      unchanged: Number(row.last_unchanged),
      deadLettered: Number(row.last_dead_lettered),
      deleted: Number(row.last_deleted),
      requests: Number(row.last_requests),
      retries: Number(row.last_retries),
      waitMs: Number(row.last_wait_ms),
      lastRetryMessage: row.last_retry_message,
    },
    totals: {
      records: recordCounts.get(row.provider_id) ?? 0,
      deadLetters: deadLetterCounts.get(row.provider_id) ?? 0,
      tombstones: tombstoneCounts.get(row.provider_id) ?? 0,
    },
  }));
}

async function countByProvider(
  knex: Knex,
  table: string,
): Promise<Map<string, number>> {
  const rows: Array<{ provider_id: string; count: DbBigInt }> = await knex(
    table,
  )
    .select('provider_id')
    .count({ count: '*' })
    .groupBy('provider_id');
  return new Map(rows.map(row => [row.provider_id, Number(row.count)]));
}

function parseFailedParts(
  json: string | null | undefined,
): Array<{ part: string; error: string }> {
  try {
    const parts: unknown = json ? JSON.parse(json) : [];
    if (!Array.isArray(parts)) {
      return [];
    }
    return parts.flatMap(item =>
      item && typeof item === 'object' && typeof item.part === 'string'
        ? [{ part: item.part, error: String(item.error ?? '') }]
        : [],
    );
  } catch {
    return [];
  }
}

function parseKinds(json: string): ItsmRecordKind[] {
  try {
    const kinds: unknown = JSON.parse(json);
    return Array.isArray(kinds) ? (kinds as ItsmRecordKind[]) : [];
  } catch {
    return [];
  }
}
