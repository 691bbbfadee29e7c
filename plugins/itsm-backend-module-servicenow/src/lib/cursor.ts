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

import { SERVICENOW_TABLES, ServiceNowTable } from './tables';
import { isServiceNowDateTime } from './values';

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
    const entry = candidate.tables[table] as Partial<TableCursor> | undefined;
    if (entry === undefined) continue;
    const since = entry.since ?? null;
    if (since !== null && !isServiceNowDateTime(since)) {
      return undefined;
    }
    const seen: Record<string, string> = {};
    for (const [id, at] of Object.entries(entry.seen ?? {})) {
      if (isServiceNowDateTime(at)) seen[id] = at;
    }
    cursor.tables[table] = { since, seen };
  }
  return cursor;
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
