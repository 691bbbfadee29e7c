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
  SERVICENOW_TABLES,
  ServiceNowTable,
  ServiceNowTaskTable,
  TASK_TABLES,
} from '../client/tables';
import { isServiceNowDateTime } from '../client/values';

/**
 * Most rows a table's `seen` list keeps. Past it the oldest are forgotten,
 * which at worst re-reads a row the engine already has (harmless).
 */
export const MAX_SEEN_PER_TABLE = 5000;

/** Progress of one table. */
export interface TableCursor {
  /**
   * The newest `sys_updated_on` (UTC, `YYYY-MM-DD HH:MM:SS`) of the rows
   * committed so far; null before the first row.
   */
  since: string | null;
  /**
   * The rows read within the overlap window before `since`, by sys_id, with
   * the `sys_updated_on` they had: the next run reads that window again (to
   * catch rows written late) and skips these versions instead of yielding
   * them twice.
   */
  seen: Record<string, string>;
}

/** The provider's cursor: the progress of each table, as JSON. */
export interface ServiceNowCursor {
  version: 1;
  tables: Partial<Record<ServiceNowTable, TableCursor>>;
  /**
   * Progress through `sys_audit_delete`, on `sys_created_on` (when the
   * integration user may read it).
   */
  audit?: TableCursor;
  /**
   * When each task table's ids were last reconciled (ISO 8601), when
   * deletions are found by listing ids instead.
   */
  reconciled?: Partial<Record<ServiceNowTaskTable, string>>;
  /**
   * Where each task table's `since` stood when tasks were first yielded
   * without their SLAs (task_sla unreadable). Once task_sla can be read
   * again, those tables are read again from there, so every task yielded
   * without SLAs gets them back.
   */
  slaGap?: Partial<Record<ServiceNowTaskTable, string | null>>;
}

export function emptyCursor(): ServiceNowCursor {
  return { version: 1, tables: {} };
}

/** The cursor, or undefined when it is not one this provider wrote. */
export function parseCursor(text: string | null): ServiceNowCursor | undefined {
  if (text === null || text === '') {
    return emptyCursor();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const candidate = parsed as Partial<ServiceNowCursor>;
  if (
    !candidate ||
    candidate.version !== 1 ||
    typeof candidate.tables !== 'object' ||
    candidate.tables === null
  ) {
    return undefined;
  }
  const cursor = emptyCursor();
  for (const table of SERVICENOW_TABLES) {
    const entry = readTableCursor(candidate.tables[table]);
    if (entry === null) return undefined;
    if (entry) cursor.tables[table] = entry;
  }
  const audit = readTableCursor(candidate.audit);
  if (audit === null) return undefined;
  if (audit) cursor.audit = audit;
  if (isObject(candidate.reconciled)) {
    for (const table of TASK_TABLES) {
      const at = candidate.reconciled[table];
      if (typeof at === 'string' && !Number.isNaN(Date.parse(at))) {
        (cursor.reconciled ??= {})[table] = at;
      }
    }
  }
  if (isObject(candidate.slaGap)) {
    for (const table of TASK_TABLES) {
      const since = candidate.slaGap[table];
      if (since === null || isServiceNowDateTime(since)) {
        (cursor.slaGap ??= {})[table] = since;
      }
    }
  }
  return cursor;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A table's cursor; undefined when absent, null when it is not one we wrote. */
function readTableCursor(value: unknown): TableCursor | undefined | null {
  if (value === undefined) return undefined;
  const entry = value as Partial<TableCursor>;
  const since = entry?.since ?? null;
  if (since !== null && !isServiceNowDateTime(since)) {
    return null;
  }
  const seen: Record<string, string> = {};
  for (const [id, at] of Object.entries(entry?.seen ?? {})) {
    if (isServiceNowDateTime(at)) seen[id] = at;
  }
  return { since, seen };
}

export function serializeCursor(cursor: ServiceNowCursor): string {
  return JSON.stringify(cursor);
}

/**
 * Records rows as read: `since` moves to the newest `sys_updated_on`, every
 * row joins `seen`, and `seen` keeps only what lies within `overlapMs` of
 * `since` (date-times in this format compare as strings).
 */
export function advanceTableCursor(
  cursor: TableCursor,
  rows: Array<{ sysId: string; updatedOn: string }>,
  windowStart: (since: string) => string,
): void {
  for (const { sysId, updatedOn } of rows) {
    if (!sysId || !isServiceNowDateTime(updatedOn)) continue;
    cursor.seen[sysId] = updatedOn;
    if (cursor.since === null || updatedOn > cursor.since) {
      cursor.since = updatedOn;
    }
  }
  if (cursor.since === null) return;
  const from = windowStart(cursor.since);
  let entries = Object.entries(cursor.seen).filter(([, at]) => at >= from);
  if (entries.length > MAX_SEEN_PER_TABLE) {
    entries = entries
      .sort((a, b) => a[1].localeCompare(b[1]))
      .slice(entries.length - MAX_SEEN_PER_TABLE);
  }
  cursor.seen = Object.fromEntries(entries);
}
