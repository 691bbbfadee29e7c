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

import type { WindowPosition } from './timeWindows';

/**
 * The cursor of a PagerDuty provider, saved by the engine with each batch.
 * Each stream walks time: everything before `from` is done, `window` is the
 * window a run stopped in.
 *
 * - `updates`: account-wide log entries (`GET /log_entries`): the incidents
 *   they name changed and are read again. Starts at the first run's start.
 * - `incidents`: incidents by `created_at` (`GET /incidents`), from `since`.
 * - `changes`: change events by timestamp (`GET /change_events`), from `since`.
 * - `reread`: the periodic re-read of recently resolved incidents (see
 *   {@link RereadPosition}). Absent in cursors of older versions: the next
 *   run re-reads.
 */
export interface PagerDutyCursor {
  v: 1;
  updates: WindowPosition;
  incidents: WindowPosition;
  changes: WindowPosition;
  reread?: RereadPosition;
}

/**
 * Where the re-read of recently resolved incidents stands: when the last
 * finished one started, and a re-read in progress (when it started, which
 * fixes the incidents it covers, and the offset reached in its list).
 */
export interface RereadPosition {
  last?: string;
  current?: { at: string; offset: number };
}

function isInstant(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

function readPosition(value: unknown): WindowPosition | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { from, window } = value as { from?: unknown; window?: unknown };
  if (!isInstant(from)) return undefined;
  if (window === undefined) return { from };
  const w = window as { until?: unknown; offset?: unknown } | null;
  if (
    !w ||
    !isInstant(w.until) ||
    typeof w.offset !== 'number' ||
    !Number.isInteger(w.offset) ||
    w.offset < 0
  ) {
    return undefined;
  }
  return { from, window: { until: w.until, offset: w.offset } };
}

function readReread(value: unknown): RereadPosition | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { last, current } = value as { last?: unknown; current?: unknown };
  const position: RereadPosition = {};
  if (isInstant(last)) position.last = last;
  const c = current as { at?: unknown; offset?: unknown } | null | undefined;
  if (
    c &&
    isInstant(c.at) &&
    typeof c.offset === 'number' &&
    Number.isInteger(c.offset) &&
    c.offset >= 0
  ) {
    position.current = { at: c.at, offset: c.offset };
  }
  return position.last || position.current ? position : undefined;
}

/** Reads a saved cursor; undefined when it is not one of ours. */
export function parseCursor(
  cursor: string | null,
): PagerDutyCursor | undefined {
  if (!cursor) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(cursor);
  } catch {
    return undefined;
  }
  if (
    !value ||
    typeof value !== 'object' ||
    (value as { v?: unknown }).v !== 1
  ) {
    return undefined;
  }
  const v = value as Record<string, unknown>;
  const updates = readPosition(v.updates);
  const incidents = readPosition(v.incidents);
  const changes = readPosition(v.changes);
  if (!updates || !incidents || !changes) return undefined;
  const parsed: PagerDutyCursor = { v: 1, updates, incidents, changes };
  // A re-read position we cannot read only means re-reading sooner.
  const reread = readReread(v.reread);
  if (reread) parsed.reread = reread;
  return parsed;
}

export function serializeCursor(cursor: PagerDutyCursor): string {
  return JSON.stringify(cursor);
}

/**
 * Moves a finished stream's start back by `overlapMs`, to catch entries
 * PagerDuty wrote late; a stream stopped inside a window resumes exactly.
 */
export function withOverlap(
  position: WindowPosition,
  overlapMs: number,
): WindowPosition {
  if (position.window || overlapMs <= 0) return position;
  return {
    from: new Date(Date.parse(position.from) - overlapMs).toISOString(),
  };
}
