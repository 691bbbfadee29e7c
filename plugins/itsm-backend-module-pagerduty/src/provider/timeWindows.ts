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

import type { PagerDutyPage } from '../client';

/** PagerDuty refuses `offset + limit` above this on every classic list. */
export const PAGERDUTY_MAX_OFFSET = 10_000;

/**
 * Where a walk over time stands: everything before `from` is done; `window`
 * is the window a run stopped in, with how many of its items were done.
 */
export interface WindowPosition {
  from: string;
  window?: { until: string; offset: number };
}

/** One page of a walk, with the position once its items have landed. */
export interface WindowStep<T> {
  items: T[];
  /** The window the page belongs to. */
  range: { since: string; until: string };
  position: WindowPosition;
}

/** Options of {@link walkTimeWindows}. */
export interface WalkTimeWindowsOptions<T> {
  position: WindowPosition;
  /** Walk up to this instant (ms, whole seconds). */
  end: number;
  pageSize: number;
  /** First window length; it doubles while windows stay small. */
  initialWindowMs: number;
  maxWindowMs: number;
  /** Shortest window; below it a window is read up to the cap and the rest reported. */
  minWindowMs?: number;
  /** Defaults to {@link PAGERDUTY_MAX_OFFSET}. */
  maxOffset?: number;
  fetchPage(request: {
    since: string;
    until: string;
    offset: number;
    limit: number;
    /** Ask for `total=true` (first page of a window). */
    withTotal: boolean;
  }): Promise<PagerDutyPage<T>>;
  /** Called when a window of `minWindowMs` still holds more than the cap. */
  onCapExceeded?(range: { since: string; until: string }, total: number): void;
}

const SECOND = 1000;

/** `2026-01-02T03:04:05Z`: the one format every PagerDuty list accepts (change events refuse milliseconds). */
export function toPagerDutyTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function floorSecond(ms: number): number {
  return Math.floor(ms / SECOND) * SECOND;
}

/**
 * Walks `[position.from, end)` in time windows, page by page, so that no
 * query goes past PagerDuty's 10,000-result offset cap: the first page of
 * each window asks for the total, and a window holding more than the cap is
 * shrunk before it is read; a window that still fills up (no total, or items
 * arriving meanwhile) is shrunk and read again (re-reads are harmless).
 * Windows grow again while they stay well under the cap.
 */
export async function* walkTimeWindows<T>(
  options: WalkTimeWindowsOptions<T>,
): AsyncGenerator<WindowStep<T>> {
  const maxOffset = options.maxOffset ?? PAGERDUTY_MAX_OFFSET;
  const minWindowMs = Math.max(SECOND, options.minWindowMs ?? SECOND);
  const end = floorSecond(options.end);
  let from = floorSecond(Date.parse(options.position.from));
  if (Number.isNaN(from)) {
    throw new Error(`Invalid window position '${options.position.from}'`);
  }
  let resume = options.position.window;
  let size = Math.max(minWindowMs, floorSecond(options.initialWindowMs));

  const shrink = (length: number, total?: number) => {
    const factor = total ? Math.min(0.5, (0.8 * maxOffset) / total) : 0.5;
    return Math.max(minWindowMs, floorSecond(length * factor));
  };

  while (from < end) {
    let until: number;
    let offset: number;
    let withTotal: boolean;
    if (resume) {
      until = floorSecond(Date.parse(resume.until));
      offset = Math.max(0, Math.floor(resume.offset));
      withTotal = false;
      resume = undefined;
      if (Number.isNaN(until) || until <= from) {
        until = Math.min(from + size, end);
        offset = 0;
        withTotal = true;
      }
    } else {
      until = Math.min(from + size, end);
      offset = 0;
      withTotal = true;
    }

    let count = offset;
    let reported = false;
    for (;;) {
      const range = {
        since: toPagerDutyTime(from),
        until: toPagerDutyTime(until),
      };
      const limit = Math.min(options.pageSize, maxOffset - offset);
      if (limit <= 0) {
        // The window filled up without a total to warn us: shrink, read again.
        if (until - from > minWindowMs) {
          size = shrink(until - from);
          until = from + size;
          offset = 0;
          count = 0;
          withTotal = true;
          continue;
        }
        if (!reported) options.onCapExceeded?.(range, offset);
        // Nothing more can be read from this window: move past it.
        yield { items: [], range, position: { from: range.until } };
        break;
      }
      const page = await options.fetchPage({
        ...range,
        offset,
        limit,
        withTotal,
      });
      if (withTotal && page.total !== null && page.total > maxOffset) {
        if (until - from > minWindowMs) {
          size = shrink(until - from, page.total);
          until = from + size;
          continue;
        }
        options.onCapExceeded?.(range, page.total);
        reported = true;
      }
      if (withTotal && page.total !== null) {
        count = page.total;
      }
      withTotal = false;
      offset += page.items.length;
      count = Math.max(count, offset);
      const done = !page.more || page.items.length === 0;
      yield {
        items: page.items,
        range,
        position: done
          ? { from: range.until }
          : { from: range.since, window: { until: range.until, offset } },
      };
      if (done) break;
    }

    if (count < maxOffset / 4) {
      size = Math.min(options.maxWindowMs, size * 2);
    }
    from = until;
  }
}
