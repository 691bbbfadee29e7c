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

import type { ItsmNormalisedFeedback } from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type {
  CommitBatchInput,
  CommitBatchResult,
  RecordDeletion,
  RecordToStore,
} from '../../ItsmStore';
import {
  DeadLettersRow,
  FEEDBACK_MERGE_COLUMNS,
  FeedbackRow,
  TABLE_DEAD_LETTERS,
  TABLE_FEEDBACK,
  TABLE_SYNC_STATE,
} from '../../tables';
import {
  chunk,
  isPostgres,
  LOOKUP_CHUNK_SIZE,
  PG_JSON_CHUNK_SIZE,
  ROW_CHUNK_SIZE,
  sortByKey,
  stringifyPayload,
  toMs,
} from '../util/conversions';
import { insertRows } from '../util/rows';
import { buryRecords } from './buryRecords';
import { prepareRecord } from './prepareRecord';
import { upsertRecords } from './upsertRecords';

/**
 * Records per statement. A `records` row has 32 columns, so 200 rows stay
 * far below SQLite's bound-variable limit (32766) and its 500-term compound
 * SELECT limit (knex writes SQLite multi-row inserts as `SELECT ... UNION ALL`).
 */
const RECORD_CHUNK_SIZE = 200;

/**
 * Upserts a batch keyed by (providerId, externalId) in one transaction:
 * records and their child rows, feedback, deletions, dead letters and the
 * cursor, all of it or nothing.
 */
export async function commitBatch(
  knex: Knex,
  input: CommitBatchInput,
): Promise<CommitBatchResult> {
  const now = Date.now();
  const records = newestPerExternalId(input.records).map(item =>
    prepareRecord(input, item, now),
  );
  const feedback = lastPerExternalId(input.feedback).map(fb =>
    toFeedbackRow(input.providerId, fb),
  );
  const deletions = latestPerExternalId(input.deletions ?? []);
  const deadLetters: DeadLettersRow[] = input.deadLetters.map(dl => ({
    id: randomUUID(),
    provider_id: input.providerId,
    external_id: dl.externalId,
    payload: stringifyPayload(dl.payload),
    error: dl.error,
    at: now,
  }));

  return knex.transaction(async tx => {
    let upserted = 0;
    const size = isPostgres(knex) ? PG_JSON_CHUNK_SIZE : RECORD_CHUNK_SIZE;
    for (const batch of chunk(records, size)) {
      upserted += await upsertRecords(tx, {
        providerId: input.providerId,
        records: batch,
      });
    }
    for (const batch of chunk(feedback, ROW_CHUNK_SIZE)) {
      await tx(TABLE_FEEDBACK)
        .insert(batch)
        .onConflict(['provider_id', 'external_id'])
        .merge([...FEEDBACK_MERGE_COLUMNS]);
    }
    // After the upserts: a record and its deletion in one batch are
    // decided by their instants alone, the deletion winning a tie.
    let deleted = 0;
    for (const batch of chunk(deletions, LOOKUP_CHUNK_SIZE)) {
      deleted += await buryRecords(tx, {
        providerId: input.providerId,
        department: input.department,
        deletions: batch,
        now,
      });
    }
    await insertRows(tx, TABLE_DEAD_LETTERS, deadLetters);
    await saveCursor(tx, input);
    return {
      upserted,
      unchanged: records.length - upserted,
      feedback: feedback.length,
      deadLettered: deadLetters.length,
      deleted,
    };
  });
}

/** Keeps the provider's sync_state row, with the batch's cursor if it has one. */
async function saveCursor(
  tx: Knex.Transaction,
  input: CommitBatchInput,
): Promise<void> {
  const insert = tx(TABLE_SYNC_STATE)
    .insert({
      provider_id: input.providerId,
      department: input.department,
      kinds: '[]',
      cursor: input.cursor ?? null,
    })
    .onConflict('provider_id');
  if (input.cursor === undefined) {
    await insert.ignore();
  } else {
    await insert.merge(['cursor']);
  }
}

/** The same external id twice in one batch: the newest sourceUpdatedAt wins, the later on a tie. */
function newestPerExternalId(records: RecordToStore[]): RecordToStore[] {
  const newest = new Map<string, RecordToStore>();
  for (const item of records) {
    const seen = newest.get(item.record.externalId);
    if (
      !seen ||
      toMs(item.record.sourceUpdatedAt) >= toMs(seen.record.sourceUpdatedAt)
    ) {
      newest.set(item.record.externalId, item);
    }
  }
  return sortByKey([...newest.values()], item => item.record.externalId);
}

/** The same external id deleted twice in one batch: the later deletion wins. */
function latestPerExternalId(deletions: RecordDeletion[]): RecordDeletion[] {
  const latest = new Map<string, RecordDeletion>();
  for (const deletion of deletions) {
    const seen = latest.get(deletion.externalId);
    if (!seen || toMs(deletion.deletedAt) >= toMs(seen.deletedAt)) {
      latest.set(deletion.externalId, deletion);
    }
  }
  return sortByKey([...latest.values()], d => d.externalId);
}

function lastPerExternalId(
  feedback: ItsmNormalisedFeedback[],
): ItsmNormalisedFeedback[] {
  const last = new Map(feedback.map(fb => [fb.externalId, fb]));
  return sortByKey([...last.values()], fb => fb.externalId);
}

function toFeedbackRow(
  providerId: string,
  fb: ItsmNormalisedFeedback,
): FeedbackRow {
  return {
    id: randomUUID(),
    provider_id: providerId,
    external_id: fb.externalId,
    record_external_id: fb.recordExternalId,
    entity_ref: fb.entityRef,
    scale: fb.scale,
    score: fb.score,
    responded_at: toMs(fb.respondedAt),
    comment: fb.comment,
  };
}
