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

import type { Knex } from 'knex';
import { interpolate } from './percentile';
import { isPostgres } from '../database/operations/util/conversions';
import { fragment, rowsOf, runFragments } from './sql';
import type { FragmentRow, MetricScope } from './types';

/** Duration statistics of one window, in the unit of the population's `v`. */
export interface DurationStats {
  /** Non-negative durations. */
  n: number;
  /** Their sum; the mean is sum / n. */
  sum: number;
  /** Negative durations: left out of every statistic. */
  negative: number;
  p50: number | null;
  p90: number | null;
}

const FRACTIONS = [0.5, 0.9] as const;

/**
 * Fragments computing duration statistics per window: `population` has
 * columns `i` (window index) and `v` (a duration, possibly negative:
 * out-of-order data; null rows are ignored). Negative durations are counted
 * apart, never averaged in. PostgreSQL computes the percentiles with
 * `percentile_cont`; SQLite, which has none, picks the two rows around each
 * percentile with window functions (tag `<tag>:pick`) and `readDurations`
 * interpolates them with the same arithmetic, so both give identical numbers.
 */
export function durationFragments(
  db: Knex,
  tag: string,
  population: Knex.QueryBuilder,
): Knex.QueryBuilder[] {
  if (isPostgres(db)) {
    return [
      fragment(db, tag, db.from(population.clone().as('d')).groupBy('i'), {
        i: 'i',
        c: 'count(*) filter (where v >= 0)',
        x: 'sum(v) filter (where v >= 0)',
        y: 'count(*) filter (where v < 0)',
        p50: 'percentile_cont(0.5) within group (order by v) filter (where v >= 0)',
        p90: 'percentile_cont(0.9) within group (order by v) filter (where v >= 0)',
      }),
    ];
  }
  const ranks = FRACTIONS.flatMap(f => [
    `cast((n - 1) * ${f} as integer) + 1`,
    `cast((n - 1) * ${f} as integer) + 2`,
  ]).join(', ');
  const ranked = db
    .from(population.clone().as('d'))
    .select(
      'i',
      'v',
      db.raw('row_number() over (partition by i order by v) as rn'),
      db.raw('count(*) over (partition by i) as n'),
    )
    .where('v', '>=', 0);
  return [
    fragment(db, tag, db.from(population.clone().as('d')).groupBy('i'), {
      i: 'i',
      c: 'sum(case when v >= 0 then 1 else 0 end)',
      x: 'sum(case when v >= 0 then v else 0 end)',
      y: 'sum(case when v < 0 then 1 else 0 end)',
    }),
    fragment(
      db,
      `${tag}:pick`,
      db.from(ranked.as('q')).whereRaw(`rn in (${ranks})`),
      { i: 'i', k: 'rn', c: 'n', x: 'v' },
    ),
  ];
}

/** Reads the rows of `durationFragments`. */
export function readDurations(
  rows: FragmentRow[],
  tag: string,
  windows: number,
): DurationStats[] {
  const picks = rowsOf(rows, `${tag}:pick`, windows);
  return rowsOf(rows, tag, windows).map(([row], i) => {
    const stats: DurationStats = {
      n: row ? row.c : 0,
      sum: row?.x ?? 0,
      negative: row?.y ?? 0,
      p50: row?.p50 ?? null,
      p90: row?.p90 ?? null,
    };
    if (picks[i].length > 0) {
      const values = new Map(picks[i].map(p => [Number(p.k), p.x!]));
      [stats.p50, stats.p90] = FRACTIONS.map(fraction =>
        percentileFromRanks(values, stats.n, fraction),
      );
    }
    return stats;
  });
}

/** `percentile_cont` from the values at 1-based ranks. */
function percentileFromRanks(
  values: Map<number, number>,
  count: number,
  fraction: number,
): number | null {
  if (count === 0) {
    return null;
  }
  const position = fraction * (count - 1);
  const first = Math.floor(position);
  const second = Math.ceil(position);
  return interpolate(
    values.get(first + 1)!,
    values.get(second + 1)!,
    position - first,
  );
}

/**
 * A fragment computing the length of the union of intervals per window
 * (column `x`): `population` has columns `i`, `cs` and `ce` (an interval
 * [cs, ce), already clipped to its window). Overlapping intervals count once
 * (gaps and islands: an interval starts a new island when it starts after
 * every earlier one has ended).
 */
export function unionFragment(
  db: Knex,
  tag: string,
  population: Knex.QueryBuilder,
): Knex.QueryBuilder {
  const order =
    'partition by i order by cs, ce rows between unbounded preceding';
  const breaks = db
    .from(population.clone().as('p'))
    .select(
      'i',
      'cs',
      'ce',
      db.raw(
        `case when cs <= max(ce) over (${order} and 1 preceding) then 0 else 1 end as brk`,
      ),
    )
    .whereRaw('ce > cs');
  const islands = db
    .from(breaks.as('a'))
    .select(
      'i',
      'cs',
      'ce',
      db.raw(`sum(brk) over (${order} and current row) as g`),
    );
  const spans = db
    .from(islands.as('b'))
    .select('i', 'g')
    .min({ gs: 'cs' })
    .max({ ge: 'ce' })
    .groupBy('i', 'g');
  return fragment(db, tag, db.from(spans.as('s')).groupBy('i'), {
    i: 'i',
    x: 'sum(ge - gs)',
  });
}

/**
 * Runs fragments of a self-contained population (one that reads neither
 * `sr` nor the request's windows) as one statement.
 */
function runStandalone(
  db: Knex,
  fragments: Knex.QueryBuilder[],
): Promise<FragmentRow[]> {
  return runFragments(
    { db } as MetricScope,
    [{ from: 0, to: 1 }],
    [],
    fragments,
  );
}

/** Duration statistics of a self-contained population, as one statement. */
export async function durationStats(
  db: Knex,
  population: Knex.QueryBuilder,
  windows: number,
): Promise<DurationStats[]> {
  const rows = await runStandalone(db, durationFragments(db, 'd', population));
  return readDurations(rows, 'd', windows);
}

/** Union lengths of a self-contained population, as one statement. */
export async function unionLength(
  db: Knex,
  population: Knex.QueryBuilder,
  windows: number,
): Promise<number[]> {
  const rows = await runStandalone(db, [unionFragment(db, 'u', population)]);
  return rowsOf(rows, 'u', windows).map(([row]) => row?.x ?? 0);
}
