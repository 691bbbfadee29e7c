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

import type { ItsmMetricUnit, ItsmMetricValue } from './metrics';

/**
 * `4h 12m`, `2d 3h`, `45s`: the two largest units of a duration in seconds.
 * @public
 */
export function formatItsmDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return '–';
  }
  const total = Math.round(Math.abs(seconds));
  if (total < 60) return `${total}s`;
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const parts: string[] = [];
  if (days) parts.push(`${days}d`);
  if (hours) parts.push(`${hours}h`);
  if (minutes && parts.length < 2) parts.push(`${minutes}m`);
  return parts.slice(0, 2).join(' ') || '0m';
}

/**
 * A metric value in its unit: `4h 12m`, `99.95%`, `12`, `+31`; `no data`
 * for null. The frontend and the Markdown review share it, so both show the
 * same figure.
 * @public
 */
export function formatItsmMetricValue(
  value: number | null | undefined,
  unit: ItsmMetricUnit,
): string {
  if (value === null || value === undefined) return 'no data';
  switch (unit) {
    case 'seconds':
      return formatItsmDuration(value);
    case 'ratio':
      // Two decimals where they matter (99.95%), none where they don't (50%).
      return `${(value * 100).toFixed(2).replace(/\.?0+$/, '')}%`;
    case 'score':
      return `${value > 0 ? '+' : ''}${Math.round(value)}`;
    default:
      return Number.isInteger(value)
        ? value.toLocaleString('en-US')
        : value.toFixed(1);
  }
}

/** @public */
export type ItsmTrend = 'better' | 'worse' | 'same' | 'unknown';

/**
 * Whether a metric moved the right way since the previous window, and by
 * how much: `−1h 5m vs previous`, `+2.5 pp vs previous`.
 * @public
 */
export function itsmMetricTrend(metric: ItsmMetricValue): {
  trend: ItsmTrend;
  text: string;
} {
  const current = metric.value;
  const previous = metric.previous?.value;
  if (current === null || previous === null || previous === undefined) {
    return { trend: 'unknown', text: 'no previous data' };
  }
  const delta = current - previous;
  if (Math.abs(delta) < 1e-9) return { trend: 'same', text: 'same as before' };
  const direction = metric.definition.direction;
  let trend: ItsmTrend = 'unknown';
  if (direction === 'lower_is_better') trend = delta < 0 ? 'better' : 'worse';
  if (direction === 'higher_is_better') trend = delta > 0 ? 'better' : 'worse';
  const sign = delta > 0 ? '+' : '−';
  let amount: string;
  if (metric.unit === 'ratio')
    amount = `${(Math.abs(delta) * 100).toFixed(1)} pp`;
  else if (metric.unit === 'seconds')
    amount = formatItsmDuration(Math.abs(delta));
  else
    amount = formatItsmMetricValue(
      Math.abs(delta),
      metric.unit === 'score' ? 'count' : metric.unit,
    );
  return { trend, text: `${sign}${amount} vs previous` };
}
