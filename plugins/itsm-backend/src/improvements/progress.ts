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

import type {
  ItsmImprovementMetric,
  ItsmImprovementProgress,
  ItsmImprovementProgressStatus,
  ItsmImprovementStatus,
  ItsmMetricDirection,
  ItsmMetricSeriesPoint,
} from '@backstage-itsm/plugin-itsm-common';
import { DateTime } from 'luxon';

/** How far behind the time used progress may be and still count as on track. */
export const PACE_TOLERANCE = 0.1;

/** Whether `value` meets `target` in the metric's direction. */
export function meetsTarget(
  value: number,
  target: number,
  direction: ItsmMetricDirection,
): boolean {
  return direction === 'lower_is_better' ? value <= target : value >= target;
}

/**
 * Whether a target is an improvement on a reference value: strictly below
 * it for lower-is-better metrics, strictly above for higher-is-better.
 */
export function isBetterThan(
  target: number,
  reference: number,
  direction: ItsmMetricDirection,
): boolean {
  return direction === 'lower_is_better'
    ? target < reference
    : target > reference;
}

/** The end of a due date (a calendar day, UTC): the first instant after it. */
export function dueInstant(dueDate: string): number {
  return DateTime.fromISO(dueDate, { zone: 'utc' })
    .plus({ days: 1 })
    .toMillis();
}

export interface ProgressInput {
  status: ItsmImprovementStatus;
  dueDate: string | null;
  metric: ItsmImprovementMetric | null;
  /** The metric over the last `windowDays`, when bound. */
  current?: { value: number | null; n: number; from: number; to: number };
  /** Full weeks before now, oldest first, when bound. */
  weeks?: ItsmMetricSeriesPoint[];
  now: number;
}

/**
 * Progress of an improvement from live metric values: how far the current
 * value has moved from the baseline towards the target, against how much of
 * the time from approval to the due date has passed.
 */
export function computeProgress(input: ProgressInput): ItsmImprovementProgress {
  const { metric, now, status } = input;
  const open = status !== 'done' && status !== 'abandoned';
  const overdue =
    open && input.dueDate !== null && now >= dueInstant(input.dueDate);

  const weeks = (input.weeks ?? []).map(point => ({
    start: point.start,
    value: point.value,
    n: point.n,
    met:
      metric && point.value !== null && point.n > 0
        ? meetsTarget(point.value, metric.target, metric.direction)
        : null,
  }));
  const current = input.current?.value ?? null;
  const baseline = metric?.baseline ?? null;

  let fraction: number | null = null;
  if (metric && baseline !== null && current !== null) {
    const span = baseline - metric.target;
    if (span !== 0) {
      fraction = (baseline - current) / span;
    } else {
      fraction = meetsTarget(current, metric.target, metric.direction) ? 1 : 0;
    }
  }

  let elapsed: number | null = null;
  if (metric?.baselineCapturedAt && input.dueDate) {
    const start = Date.parse(metric.baselineCapturedAt);
    const end = dueInstant(input.dueDate);
    elapsed =
      end <= start
        ? 1
        : Math.min(1, Math.max(0, (now - start) / (end - start)));
  }

  const met =
    metric !== null &&
    current !== null &&
    meetsTarget(current, metric.target, metric.direction);
  const sustained =
    metric !== null &&
    weeks.length > 0 &&
    weeks.length >= metric.sustainWeeks &&
    weeks.every(week => week.met === true);

  let progressStatus: ItsmImprovementProgressStatus;
  if (!metric) {
    if (!open) progressStatus = 'closed';
    else if (overdue) progressStatus = 'overdue';
    else if (status === 'proposed') progressStatus = 'not_started';
    else progressStatus = 'no_data';
  } else if (sustained) {
    progressStatus = 'sustained';
  } else if (met && baseline !== null) {
    progressStatus = 'target_met';
  } else if (!open) {
    progressStatus = 'closed';
  } else if (overdue) {
    progressStatus = 'overdue';
  } else if (baseline === null) {
    progressStatus = 'not_started';
  } else if (current === null) {
    progressStatus = 'no_data';
  } else if (fraction !== null && fraction >= (elapsed ?? 0) - PACE_TOLERANCE) {
    // About as far along as the time used (a tenth of the time behind is
    // still on track); without a due date, not worse than the baseline.
    progressStatus = 'on_track';
  } else {
    progressStatus = 'at_risk';
  }

  return {
    status: progressStatus,
    baseline,
    current,
    n: input.current?.n ?? 0,
    target: metric?.target ?? null,
    fraction,
    elapsed,
    window: input.current
      ? {
          from: new Date(input.current.from).toISOString(),
          to: new Date(input.current.to).toISOString(),
        }
      : null,
    weeks,
    overdue,
  };
}
