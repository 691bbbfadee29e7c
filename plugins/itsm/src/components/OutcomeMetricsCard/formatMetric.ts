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
  ItsmMetricUnit,
  ItsmMetricValue,
} from '@backstage-itsm/plugin-itsm-common';
import { formatDuration } from '../common';

/** A metric value in its unit: `4h 12m`, `99.95%`, `12`, `+31`. */
export function formatMetricValue(
  value: number | null | undefined,
  unit: ItsmMetricUnit,
): string {
  if (value === null || value === undefined) return 'no data';
  switch (unit) {
    case 'seconds':
      return formatDuration(value);
    case 'ratio':
      // Two decimals where they matter (99.95%), none where they don't (50%).
      return `${(value * 100).toFixed(2).replace(/\.?0+$/, '')}%`;
    case 'score':
      return `${value > 0 ? '+' : ''}${Math.round(value)}`;
    default:
      return Number.isInteger(value)
        ? value.toLocaleString()
        : value.toFixed(1);
  }
}

export type Trend = 'better' | 'worse' | 'same' | 'unknown';

/** Whether the metric moved the right way since the previous window. */
export function trendOf(metric: ItsmMetricValue): {
  trend: Trend;
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
  let trend: Trend = 'unknown';
  if (direction === 'lower_is_better') trend = delta < 0 ? 'better' : 'worse';
  if (direction === 'higher_is_better') trend = delta > 0 ? 'better' : 'worse';
  const sign = delta > 0 ? '+' : '−';
  let amount: string;
  if (metric.unit === 'ratio')
    amount = `${(Math.abs(delta) * 100).toFixed(1)} pp`;
  else if (metric.unit === 'seconds') amount = formatDuration(Math.abs(delta));
  else
    amount = formatMetricValue(
      Math.abs(delta),
      metric.unit === 'score' ? 'count' : metric.unit,
    );
  return { trend, text: `${sign}${amount} vs previous` };
}

/** Hover text: what the number measures, so "MTTR" means one thing. */
export function definitionText(metric: ItsmMetricValue): string {
  const d = metric.definition;
  const parts = [d.description];
  if (d.startEvent || d.endEvent)
    parts.push(`From ${d.startEvent ?? '–'} to ${d.endEvent ?? '–'}.`);
  if (d.clock) parts.push(`Clock: ${d.clock}.`);
  parts.push(`Statistic: ${d.statistic}; n = ${metric.n}.`);
  if (metric.dataQuality?.negativeDurations) {
    parts.push(
      `${metric.dataQuality.negativeDurations} records with a negative duration left out.`,
    );
  }
  return parts.join(' ');
}
