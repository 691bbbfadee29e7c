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

import type { ItsmImprovementMetric } from '@backstage-itsm/plugin-itsm-common';
import fc from 'fast-check';
import { computeProgress, dueInstant } from './progress';

const NOW = Date.parse('2026-04-10T00:00:00Z');
const DAY = 86_400_000;

function metric(
  overrides: Partial<ItsmImprovementMetric> = {},
): ItsmImprovementMetric {
  return {
    metricId: 'mttr',
    entityRef: 'component:default/a',
    target: 3600,
    direction: 'lower_is_better',
    windowDays: 30,
    sustainWeeks: 2,
    baseline: 7200,
    baselineN: 10,
    baselineCapturedAt: new Date(NOW - 10 * DAY).toISOString(),
    ...overrides,
  };
}

const current = (value: number | null, n = 5) => ({
  value,
  n,
  from: NOW - 30 * DAY,
  to: NOW,
});

describe('computeProgress', () => {
  it('is on track when as far along as the time used', () => {
    // Approved 10 days ago, due in 10 days: half the time used, half way there.
    const p = computeProgress({
      status: 'in_progress',
      dueDate: '2026-04-19',
      metric: metric(),
      current: current(5400),
      now: NOW,
    });
    expect(p).toMatchObject({ status: 'on_track', fraction: 0.5 });
    expect(p.elapsed).toBeCloseTo(0.5, 6);
  });

  it('is at risk when more than a tenth of the time behind the pace', () => {
    // Half the time used; 40% of the way is on track, 35% is not.
    const at = (value: number) =>
      computeProgress({
        status: 'in_progress',
        dueDate: '2026-04-19',
        metric: metric(),
        current: current(value),
        now: NOW,
      }).status;
    expect(at(7200 - 0.4 * 3600)).toBe('on_track');
    expect(at(7200 - 0.35 * 3600)).toBe('at_risk');
    expect(at(6500)).toBe('at_risk');
  });

  it('is overdue past the due date while open and unmet, and says so', () => {
    const p = computeProgress({
      status: 'in_progress',
      dueDate: '2026-04-09',
      metric: metric(),
      current: current(6000),
      now: NOW,
    });
    expect(p).toMatchObject({ status: 'overdue', overdue: true, elapsed: 1 });
  });

  it('a due date lasts the whole day', () => {
    expect(dueInstant('2026-04-10')).toBe(NOW + DAY);
    const p = computeProgress({
      status: 'approved',
      dueDate: '2026-04-10',
      metric: null,
      now: NOW + DAY - 1,
    });
    expect(p.overdue).toBe(false);
  });

  it('says target met, and sustained once every week of the period met it', () => {
    const weeks = [
      { start: 'w1', end: 'w2', value: 3000, n: 3 },
      { start: 'w2', end: 'w3', value: 3500, n: 2 },
    ];
    expect(
      computeProgress({
        status: 'in_progress',
        dueDate: null,
        metric: metric(),
        current: current(3000),
        weeks: [weeks[0], { ...weeks[1], value: 4000 }],
        now: NOW,
      }).status,
    ).toBe('target_met');
    const sustained = computeProgress({
      status: 'done',
      dueDate: null,
      metric: metric(),
      current: current(3000),
      weeks,
      now: NOW,
    });
    expect(sustained.status).toBe('sustained');
    expect(sustained.weeks.map(w => w.met)).toEqual([true, true]);
    // A week without data does not count as met.
    expect(
      computeProgress({
        status: 'done',
        dueDate: null,
        metric: metric(),
        current: current(3000),
        weeks: [weeks[0], { ...weeks[1], value: null, n: 0 }],
        now: NOW,
      }).status,
    ).toBe('target_met');
  });

  it('works for higher-is-better metrics', () => {
    const p = computeProgress({
      status: 'in_progress',
      dueDate: null,
      metric: metric({
        metricId: 'availability',
        direction: 'higher_is_better',
        baseline: 0.99,
        target: 0.999,
      }),
      current: current(0.9945),
      now: NOW,
    });
    expect(p.status).toBe('on_track');
    expect(p.fraction).toBeCloseTo(0.5, 6);
  });

  it('is not started before approval, and has no data without records', () => {
    expect(
      computeProgress({
        status: 'proposed',
        dueDate: null,
        metric: metric({ baseline: null, baselineCapturedAt: null }),
        current: current(7000),
        now: NOW,
      }).status,
    ).toBe('not_started');
    expect(
      computeProgress({
        status: 'in_progress',
        dueDate: null,
        metric: metric(),
        current: current(null, 0),
        now: NOW,
      }).status,
    ).toBe('no_data');
  });

  it('fraction is 0 at the baseline, 1 at the target, and monotonic in between', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (baseline, ratio, a, b, lower) => {
          const target = lower ? baseline * ratio : baseline / ratio;
          const m = metric({
            baseline,
            target,
            direction: lower ? 'lower_is_better' : 'higher_is_better',
          });
          const at = (share: number) =>
            computeProgress({
              status: 'in_progress',
              dueDate: null,
              metric: m,
              current: current(baseline + (target - baseline) * share),
              now: NOW,
            }).fraction!;
          expect(at(0)).toBeCloseTo(0, 6);
          expect(at(1)).toBeCloseTo(1, 6);
          const [low, high] = a < b ? [a, b] : [b, a];
          expect(at(low)).toBeLessThanOrEqual(at(high) + 1e-9);
        },
      ),
    );
  });
});
