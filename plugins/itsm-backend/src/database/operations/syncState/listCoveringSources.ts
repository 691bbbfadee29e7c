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

import type { ItsmDataSource } from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import type { RecordFilter } from '../../ItsmStore';
import { applyFilter } from '../../permissionCriteria';
import {
  DbBigInt,
  DbBoolean,
  TABLE_RECORD_ENTITIES,
  TABLE_RECORDS,
  TABLE_SYNC_STATE,
} from '../../tables';
import { toIso } from '../util/conversions';
import { whereAnyOf } from '../util/whereAnyOf';

/** The entity set whose sources to list. */
export interface CoveringSourcesScope {
  /** The entity asked about and the entities rolled up into it. */
  entityRefs: string[];
  /**
   * The caller's `itsm.metrics.read` filter: a source covers the numbers
   * only through records they count. Undefined when every record counts.
   */
  filter?: RecordFilter;
  /**
   * Providers that cover the set without a record yet: a provider maps on
   * an annotation one of its entities bears (see `metrics/coverage.ts`).
   */
  providerIds?: string[];
}

interface CoveringSourceRow {
  provider_id: string;
  department: string;
  last_succeeded_at: DbBigInt | null;
  last_finished_at: DbBigInt | null;
  last_run_failed: DbBoolean | string;
  first_run_finished: DbBoolean | string;
  last_failed_parts: string | null;
}

/**
 * The last finished run ended with an error: a success clears `last_error`,
 * and a success that ended after the failure supersedes it.
 */
const LAST_RUN_FAILED = `case when s.last_error is not null
  and (s.last_succeeded_at is null or s.last_finished_at >= s.last_succeeded_at)
  then 1 else 0 end`;

/**
 * Some run has succeeded, or the last one that started has ended; false
 * while the first run (or a retry of a failed first run) is under way.
 */
const FIRST_RUN_FINISHED = `case when s.last_succeeded_at is not null
  or (s.last_finished_at is not null
    and (s.last_started_at is null or s.last_finished_at >= s.last_started_at))
  then 1 else 0 end`;

/** `records as r` mapped to one of the scope's entities, under its filter. */
function mappedRecords(db: Knex, scope: CoveringSourcesScope) {
  const mapped = whereAnyOf(
    db(TABLE_RECORD_ENTITIES).select('record_id'),
    db,
    'entity_ref',
    scope.entityRefs,
  );
  const records = db(`${TABLE_RECORDS} as r`).whereIn('r.id', mapped);
  if (scope.filter) {
    applyFilter(records, scope.filter);
  }
  return records;
}

/**
 * The ids of the providers with a record mapped to one of the scope's
 * entities that the filter lets the caller count, sorted. A sealed record
 * makes no provider cover anything.
 */
export async function listMappedProviderIds(
  db: Knex,
  scope: Pick<CoveringSourcesScope, 'entityRefs' | 'filter'>,
): Promise<string[]> {
  if (scope.entityRefs.length === 0) {
    return [];
  }
  const rows: Array<{ provider_id: string }> = await mappedRecords(db, scope)
    .distinct('r.provider_id')
    .orderBy('r.provider_id');
  return rows.map(row => row.provider_id);
}

/**
 * The sources that cover an entity set: the providers with a record mapped
 * to one of its entities (and counted under the filter), and those named in
 * `providerIds` (covering by annotation), with the state of
 * their syncs from `sync_state`. One statement, bounded by the scope's
 * records; it never reads the error text or the cursor, only flags and the
 * part names of `last_failed_parts`. Ordered by provider id.
 */
export async function listCoveringSources(
  db: Knex,
  scope: CoveringSourcesScope,
): Promise<ItsmDataSource[]> {
  if (scope.entityRefs.length === 0) {
    return [];
  }
  const providers = mappedRecords(db, scope).select('r.provider_id');
  const extra = scope.providerIds ?? [];
  const rows: CoveringSourceRow[] = await db(`${TABLE_SYNC_STATE} as s`)
    .select(
      's.provider_id',
      's.department',
      's.last_succeeded_at',
      's.last_finished_at',
      's.last_failed_parts',
      db.raw(`${LAST_RUN_FAILED} as last_run_failed`),
      db.raw(`${FIRST_RUN_FINISHED} as first_run_finished`),
    )
    .where(covering => {
      covering.whereIn('s.provider_id', providers);
      if (extra.length > 0) {
        covering.orWhereIn('s.provider_id', extra);
      }
    })
    .orderBy('s.provider_id');
  return rows.map(row => ({
    providerId: row.provider_id,
    department: row.department,
    lastSucceededAt: toIso(row.last_succeeded_at),
    lastFinishedAt: toIso(row.last_finished_at),
    lastRunFailed: Number(row.last_run_failed) === 1,
    failedParts: partNames(row.last_failed_parts),
    firstRunFinished: Number(row.first_run_finished) === 1,
  }));
}

/**
 * The part names of `last_failed_parts` (a JSON array of `{ part, error }`),
 * each once, in order; the errors stay in the database.
 */
function partNames(json: string | null): string[] {
  if (!json) {
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) {
    return [];
  }
  const names = parsed.flatMap(item => {
    const part =
      item && typeof item === 'object'
        ? (item as { part?: unknown }).part
        : undefined;
    return typeof part === 'string' && part ? [part] : [];
  });
  return [...new Set(names)];
}
