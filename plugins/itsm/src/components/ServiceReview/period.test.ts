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

import { DateTime } from 'luxon';
import {
  formatItsmReviewPeriod,
  parseItsmReviewPeriod,
} from '@backstage-itsm/plugin-itsm-common';
import {
  convertPeriod,
  hasStarted,
  lastCompleteQuarter,
  nextReviewDueDate,
  periodLabel,
  periodRange,
  shiftPeriod,
} from './period';

const at = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' });

describe('review periods', () => {
  it('reads and writes quarters and months', () => {
    expect(parseItsmReviewPeriod('2026-Q3')).toEqual({
      kind: 'quarter',
      year: 2026,
      index: 3,
    });
    expect(parseItsmReviewPeriod('2026-10')).toEqual({
      kind: 'month',
      year: 2026,
      index: 10,
    });
    for (const bad of ['2026-Q5', '2026-13', '2026', 'Q3', '', null]) {
      expect(parseItsmReviewPeriod(bad)).toBeUndefined();
    }
    expect(formatItsmReviewPeriod(parseItsmReviewPeriod('2026-03')!)).toBe(
      '2026-03',
    );
    expect(periodLabel(parseItsmReviewPeriod('2026-Q3')!)).toBe('Q3 2026');
    expect(periodLabel(parseItsmReviewPeriod('2026-10')!)).toBe('October 2026');
  });

  it('spans UTC calendar ranges and steps across years', () => {
    const { from, to } = periodRange(parseItsmReviewPeriod('2026-Q4')!);
    expect(from.toISO()).toBe('2026-10-01T00:00:00.000Z');
    expect(to.toISO()).toBe('2027-01-01T00:00:00.000Z');
    expect(
      formatItsmReviewPeriod(
        shiftPeriod(parseItsmReviewPeriod('2026-Q1')!, -1),
      ),
    ).toBe('2025-Q4');
    expect(
      formatItsmReviewPeriod(shiftPeriod(parseItsmReviewPeriod('2026-12')!, 1)),
    ).toBe('2027-01');
  });

  it('defaults to the last complete quarter', () => {
    expect(
      formatItsmReviewPeriod(lastCompleteQuarter(at('2026-11-23T10:00:00Z'))),
    ).toBe('2026-Q3');
    expect(
      formatItsmReviewPeriod(lastCompleteQuarter(at('2026-01-01T00:00:00Z'))),
    ).toBe('2025-Q4');
  });

  it('switches between month and quarter over the same stretch', () => {
    expect(
      formatItsmReviewPeriod(
        convertPeriod(parseItsmReviewPeriod('2026-Q3')!, 'month'),
      ),
    ).toBe('2026-09');
    expect(
      formatItsmReviewPeriod(
        convertPeriod(parseItsmReviewPeriod('2026-08')!, 'quarter'),
      ),
    ).toBe('2026-Q3');
  });

  it('knows which periods have started', () => {
    const now = at('2026-11-23T10:00:00Z');
    expect(hasStarted(parseItsmReviewPeriod('2026-Q4')!, now)).toBe(true);
    expect(hasStarted(parseItsmReviewPeriod('2027-Q1')!, now)).toBe(false);
  });

  it('dues actions at the end of the next period, or of the current one for old reviews', () => {
    const now = at('2026-11-23T10:00:00Z');
    expect(nextReviewDueDate(parseItsmReviewPeriod('2026-Q3')!, now)).toBe(
      '2026-12-31',
    );
    expect(nextReviewDueDate(parseItsmReviewPeriod('2026-10')!, now)).toBe(
      '2026-11-30',
    );
    expect(nextReviewDueDate(parseItsmReviewPeriod('2025-Q1')!, now)).toBe(
      '2026-12-31',
    );
  });
});
