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
  formatItsmReviewPeriod,
  itsmReviewPeriodRange,
  parseItsmReviewPeriod,
} from './reviewPeriod';

describe('parseItsmReviewPeriod', () => {
  it('reads quarters and months', () => {
    expect(parseItsmReviewPeriod('2026-Q3')).toEqual({
      kind: 'quarter',
      year: 2026,
      index: 3,
    });
    expect(parseItsmReviewPeriod(' 2026-q1 ')).toEqual({
      kind: 'quarter',
      year: 2026,
      index: 1,
    });
    expect(parseItsmReviewPeriod('2026-10')).toEqual({
      kind: 'month',
      year: 2026,
      index: 10,
    });
  });

  it('is undefined for anything else', () => {
    for (const value of [
      undefined,
      null,
      '',
      '2026',
      '2026-Q5',
      '2026-Q0',
      '2026-13',
      '2026-00',
      '2026-1',
      '26-10',
      '2026-10-01',
    ]) {
      expect(parseItsmReviewPeriod(value)).toBeUndefined();
    }
  });
});

describe('formatItsmReviewPeriod', () => {
  it('writes the form the parser reads', () => {
    for (const text of ['2026-Q3', '2026-Q1', '2026-01', '2026-12']) {
      expect(formatItsmReviewPeriod(parseItsmReviewPeriod(text)!)).toBe(text);
    }
  });
});

describe('itsmReviewPeriodRange', () => {
  it('spans a calendar month or quarter in UTC, end exclusive', () => {
    expect(
      itsmReviewPeriodRange({ kind: 'month', year: 2028, index: 2 }),
    ).toEqual({
      from: Date.parse('2028-02-01T00:00:00Z'),
      to: Date.parse('2028-03-01T00:00:00Z'),
    });
    expect(
      itsmReviewPeriodRange({ kind: 'quarter', year: 2026, index: 4 }),
    ).toEqual({
      from: Date.parse('2026-10-01T00:00:00Z'),
      to: Date.parse('2027-01-01T00:00:00Z'),
    });
  });
});
