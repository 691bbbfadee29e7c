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

/**
 * A service review period: a calendar month or quarter in UTC, written
 * `2026-10` or `2026-Q3` in the API and in links.
 * @public
 */
export interface ItsmReviewPeriod {
  kind: 'month' | 'quarter';
  year: number;
  /** The month (1-12) or the quarter (1-4). */
  index: number;
}

const QUARTER = /^(\d{4})-Q([1-4])$/i;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Reads `2026-Q3` or `2026-10`; undefined for anything else. @public */
export function parseItsmReviewPeriod(
  value: string | null | undefined,
): ItsmReviewPeriod | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const quarter = QUARTER.exec(text);
  if (quarter) {
    return {
      kind: 'quarter',
      year: Number(quarter[1]),
      index: Number(quarter[2]),
    };
  }
  const month = MONTH.exec(text);
  if (month) {
    return { kind: 'month', year: Number(month[1]), index: Number(month[2]) };
  }
  return undefined;
}

/** The API's form of a period: `2026-Q3`, `2026-10`. @public */
export function formatItsmReviewPeriod(period: ItsmReviewPeriod): string {
  return period.kind === 'quarter'
    ? `${period.year}-Q${period.index}`
    : `${period.year}-${String(period.index).padStart(2, '0')}`;
}

/** The first instant of a period and the first instant after it, epoch ms UTC. @public */
export function itsmReviewPeriodRange(period: ItsmReviewPeriod): {
  from: number;
  to: number;
} {
  const month =
    period.kind === 'quarter' ? (period.index - 1) * 3 : period.index - 1;
  const months = period.kind === 'quarter' ? 3 : 1;
  return {
    from: Date.UTC(period.year, month, 1),
    to: Date.UTC(period.year, month + months, 1),
  };
}
