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

import type { ItsmMetricBucket } from '@backstage-itsm/plugin-itsm-common';
import { DateTime } from 'luxon';
import type { MetricWindow } from './types';

/**
 * Most buckets one series may have: a daily series of 400 days, a weekly
 * one of three years (157), a monthly one of 33 years. Every bucket is one
 * more window each metric aggregates over.
 */
export const MAX_BUCKETS = 400;

/**
 * The buckets of [from, to): UTC calendar days, ISO weeks (from Monday) or
 * months, the first and last clipped to the window, so the buckets tile it
 * exactly. Returns undefined when there would be more than MAX_BUCKETS.
 */
export function bucketWindows(
  window: MetricWindow,
  bucket: ItsmMetricBucket,
): MetricWindow[] | undefined {
  const result: MetricWindow[] = [];
  let start = DateTime.fromMillis(window.from, { zone: 'utc' }).startOf(bucket);
  while (start.toMillis() < window.to) {
    const next = start.plus({ [`${bucket}s`]: 1 });
    result.push({
      from: Math.max(window.from, start.toMillis()),
      to: Math.min(window.to, next.toMillis()),
    });
    if (result.length > MAX_BUCKETS) {
      return undefined;
    }
    start = next;
  }
  return result;
}
