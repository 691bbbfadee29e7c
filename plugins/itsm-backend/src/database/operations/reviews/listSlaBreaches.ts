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
import {
  REVIEW_LIST_LIMIT,
  type ReviewRecordScope,
  type ReviewSlaBreach,
} from '../../../reviews/ReviewStore';
import { type DbBigInt, TABLE_SLAS } from '../../tables';
import { reviewRecords } from './reviewRecords';

/**
 * SLAs of the scope's records breached in the period (at the breach, else
 * at the SLA's end or start), the latest first.
 */
export async function listSlaBreaches(
  knex: Knex,
  scope: ReviewRecordScope,
): Promise<ReviewSlaBreach[]> {
  const at = 'coalesce(s.breach_at, s.end_at, s.start_at)';
  const rows: Array<{
    record_id: string;
    name: string;
    kind: string;
    target_seconds: number | string | null;
    breach_at: DbBigInt | null;
  }> = await reviewRecords(knex, scope)
    .join(`${TABLE_SLAS} as s`, 's.record_id', 'r.id')
    .where('s.breached', true)
    .whereNot('s.stage', 'cancelled')
    .whereRaw(`${at} >= ? and ${at} < ?`, [scope.from, scope.to])
    .select(
      's.record_id',
      's.name',
      's.kind',
      's.target_seconds',
      's.breach_at',
    )
    .orderByRaw(`${at} desc, s.record_id, s.name`)
    .limit(REVIEW_LIST_LIMIT);
  return rows.map(row => ({
    recordId: row.record_id,
    name: row.name,
    kind: row.kind as ReviewSlaBreach['kind'],
    targetSeconds:
      row.target_seconds === null ? null : Number(row.target_seconds),
    breachAt:
      row.breach_at === null
        ? null
        : new Date(Number(row.breach_at)).toISOString(),
  }));
}
