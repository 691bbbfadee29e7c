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
  itsmMetricTrend,
  type ItsmMetricValue,
} from '@backstage-itsm/plugin-itsm-common';
import { metricValueText } from './formatMetric';

const definition = {
  id: 'mttr',
  title: 'Mean time to resolve',
  description: 'd',
  startEvent: 'opened_at',
  endEvent: 'resolved_at',
  clock: 'calendar' as const,
  statistic: 'mean',
  unit: 'seconds' as const,
  direction: 'lower_is_better' as const,
  targetAnnotation: null,
};

describe('formatItsmMetricValue', () => {
  it.each([
    [15120, 'seconds', '4h 12m'],
    [0.9995, 'ratio', '99.95%'],
    [0.5, 'ratio', '50%'],
    [0.999, 'ratio', '99.9%'],
    [31.4, 'score', '+31'],
    [-12, 'score', '-12'],
    [1234, 'count', '1,234'],
    [null, 'count', 'no data'],
  ] as const)('%s %s is %s', (value, unit, text) => {
    expect(formatItsmMetricValue(value, unit)).toBe(text);
  });
});

describe('metricValueText', () => {
  it('shows a zero count as 0, an unknown as unknown and nothing measured as no data', () => {
    expect(metricValueText({ value: 0, unit: 'count' })).toBe('0');
    expect(metricValueText({ value: 0, unit: 'ratio' })).toBe('0%');
    expect(
      metricValueText({
        value: null,
        unit: 'ratio',
        unknownReason: 'PagerDuty does not report reopenings',
      }),
    ).toBe('unknown');
    expect(metricValueText({ value: null, unit: 'seconds' })).toBe('no data');
  });
});

describe('itsmMetricTrend', () => {
  const metric = (
    value: number | null,
    previous: number | null,
  ): ItsmMetricValue => ({
    value,
    n: 3,
    unit: 'seconds',
    previous: { value: previous, n: 2 },
    definition,
  });

  it('says a shorter MTTR is better, with the difference', () => {
    expect(itsmMetricTrend(metric(3600, 7200))).toEqual({
      trend: 'better',
      text: '−1h vs previous',
    });
    expect(itsmMetricTrend(metric(7200, 3600))).toEqual({
      trend: 'worse',
      text: '+1h vs previous',
    });
  });

  it('says a higher availability is better, in percentage points', () => {
    expect(
      itsmMetricTrend({
        ...metric(0.999, 0.99),
        unit: 'ratio',
        definition: { ...definition, direction: 'higher_is_better' },
      }),
    ).toEqual({ trend: 'better', text: '+0.9 pp vs previous' });
  });

  it('has nothing to compare with when either window has no data', () => {
    expect(itsmMetricTrend(metric(null, 3600)).trend).toBe('unknown');
    expect(itsmMetricTrend(metric(3600, null)).trend).toBe('unknown');
  });
});
