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

import type { ItsmMetricDurationStats, ItsmMetricResult } from './metrics';

/**
 * A linear-interpolated percentile of sorted values, like PostgreSQL's
 * `percentile_cont`: `p` in 0..1; null for no values.
 * @public
 */
export function percentileCont(
  sorted: ReadonlyArray<number>,
  p: number,
): number | null {
  if (sorted.length === 0) return null;
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/**
 * Duration statistics of durations in seconds, as the metrics engine
 * computes them in SQL: negative durations are left out of n, mean and
 * percentiles and counted apart. For metrics that must pick their records
 * in code (from `list()`), so they agree with the engine's own.
 * @public
 */
export function summariseDurations(
  seconds: ReadonlyArray<number>,
): ItsmMetricDurationStats {
  const valid = seconds.filter(s => s >= 0).sort((a, b) => a - b);
  const n = valid.length;
  return {
    n,
    mean: n === 0 ? null : valid.reduce((a, b) => a + b, 0) / n,
    p50: percentileCont(valid, 0.5),
    p90: percentileCont(valid, 0.9),
    negative: seconds.length - n,
  };
}

/**
 * The result of a metric whose value is the mean duration: p50 and p90
 * beside it, and negative durations reported as a data quality problem.
 * @public
 */
export function itsmMeanDurationResult(
  stats: ItsmMetricDurationStats,
): ItsmMetricResult {
  return {
    value: stats.mean,
    n: stats.n,
    mean: stats.mean,
    p50: stats.p50,
    p90: stats.p90,
    dataQuality: { negativeDurations: stats.negative },
  };
}
