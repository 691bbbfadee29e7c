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
  itsmMeanDurationResult,
  percentileCont,
  summariseDurations,
} from './durationStats';
import { createInMemoryItsmMetricContext } from './testUtils';

describe('summariseDurations', () => {
  it('matches percentile_cont and leaves negative durations out', () => {
    expect(percentileCont([10, 20, 30, 40], 0.5)).toBe(25);
    expect(percentileCont([10, 20, 30, 40], 0.9)).toBeCloseTo(37);
    expect(percentileCont([], 0.5)).toBeNull();
    expect(summariseDurations([300, -5, 60, 120])).toEqual({
      n: 3,
      mean: 160,
      p50: 120,
      p90: 264,
      negative: 1,
    });
    expect(summariseDurations([])).toEqual({
      n: 0,
      mean: null,
      p50: null,
      p90: null,
      negative: 0,
    });
  });
});

describe('itsmMeanDurationResult', () => {
  it('takes the mean as the value and reports negative durations', () => {
    expect(
      itsmMeanDurationResult({
        n: 3,
        mean: 160,
        p50: 120,
        p90: 264,
        negative: 1,
      }),
    ).toEqual({
      value: 160,
      n: 3,
      mean: 160,
      p50: 120,
      p90: 264,
      dataQuality: { negativeDurations: 1 },
    });
  });
});

describe('createInMemoryItsmMetricContext', () => {
  it('selects like the backend: window, within, states, departments', async () => {
    const context = createInMemoryItsmMetricContext({
      window: { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' },
      records: [
        {
          id: 'a',
          department: 'hr',
          openedAt: '2026-03-02T00:00:00Z',
          acknowledgedAt: '2026-03-02T00:01:00Z',
        },
        {
          id: 'b',
          department: 'hr',
          openedAt: '2026-03-05T00:00:00Z',
          state: 'cancelled',
        },
        { id: 'c', department: 'it', openedAt: '2026-03-06T00:00:00Z' },
        {
          id: 'd',
          department: 'hr',
          openedAt: '2026-02-27T00:00:00Z',
          resolvedAt: '2026-03-03T00:00:00Z',
        },
        { id: 'e', department: 'hr', openedAt: '2026-04-01T00:00:00Z' },
      ],
    });
    expect(await context.records({ departments: ['hr'] }).count()).toBe(1);
    expect(await context.records({ states: ['cancelled'] }).count()).toBe(1);
    expect(await context.records({ within: 'resolvedAt' }).count()).toBe(1);
    expect(await context.records().countBy('department')).toEqual({
      hr: 1,
      it: 1,
    });
    expect(
      await context.records().durations('openedAt', 'acknowledgedAt'),
    ).toMatchObject({ n: 1, mean: 60 });
    expect((await context.records().list()).map(r => r.id)).toEqual(['a', 'c']);
    expect(context.queries).toHaveLength(6);
  });
});
