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

import { ResponseError } from '@backstage/errors';
import {
  metricDefinition,
  normaliseRef,
  parseTarget,
  serverFieldErrors,
  targetInput,
} from './improvementModel';
import { responseError } from './improvementFixtures';

describe('parseTarget', () => {
  it('reads durations to seconds', () => {
    expect(parseTarget('4h', 'seconds')).toEqual({ value: 14400 });
    expect(parseTarget('30m', 'seconds')).toEqual({ value: 1800 });
    expect(parseTarget('2d', 'seconds')).toEqual({ value: 172800 });
    expect(parseTarget('1h 30m', 'seconds')).toEqual({ value: 5400 });
    expect(parseTarget('1.5h', 'seconds')).toEqual({ value: 5400 });
    expect(parseTarget('90', 'seconds')).toEqual({
      error: 'Write a duration such as 4h, 30m or 2d',
    });
    expect(parseTarget('0m', 'seconds')).toEqual({
      error: 'The duration must be above zero',
    });
    expect(parseTarget(' ', 'seconds')).toEqual({ error: 'Enter a target' });
  });

  it('reads ratios as percentages, and counts and scores as numbers', () => {
    expect(parseTarget('99.9', 'ratio')).toEqual({ value: 0.999 });
    expect(parseTarget('5%', 'ratio')).toEqual({ value: 0.05 });
    expect(parseTarget('120', 'ratio')).toEqual({
      error: 'A percentage is between 0 and 100',
    });
    expect(parseTarget('12', 'count')).toEqual({ value: 12 });
    expect(parseTarget('-1', 'count')).toEqual({
      error: 'The number cannot be negative',
    });
    expect(parseTarget('-20', 'score')).toEqual({ value: -20 });
    expect(parseTarget('many', 'count')).toEqual({ error: 'Enter a number' });
  });

  it('writes stored targets back as they are typed', () => {
    expect(targetInput(5400, 'seconds')).toBe('1h 30m');
    expect(targetInput(0.999, 'ratio')).toBe('99.9');
    expect(targetInput(12, 'count')).toBe('12');
    for (const [text, unit] of [
      ['2d 4h', 'seconds'],
      ['99.95', 'ratio'],
    ] as const) {
      const parsed = parseTarget(text, unit);
      expect('value' in parsed && targetInput(parsed.value, unit)).toBe(text);
    }
  });
});

describe('serverFieldErrors', () => {
  const fields = ['title', 'entityRefs', 'metric.target', 'metric'];

  it('puts each message on the field it names', async () => {
    const error: ResponseError = await responseError(
      400,
      'Invalid body: metric.target: the target must be below the baseline 3600 for mttr (lower is better); entityRefs.1: not an entity ref',
    );
    expect(serverFieldErrors(error, fields)).toEqual({
      fields: {
        'metric.target':
          'The target must be below the baseline 3600 for mttr (lower is better)',
        entityRefs: 'Not an entity ref',
      },
      general: undefined,
    });
  });

  it('keeps what names no known field for the top', () => {
    expect(
      serverFieldErrors(
        new Error('Invalid body: foo: bad; no such record'),
        fields,
      ),
    ).toEqual({ fields: {}, general: 'Foo: bad; no such record' });
  });
});

describe('helpers', () => {
  it('normalises refs with a default kind and namespace', () => {
    expect(normaliseRef('team-a', 'group')).toBe('group:default/team-a');
    expect(normaliseRef('user:ops/bob', 'group')).toBe('user:ops/bob');
    expect(normaliseRef('a:b:c', 'group')).toBeUndefined();
  });

  it('guesses the unit of module metrics', () => {
    expect(metricDefinition('mttr').unit).toBe('seconds');
    expect(metricDefinition('hr_first_response_time').unit).toBe('seconds');
    expect(metricDefinition('facilities_on_time_completion').unit).toBe(
      'ratio',
    );
  });
});
