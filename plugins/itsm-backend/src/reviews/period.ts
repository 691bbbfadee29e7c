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

import { InputError } from '@backstage/errors';
import {
  formatItsmReviewPeriod,
  type ItsmReviewPeriod,
  itsmReviewPeriodRange,
  parseItsmReviewPeriod,
} from '@backstage-itsm/plugin-itsm-common';

/**
 * The longest window a review covers: three calendar years, leap day
 * included (1,096 days). A review computes weekly series of every metric,
 * so the window bounds its work.
 */
export const MAX_REVIEW_WINDOW_DAYS = 1096;

const DAY_MS = 24 * 3600_000;

/**
 * What a review covers, epoch ms (start inclusive, end exclusive): a
 * calendar month or quarter, or an explicit window.
 */
export interface ReviewWindow {
  /** `2026-Q3`, `2026-10`, or `<from>..<to>` for an explicit window. */
  label: string;
  from: number;
  to: number;
  /** The month or quarter the window is, if it is one (only those can be held). */
  period?: ItsmReviewPeriod;
}

/** The window of a calendar month or quarter. */
export function reviewWindowOf(period: ItsmReviewPeriod): ReviewWindow {
  return {
    label: formatItsmReviewPeriod(period),
    ...itsmReviewPeriodRange(period),
    period,
  };
}

function invalid(where: string, field: string, message: string): InputError {
  return new InputError(`Invalid ${where}: ${field}: ${message}`);
}

/**
 * A review period from `period` (`2026-Q3`, `2026-10`, UTC calendar) or from
 * an explicit `from`/`to` (epoch ms) of at most MAX_REVIEW_WINDOW_DAYS.
 * Throws a 400 naming the field of the `where` (`query`, `body`).
 */
export function parseReviewPeriod(
  input: {
    period?: string;
    from?: number;
    to?: number;
  },
  where: 'query' | 'body' = 'query',
): ReviewWindow {
  if (input.period !== undefined) {
    if (input.from !== undefined || input.to !== undefined) {
      throw invalid(where, 'period', 'give either period or from and to');
    }
    const calendar = parseItsmReviewPeriod(input.period);
    if (calendar) {
      return reviewWindowOf(calendar);
    }
    throw invalid(
      where,
      'period',
      `'${input.period}' is neither a quarter (2026-Q3) nor a month (2026-10)`,
    );
  }
  if (input.from === undefined || input.to === undefined) {
    throw invalid(
      where,
      'period',
      'give a period (2026-Q3, 2026-10) or from and to',
    );
  }
  if (input.from >= input.to) {
    throw invalid(where, 'from', 'from must be before to');
  }
  if (input.to - input.from > MAX_REVIEW_WINDOW_DAYS * DAY_MS) {
    throw invalid(
      where,
      'from',
      `a review covers at most three years (${MAX_REVIEW_WINDOW_DAYS} days); from is ${Math.ceil(
        (input.to - input.from) / DAY_MS,
      )} days before to`,
    );
  }
  return {
    label: `${iso(input.from)}..${iso(input.to)}`,
    from: input.from,
    to: input.to,
  };
}

/**
 * The period of a hold: a month or quarter (so an entity has a bounded
 * number of snapshots) that has ended by `now` (a held review is a record
 * of what happened, not of a period still under way). Throws a 400 naming
 * the field.
 */
export function parseHeldPeriod(
  input: { period?: string; from?: unknown; to?: unknown },
  now: number,
): ReviewWindow {
  for (const field of ['from', 'to'] as const) {
    if (input[field] !== undefined) {
      throw invalid(
        'body',
        field,
        'a review is held for a named period (2026-Q3 or 2026-10), not a from/to window',
      );
    }
  }
  if (input.period === undefined) {
    throw invalid(
      'body',
      'period',
      'name the month (2026-10) or quarter (2026-Q3) to hold',
    );
  }
  const period = parseReviewPeriod({ period: input.period }, 'body');
  if (period.to > now) {
    throw invalid(
      'body',
      'period',
      `${period.label} has not ended; its review can be held from ${iso(
        period.to,
      )}`,
    );
  }
  return period;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
