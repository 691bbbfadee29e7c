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

import { ITSM_BUILTIN_METRIC_DEFINITIONS } from '@backstage-itsm/plugin-itsm-common';
import { bucketWindows } from './buckets';
import { formatValue, judgeHealth } from './health';
import {
  evaluateStatus,
  parseDurationSeconds,
  parseTarget,
  readOutageThreshold,
  readTargets,
} from './targets';

const defs = ITSM_BUILTIN_METRIC_DEFINITIONS;

describe('parseDurationSeconds', () => {
  it.each([
    ['4h', 14400],
    ['30m', 1800],
    ['2d', 172800],
    ['1w', 604800],
    ['90s', 90],
    ['1h30m', 5400],
    ['1.5h', 5400],
    [' 2H ', 7200],
  ])('reads %s', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['4', 'soon', '', 'h4', '-1h', '4 hours'])('refuses %j', text => {
    expect(() => parseDurationSeconds(text)).toThrow(/is not a duration/);
  });
});

describe('parseTarget', () => {
  it('reads percentages into ratios, scores and counts as they are', () => {
    expect(parseTarget('ratio', '99.9')).toBeCloseTo(0.999, 12);
    expect(parseTarget('ratio', '95%')).toBe(0.95);
    expect(parseTarget('score', '-20')).toBe(-20);
    expect(parseTarget('count', '10')).toBe(10);
    expect(() => parseTarget('ratio', '120')).toThrow(/between 0 and 100/);
    expect(() => parseTarget('score', '101')).toThrow(/between -100 and 100/);
    expect(() => parseTarget('count', 'many')).toThrow(/not a number/);
  });
});

describe('readTargets and readOutageThreshold', () => {
  it('reads the annotations of the metrics asked about and reports bad ones', () => {
    const { targets, warnings } = readTargets(
      {
        'backstage-itsm.io/mttr-target': '4h',
        'backstage-itsm.io/nps-target': '30',
        'backstage-itsm.io/csat-target': 'great',
        'backstage-itsm.io/change-count-target': '10',
      },
      [defs.mttr, defs.nps, defs.csat, defs.change_count],
    );
    expect(Object.fromEntries(targets)).toEqual({ mttr: 14400, nps: 30 });
    expect(warnings).toEqual([
      "Ignored annotation backstage-itsm.io/csat-target: 'great' is not a percentage, e.g. 99.9",
    ]);
  });

  it('reads the outage threshold, default 2', () => {
    expect(readOutageThreshold({})).toEqual({ threshold: 2 });
    expect(
      readOutageThreshold({
        'backstage-itsm.io/outage-priority-threshold': 'P1',
      }),
    ).toEqual({ threshold: 1 });
    expect(
      readOutageThreshold({
        'backstage-itsm.io/outage-priority-threshold': '9',
      }),
    ).toEqual({
      threshold: 2,
      warning: expect.stringMatching(/'9' is not a priority/),
    });
  });
});

describe('evaluateStatus', () => {
  it.each([
    // lower is better: at risk up to 10% above the target
    ['mttr', 3600, 4 * 3600, 'met'],
    ['mttr', 4 * 3600, 4 * 3600, 'met'],
    ['mttr', 15840, 4 * 3600, 'at_risk'],
    ['mttr', 4.5 * 3600, 4 * 3600, 'breached'],
    // bounded, higher is better: the shortfall against the allowance
    ['availability', 0.999, 0.999, 'met'],
    ['availability', 0.9989, 0.999, 'at_risk'],
    ['availability', 0.9988, 0.999, 'breached'],
    ['sla_attainment', 0.945, 0.95, 'at_risk'],
    ['csat', 0.77, 0.8, 'breached'],
    ['nps', 23, 30, 'at_risk'],
    ['nps', 22, 30, 'breached'],
    // unbounded, higher is better: at risk down to 90% of the target
    ['mtbf', 90, 100, 'at_risk'],
    ['mtbf', 89, 100, 'breached'],
    ['mtbf', 100, 100, 'met'],
  ] as const)('%s %d against %d is %s', (id, value, target, status) => {
    expect(evaluateStatus(value, target, defs[id])).toBe(status);
  });

  it('says no_target without a target or a direction, no_data without a value', () => {
    expect(evaluateStatus(1, undefined, defs.mttr)).toBe('no_target');
    expect(evaluateStatus(1, 5, defs.change_count)).toBe('no_target');
    expect(evaluateStatus(null, 5, defs.mttr)).toBe('no_data');
  });
});

describe('judgeHealth', () => {
  const metric = (id: keyof typeof defs, extra: object) => ({
    value: 1,
    n: 1,
    unit: defs[id].unit,
    definition: defs[id],
    ...extra,
  });

  it('is unhealthy on a breach, degraded on a risk or open P1/P2, healthy otherwise', () => {
    expect(
      judgeHealth(
        {
          mttr: metric('mttr', {
            value: 18000,
            target: 14400,
            status: 'breached',
          }),
          csat: metric('csat', { value: 0.79, target: 0.8, status: 'at_risk' }),
        },
        2,
      ),
    ).toEqual({
      verdict: 'unhealthy',
      reasons: [
        'Mean time to resolve 5h breaches its target 4h',
        'Customer satisfaction 79% is close to missing its target 80%',
      ],
    });
    expect(
      judgeHealth(
        {
          backlog: metric('backlog', {
            status: 'no_target',
            byKey: { '1': { value: 1, n: 1 }, '3': { value: 4, n: 4 } },
          }),
        },
        2,
      ),
    ).toEqual({ verdict: 'degraded', reasons: ['1 P1/P2 incident is open'] });
    expect(
      judgeHealth({ mttr: metric('mttr', { status: 'met', target: 1 }) }, 2),
    ).toEqual({ verdict: 'healthy', reasons: [] });
  });

  it('formats values for people', () => {
    expect(formatValue(90061, 'seconds')).toBe('1d 1h 1m');
    expect(formatValue(42, 'seconds')).toBe('42s');
    expect(formatValue(0.99951, 'ratio')).toBe('99.951%');
    expect(formatValue(null, 'count')).toBe('n/a');
  });
});

describe('bucketWindows', () => {
  const ms = (iso: string) => Date.parse(iso);

  it('tiles a window with UTC months, clipped at both ends', () => {
    expect(
      bucketWindows(
        { from: ms('2026-01-15T00:00:00Z'), to: ms('2026-03-10T00:00:00Z') },
        'month',
      ),
    ).toEqual([
      { from: ms('2026-01-15T00:00:00Z'), to: ms('2026-02-01T00:00:00Z') },
      { from: ms('2026-02-01T00:00:00Z'), to: ms('2026-03-01T00:00:00Z') },
      { from: ms('2026-03-01T00:00:00Z'), to: ms('2026-03-10T00:00:00Z') },
    ]);
  });

  it('refuses more than 400 buckets', () => {
    expect(
      bucketWindows(
        { from: ms('2020-01-01T00:00:00Z'), to: ms('2026-01-01T00:00:00Z') },
        'day',
      ),
    ).toBeUndefined();
  });
});
