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

import {
  isItsmPartUnavailableStatus,
  type ItsmProviderBatch,
  type ItsmProviderDeletion,
  type ItsmProviderSyncContext,
} from '@backstage-itsm/plugin-itsm-node';
import { andQuery } from '../client/encodedQuery';
import { ServiceNowError } from '../client/errors';
import {
  AUDIT_DELETE_TABLE,
  KIND_OF_TABLE,
  ServiceNowTaskTable,
} from '../client/tables';
import { readInstant, readText, ServiceNowRow } from '../client/values';
import type { ServiceNowSyncSettings } from './settings';
import { isUnreadable, SyncRun } from './SyncRun';

/** Deletions per batch. */
const DELETIONS_PER_BATCH = 1000;
/** Stored ids asked for per page when reconciling (the engine's cap). */
const STORED_IDS_PAGE = 10_000;
/** What the provider reads of `sys_audit_delete`. */
const AUDIT_FIELDS = ['sys_id', 'tablename', 'documentkey', 'sys_created_on'];

/** A side of a reconciliation that is not in ascending order. */
class OutOfOrder extends Error {}

/**
 * Yields the deletions `sys_audit_delete` logged for the task tables
 * since its cursor. Returns false, having read nothing, when the
 * integration user may not read it.
 */
export async function* auditDeletions(
  settings: ServiceNowSyncSettings,
  run: SyncRun,
): AsyncGenerator<ItsmProviderBatch, boolean> {
  const { client, reader } = settings;
  const { state, call, logger } = run;
  const tables = `tablenameIN${settings.taskTables.join(',')}`;
  let probe: ServiceNowRow[];
  try {
    probe = await client.getRows(
      AUDIT_DELETE_TABLE,
      { query: tables, fields: AUDIT_FIELDS, limit: 1 },
      call,
    );
  } catch (error) {
    if (
      error instanceof ServiceNowError &&
      !error.retryable &&
      isItsmPartUnavailableStatus(error.status)
    ) {
      logger.debug(
        `${settings.id}: ${AUDIT_DELETE_TABLE} cannot be read (${
          error.status
        }); deletions are found by reconciling ids every ${Math.round(
          settings.reconcileEveryMs / 60_000,
        )} minutes instead`,
      );
      return false;
    }
    throw error;
  }
  const missing = AUDIT_FIELDS.filter(f => probe[0] && !(f in probe[0]));
  if (missing.length > 0) {
    logger.warn(
      `${settings.id}: ${AUDIT_DELETE_TABLE} has no ${missing.join(
        ', ',
      )} for the integration user; deletions are found by reconciling ids instead`,
    );
    return false;
  }
  const cursor = (state.audit ??= { since: null, seen: {} });
  const lower = reader.lowerBound(cursor);
  const mode = client.displayValue;
  try {
    for await (const page of reader.readTable(AUDIT_DELETE_TABLE, cursor, {
      lower,
      extraQuery: tables,
      fields: AUDIT_FIELDS,
      timeField: 'sys_created_on',
      call,
      logger,
    })) {
      const deletions: ItsmProviderDeletion[] = [];
      for (const row of page.fresh) {
        const externalId = readText(row, 'documentkey', mode);
        if (!externalId) continue;
        const at = readInstant(row, 'sys_created_on', mode);
        deletions.push({
          externalId,
          ...(at.ok && at.iso ? { deletedAt: at.iso } : {}),
          reason: 'audit',
        });
      }
      const batch = run.batch([], deletions);
      if (batch) yield batch;
    }
  } catch (error) {
    if (!isUnreadable(error)) throw error;
    run.partFailed(AUDIT_DELETE_TABLE, error);
  }
  return true;
}

/**
 * For each task table whose ids were not reconciled within
 * `reconcileEveryMs`: lists its ids and yields the stored ones it lacks
 * as deleted. Skipped when the engine cannot list stored ids.
 */
