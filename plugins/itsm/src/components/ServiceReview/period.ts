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
  ItsmReviewPeriod,
  itsmReviewPeriodRange,
} from '@backstage-itsm/plugin-itsm-common';
import { DateTime } from 'luxon';

/** The first instant of a period and the first instant after it, UTC. */
export function periodRange(period: ItsmReviewPeriod): {
  from: DateTime;
  to: DateTime;
} {
  const range = itsmReviewPeriodRange(period);
  return {
    from: DateTime.fromMillis(range.from, { zone: 'utc' }),
    to: DateTime.fromMillis(range.to, { zone: 'utc' }),
  };
}

/** `Q3 2026`, `October 2026`. */
export function periodLabel(period: ItsmReviewPeriod): string {
  if (period.kind === 'quarter') return `Q${period.index} ${period.year}`;
  return periodRange(period).from.setLocale('en').toFormat('LLLL yyyy');
}

/** The period containing an instant. */
export function periodOf(
  kind: ItsmReviewPeriod['kind'],
  at: DateTime,
): ItsmReviewPeriod {
  const utc = at.toUTC();
  return {
    kind,
    year: utc.year,
    index: kind === 'quarter' ? utc.quarter : utc.month,
  };
}

/** The period `steps` periods later (earlier when negative). */
export function shiftPeriod(
  period: ItsmReviewPeriod,
  steps: number,
): ItsmReviewPeriod {
  const { from } = periodRange(period);
  const shifted = from.plus(
    period.kind === 'quarter' ? { months: 3 * steps } : { months: steps },
  );
  return periodOf(period.kind, shifted);
}

/** The default review: the last quarter that has ended. */
export function lastCompleteQuarter(
  now: DateTime = DateTime.utc(),
): ItsmReviewPeriod {
  return shiftPeriod(periodOf('quarter', now), -1);
}

/**
 * The same stretch of time as the other kind: a quarter becomes its last
 * month, a month the quarter it belongs to.
 */
export function convertPeriod(
  period: ItsmReviewPeriod,
  kind: ItsmReviewPeriod['kind'],
): ItsmReviewPeriod {
  if (period.kind === kind) return period;
  if (kind === 'quarter') {
    return { kind, year: period.year, index: Math.ceil(period.index / 3) };
  }
  return { kind, year: period.year, index: period.index * 3 };
}

/** Whether a period has started (a review of the future has nothing to say). */
export function hasStarted(
  period: ItsmReviewPeriod,
  now: DateTime = DateTime.utc(),
): boolean {
  return periodRange(period).from <= now;
}

/**
 * The due date of an action agreed at a review, `YYYY-MM-DD`: the last day of
 * the period after the reviewed one, so the next review sees it. For an old
 * review whose next period is over, the last day of the current period.
 */
export function nextReviewDueDate(
  period: ItsmReviewPeriod,
  now: DateTime = DateTime.utc(),
): string {
  let due = periodRange(shiftPeriod(period, 1)).to.minus({ days: 1 });
  if (due < now.toUTC().startOf('day')) {
    due = periodRange(periodOf(period.kind, now)).to.minus({ days: 1 });
  }
  return due.toISODate()!;
}
