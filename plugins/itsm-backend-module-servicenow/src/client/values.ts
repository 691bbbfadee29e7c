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

import { DateTime } from 'luxon';

/**
 * How the Table API was asked to render values (`sysparm_display_value`):
 * `false` gives raw values (references as sys_ids, choices as codes, dates in
 * UTC), `all` gives `{ display_value, value }` per field, `true` only display
 * strings (dates in the API user's time zone, references as names).
 */
export type DisplayValueMode = 'false' | 'true' | 'all';

/** One row of a Table API response, as parsed JSON. */
export type ServiceNowRow = Record<string, unknown>;

/**
 * A field read from a row, whatever its shape. `value` is the raw value
 * (sys_id, choice code, UTC date) when the response has one; `display` the
 * display value when it has one. An empty field has neither.
 */
export interface FieldValue {
  value?: string;
  display?: string;
}

/** The Table API's date-time format; a literal one in a query is read as UTC. */
export const SERVICENOW_DATE_TIME_FORMAT = 'yyyy-MM-dd HH:mm:ss';
const SERVICENOW_DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})$/i;

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value === '' ? undefined : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return undefined;
}

/**
 * Reads a field in any of the shapes the Table API uses: a plain string (raw
 * value, or a display string with `sysparm_display_value=true`), a reference
 * `{ link, value }`, or `{ display_value, value }` with
 * `sysparm_display_value=all`. Numbers and booleans (Change Management API)
 * become strings; null and '' are empty.
 */
export function readField(
  row: ServiceNowRow,
  field: string,
  mode: DisplayValueMode,
): FieldValue {
  const raw = row[field];
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const shaped = raw as { value?: unknown; display_value?: unknown };
    return {
      value: scalar(shaped.value),
      display: scalar(shaped.display_value),
    };
  }
  const text = scalar(raw);
  if (text === undefined) {
    return {};
  }
  return mode === 'true' ? { display: text } : { value: text };
}

/** The value of a text field, else its display string. */
export function readText(
  row: ServiceNowRow,
  field: string,
  mode: DisplayValueMode,
): string | undefined {
  const { value, display } = readField(row, field, mode);
  return value ?? display;
}

/** Whether a string is a `YYYY-MM-DD HH:MM:SS` Table API date-time. */
export function isServiceNowDateTime(text: string | undefined): text is string {
  return text !== undefined && SERVICENOW_DATE_TIME.test(text);
}

/** Result of reading a date-time field. */
export type InstantResult =
  | { ok: true; iso: string | null }
  | { ok: false; raw: string };

/**
 * Parses a date-time as the Table API sends it (`YYYY-MM-DD HH:MM:SS`, UTC
 * in raw values) or an ISO string with an offset, to a UTC ISO string.
 * Display values such as `UNKNOWN` count as empty.
 */
export function parseInstant(text: string | undefined): InstantResult {
  if (text === undefined || text.trim() === '' || text === 'UNKNOWN') {
    return { ok: true, iso: null };
  }
  const trimmed = text.trim();
  let parsed: DateTime | undefined;
  if (SERVICENOW_DATE_TIME.test(trimmed)) {
    parsed = DateTime.fromFormat(trimmed, SERVICENOW_DATE_TIME_FORMAT, {
      zone: 'utc',
    });
  } else if (ISO_WITH_OFFSET.test(trimmed)) {
    parsed = DateTime.fromISO(trimmed, { setZone: true });
  }
  if (!parsed?.isValid) {
    return { ok: false, raw: text };
  }
  return { ok: true, iso: parsed.toUTC().toISO()! };
}

/**
 * Reads a date-time field: the raw value (always UTC), and only without one
 * the display string (in the API user's zone with `sysparm_display_value=true`,
 * so read as UTC only when nothing better exists).
 */
export function readInstant(
  row: ServiceNowRow,
  field: string,
  mode: DisplayValueMode,
): InstantResult {
  const { value, display } = readField(row, field, mode);
  return parseInstant(value ?? display);
}

/**
 * Seconds of a `glide_duration` value, which the Table API serialises as an
 * offset from the epoch (`1970-01-03 14:33:00` is 2 d 14 h 33 min), or of a
 * plain number of seconds. Undefined when empty or unreadable.
 */
export function parseDurationSeconds(
  text: string | undefined,
): number | undefined {
  if (text === undefined || text.trim() === '') {
    return undefined;
  }
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) {
    return Math.round(Number(trimmed));
  }
  if (!SERVICENOW_DATE_TIME.test(trimmed)) {
    return undefined;
  }
  const parsed = DateTime.fromFormat(trimmed, SERVICENOW_DATE_TIME_FORMAT, {
    zone: 'utc',
  });
  return parsed.isValid ? Math.round(parsed.toSeconds()) : undefined;
}

/** Formats an instant the way the Table API and its encoded queries want it. */
export function formatServiceNowDateTime(instant: Date | number): string {
  return DateTime.fromMillis(
    typeof instant === 'number' ? instant : instant.getTime(),
    { zone: 'utc' },
  ).toFormat(SERVICENOW_DATE_TIME_FORMAT);
}

/** Milliseconds of a `YYYY-MM-DD HH:MM:SS` UTC date-time. */
export function serviceNowDateTimeToMillis(text: string): number {
  return DateTime.fromFormat(text, SERVICENOW_DATE_TIME_FORMAT, {
    zone: 'utc',
  }).toMillis();
}

/** A Table API date-time moved by `deltaMs`, in the same format. */
export function shiftServiceNowDateTime(text: string, deltaMs: number): string {
  return formatServiceNowDateTime(serviceNowDateTimeToMillis(text) + deltaMs);
}
