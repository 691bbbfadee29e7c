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
  formatItsmMetricValue,
  ItsmMetricValue,
  ItsmTrend,
} from '@backstage-itsm/plugin-itsm-common';

/**
 * What a tile shows for a metric: its value (a 0 is a value: `0`), `unknown`
 * when the sources could not say (`unknownReason` says why), and `no data`
 * when there was nothing to measure.
 */
export function metricValueText(
  metric: Pick<ItsmMetricValue, 'value' | 'unit' | 'unknownReason'>,
): string {
  if (metric.value === null && metric.unknownReason) return 'unknown';
  return formatItsmMetricValue(metric.value, metric.unit);
}

/** Chip colours of a metric's status against its target. */
export const METRIC_STATUS_COLOUR = {
  met: 'success',
  at_risk: 'warning',
  breached: 'error',
  no_target: 'default',
  no_data: 'default',
} as const;

/** Text colours of a trend. */
export const TREND_COLOUR: Record<ItsmTrend, string> = {
  better: 'success.main',
  worse: 'error.main',
  same: 'text.secondary',
  unknown: 'text.secondary',
};

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