export async function* reconcile(
  settings: ServiceNowSyncSettings,
  run: SyncRun,
  context: ItsmProviderSyncContext,
): AsyncGenerator<ItsmProviderBatch> {
  const { now, reconcileEveryMs } = settings;
  const { state, logger } = run;
  const listStored = context.listStoredExternalIds?.bind(context);
  if (!listStored) return;
  for (const table of settings.taskTables) {
    if (run.failed.has(table)) continue;
    const startedAt = now();
    const last = state.reconciled?.[table];
    if (last && startedAt - Date.parse(last) < reconcileEveryMs) {
      continue;
    }
    let missing: string[] | undefined;
    try {
      missing = await missingIds(settings, table, listStored, run);
    } catch (error) {
      if (!isUnreadable(error)) throw error;
      run.partFailed(table, error);
      continue;
    }
    if (!missing) continue;
    logger.info(
      `${settings.id}: ${missing.length} ${table} records are gone from the instance (id reconciliation)`,
    );
    const deletedAt = new Date(startedAt).toISOString();
    for (let i = 0; i === 0 || i < missing.length; i += DELETIONS_PER_BATCH) {
      if (i + DELETIONS_PER_BATCH >= missing.length) {
        // With the last of them: a run that stops before reconciles again.
        (state.reconciled ??= {})[table] = deletedAt;
      }
      const batch = run.batch(
        [],
        missing.slice(i, i + DELETIONS_PER_BATCH).map(externalId => ({
          externalId,
          deletedAt,
          reason: 'reconciliation' as const,
        })),
      );
      if (batch) yield batch;
    }
  }
}

/**
 * The stored ids of a task table that its complete id listing lacks. Both
 * lists come in ascending order and are walked side by side, a page of
 * each at a time; the listing is read up to the highest stored id, so
 * every stored id is compared with a complete listing of its range.
 * Throws when a page of the listing fails; undefined (with a warning)
 * when either side is not in the order the walk relies on.
 */
async function missingIds(
  settings: ServiceNowSyncSettings,
  table: ServiceNowTaskTable,
  listStored: NonNullable<ItsmProviderSyncContext['listStoredExternalIds']>,
  run: SyncRun,
): Promise<string[] | undefined> {
  const { client, reconcilePageSize } = settings;
  const { call, logger } = run;
  const mode = client.displayValue;
  let page: string[] = [];
  let index = 0;
  let complete = false;
  let lastListed: string | undefined;
  /** The next listed id, or undefined past the end. */
  const nextListed = async (): Promise<string | undefined> => {
    while (index >= page.length && !complete) {
      call.signal.throwIfAborted();
      const rows = await client.getRows(
        table,
        {
          query: andQuery(
            lastListed !== undefined ? `sys_id>${lastListed}` : undefined,
            settings.query[table],
            'ORDERBYsys_id',
          ),
          fields: ['sys_id'],
          limit: reconcilePageSize,
        },
        call,
      );
      complete = rows.length < reconcilePageSize;
      page = rows
        .map(row => readText(row, 'sys_id', mode) ?? '')
        .filter(id => id !== '');
      index = 0;
      for (const id of page) {
        if (lastListed !== undefined && id <= lastListed) {
          throw new OutOfOrder(`the listing of ${table}`);
        }
        lastListed = id;
      }
    }
    return index < page.length ? page[index++] : undefined;
  };

  const missing: string[] = [];
  const kind = KIND_OF_TABLE[table];
  try {
    let listed = await nextListed();
    let after: string | undefined;
    for (;;) {
      const stored = await listStored({
        kind,
        after,
        limit: STORED_IDS_PAGE,
      });
      if (stored.length === 0) break;
      for (const id of stored) {
        if (after !== undefined && id <= after) {
          throw new OutOfOrder('the stored ids');
        }
        after = id;
        while (listed !== undefined && listed < id) {
          listed = await nextListed();
        }
        if (listed !== id) missing.push(id);
      }
    }
  } catch (error) {
    if (!(error instanceof OutOfOrder)) throw error;
    logger.warn(
      `${settings.id}: ids of ${table} not reconciled: ${error.message} did not come in ascending order, which the comparison relies on; nothing was marked deleted`,
    );
    return undefined;
  }
  return missing;
}
