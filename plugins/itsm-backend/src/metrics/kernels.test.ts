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

import { TestDatabases } from '@backstage/backend-test-utils';
import fc from 'fast-check';
import type { Knex } from 'knex';
import { durationStats, unionLength } from './kernels';
import { percentileCont } from './percentile';

jest.setTimeout(120_000);

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...databaseIds] });
const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('metric kernels on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}

/**
 * Reference percentile (Hyndman and Fan type 7, what `percentile_cont`
 * computes), written from the textbook definition: the value at 1-based
 * rank h = 1 + p (n - 1), interpolated between its neighbours.
 */
function referencePercentile(values: number[], p: number): number | null {
  if (values.length === 0) {
    return null;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const h = 1 + p * (sorted.length - 1);
  const below = sorted[Math.floor(h) - 1];
  const above = sorted[Math.min(Math.ceil(h), sorted.length) - 1];
  return below + (h - Math.floor(h)) * (above - below);
}

/** Equal within floating-point slack of `scale`, or both null. */
function nearly(
  actual: number | null,
  expected: number | null,
  scale: number,
): boolean {
  if (actual === null || expected === null) {
    return actual === expected;
  }
  return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(scale));
}

/** Reference union length: mark every unit cell [k, k + 1) of [from, to) that an interval covers. */
function referenceUnion(
  intervals: Array<[number, number]>,
  from: number,
  to: number,
): number {
  let covered = 0;
  for (let k = from; k < to; k++) {
    if (intervals.some(([s, e]) => s <= k && k + 1 <= e)) {
      covered++;
    }
  }
  return covered;
}

/** A population `(i, v)` or `(i, cs, ce)` from literal rows. */
function rows(
  db: Knex,
  columns: string[],
  values: number[][],
): Knex.QueryBuilder {
  const literal = values
    .map(row => `(${row.map(v => String(Math.trunc(v))).join(', ')})`)
    .join(', ');
  return db
    .with('src', columns, db.raw(`values ${literal}`))
    .select(columns)
    .from('src');
}

describe('percentileCont', () => {
  it('follows the reference on any values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10 ** 12 }), { minLength: 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, p) => {
          const sorted = [...values].sort((a, b) => a - b);
          const expected = referencePercentile(values, p)!;
          const actual = percentileCont(sorted, p)!;
          // The reference's 1 + p (n - 1) rounds differently: compare
          // within floating-point slack of the values' magnitude.
          expect(nearly(actual, expected, sorted[sorted.length - 1])).toBe(
            true,
          );
        },
      ),
    );
  });

  it('is null for no values and the value itself for one', () => {
    expect(percentileCont([], 0.5)).toBeNull();
    expect(percentileCont([42], 0.9)).toBe(42);
    expect(percentileCont([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});

describe.each(databases.eachSupportedId())(
  'metric kernels on %s',
  databaseId => {
    let db: Knex;

    beforeAll(async () => {
      db = await databases.init(databaseId);
    });

    it('durationStats: count, sum and percentile_cont p50/p90 of non-negative values, per window', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              i: fc.integer({ min: 0, max: 2 }),
              v: fc.integer({ min: -1000, max: 10 ** 10 }),
            }),
            { minLength: 1, maxLength: 60 },
          ),
          async values => {
            const stats = await durationStats(
              db,
              rows(
                db,
                ['i', 'v'],
                values.map(r => [r.i, r.v]),
              ),
              3,
            );
            for (let i = 0; i < 3; i++) {
              const mine = values.filter(r => r.i === i).map(r => r.v);
              const valid = mine.filter(v => v >= 0).sort((a, b) => a - b);
              expect(stats[i].n).toBe(valid.length);
              expect(stats[i].negative).toBe(mine.length - valid.length);
              expect(stats[i].sum).toBe(valid.reduce((a, b) => a + b, 0));
              // Exactly what the TypeScript port of percentile_cont gives ...
              expect(stats[i].p50).toBe(percentileCont(valid, 0.5));
              expect(stats[i].p90).toBe(percentileCont(valid, 0.9));
              // ... and what the textbook definition gives.
              const expected = referencePercentile(valid, 0.9);
              expect(
                nearly(stats[i].p90, expected, valid[valid.length - 1] ?? 0),
              ).toBe(true);
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it('unionLength: overlapping intervals count once, per window', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc
              .record({
                i: fc.integer({ min: 0, max: 1 }),
                s: fc.integer({ min: 0, max: 120 }),
                length: fc.integer({ min: 0, max: 40 }),
              })
              .map(({ i, s, length }) => ({ i, s, e: s + length })),
            { minLength: 1, maxLength: 40 },
          ),
          async intervals => {
            const totals = await unionLength(
              db,
              rows(
                db,
                ['i', 'cs', 'ce'],
                intervals.map(r => [r.i, r.s, r.e]),
              ),
              2,
            );
            for (let i = 0; i < 2; i++) {
              const mine = intervals
                .filter(r => r.i === i)
                .map(r => [r.s, r.e] as [number, number]);
              expect(totals[i]).toBe(referenceUnion(mine, 0, 200));
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it('durationStats: no rows gives n 0 and null percentiles', async () => {
      const empty = rows(db, ['i', 'v'], [[0, 1]]).whereRaw('1 = 0');
      await expect(durationStats(db, empty, 1)).resolves.toEqual([
        { n: 0, sum: 0, negative: 0, p50: null, p90: null },
      ]);
    });
  },
);
