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
  MAX_REVIEW_WINDOW_DAYS,
  parseHeldPeriod,
  parseReviewPeriod,
} from './period';

const DAY = 24 * 3600_000;
const JAN = Date.parse('2026-01-01T00:00:00Z');
const FEB = Date.parse('2026-02-01T00:00:00Z');

describe('parseReviewPeriod', () => {
  it('reads a month or quarter as its window, carrying the calendar period', () => {
    expect(parseReviewPeriod({ period: '2026-01' })).toEqual({
      label: '2026-01',
      from: JAN,
      to: FEB,
      period: { kind: 'month', year: 2026, index: 1 },
    });
    expect(parseReviewPeriod({ period: '2026-q1' })).toEqual({
      label: '2026-Q1',
      from: JAN,
      to: Date.parse('2026-04-01T00:00:00Z'),
      period: { kind: 'quarter', year: 2026, index: 1 },
    });
  });

  it('reads an explicit window, which is no calendar period', () => {
    expect(parseReviewPeriod({ from: JAN, to: JAN + DAY })).toEqual({
      label: '2026-01-01T00:00:00.000Z..2026-01-02T00:00:00.000Z',
      from: JAN,
      to: JAN + DAY,
    });
  });

  it('names the field of a period it refuses', () => {
    expect(() => parseReviewPeriod({ period: '2026-13' })).toThrow(
      "Invalid query: period: '2026-13' is neither a quarter (2026-Q3) nor a month (2026-10)",
    );
    expect(() =>
      parseReviewPeriod({ period: '2026-01', from: JAN }, 'body'),
    ).toThrow('Invalid body: period: give either period or from and to');
    expect(() => parseReviewPeriod({ from: JAN })).toThrow(
      'Invalid query: period: give a period (2026-Q3, 2026-10) or from and to',
    );
    expect(() => parseReviewPeriod({ from: FEB, to: JAN })).toThrow(
      'Invalid query: from: from must be before to',
    );
    expect(() =>
      parseReviewPeriod({
        from: JAN,
        to: JAN + (MAX_REVIEW_WINDOW_DAYS + 1) * DAY,
      }),
    ).toThrow(/^Invalid query: from: a review covers at most three years/);
  });
});

describe('parseHeldPeriod', () => {
  it('holds a month or quarter that has ended', () => {
    expect(parseHeldPeriod({ period: '2026-01' }, FEB)).toMatchObject({
      label: '2026-01',
      period: { kind: 'month', year: 2026, index: 1 },
    });
    expect(() => parseHeldPeriod({ period: '2026-01' }, FEB - 1)).toThrow(
      'Invalid body: period: 2026-01 has not ended; its review can be held from 2026-02-01T00:00:00.000Z',
    );
  });

  it('refuses a window or no period', () => {
    expect(() => parseHeldPeriod({ period: '2026-01', to: FEB }, FEB)).toThrow(
      'Invalid body: to: a review is held for a named period (2026-Q3 or 2026-10), not a from/to window',
    );
    expect(() => parseHeldPeriod({}, FEB)).toThrow(
      'Invalid body: period: name the month (2026-10) or quarter (2026-Q3) to hold',
    );
  });
});
