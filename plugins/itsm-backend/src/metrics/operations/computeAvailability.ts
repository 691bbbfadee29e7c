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

import type { ItsmMetricResult } from '@backstage-itsm/plugin-itsm-node';
import type { Knex } from 'knex';
import { unionFragment } from '../kernels';
import {
  bounds,
  fragment,
  int,
  OUTAGE_KNOWN_END,
  OUTAGE_START,
  rowsOf,
} from '../sql';
import type { MetricFamily, MetricScope, MetricWindow } from '../types';

/** The known end precedes the start: out-of-order data (on `sr`). */
const BAD = 'r.outage_known_end < r.outage_start';

/** `sr` rows of outage incidents that may overlap, or be opened in, some window. */
export function outageRelevance(
  scope: MetricScope,
  windows: MetricWindow[],
): string[] {
  const { from, to } = bounds(windows);
  return [
    `r.kind = 'incident' and r.priority is not null
      and r.priority <= ${int(scope.outagePriorityThreshold)}
      and (${OUTAGE_KNOWN_END} is null or ${OUTAGE_KNOWN_END} > ${int(from)}
        or ${OUTAGE_START} > ${int(from)} or r.opened_at >= ${int(from)})
      and (${OUTAGE_START} < ${int(to)} or ${OUTAGE_KNOWN_END} < ${int(to)}
        or r.opened_at < ${int(to)})`,
  ];
}

/**
 * Outage incidents of each window: non-cancelled incidents with a priority at
 * or above the scope's threshold, whose interval [start, end) overlaps the
 * window or that were opened in it. An outage still open ends at min(now, t)
 * (never before its start). Columns `i`, `id`, `f`, `t`, `s`, `e`, `bad` (1
 * when the known end precedes the start: out-of-order data, left out) and
 * `opened` (1 when opened in the window).
 */
export function outagePopulation(scope: MetricScope): Knex.QueryBuilder {
  const { db } = scope;
  const now = int(scope.now);
  const openEnd = `(case when w.t > ${now} then ${now} else w.t end)`;
  const end = `(case when r.outage_known_end is not null then r.outage_known_end
    when r.outage_start > ${openEnd} then r.outage_start else ${openEnd} end)`;
  return db('sr as r')
    .joinRaw(
      `join w on (r.outage_start < w.t and ${end} > w.f)
        or (${BAD} and r.outage_known_end < w.t and r.outage_start > w.f)
        or (r.opened_at >= w.f and r.opened_at < w.t)`,
    )
    .select(
      'w.i as i',
      'r.id as id',
      'w.f as f',
      'w.t as t',
      'r.outage_start as s',
      db.raw(`${end} as e`),
      db.raw(`case when ${BAD} then 1 else 0 end as bad`),
      db.raw(
        'case when r.opened_at >= w.f and r.opened_at < w.t then 1 else 0 end as opened',
      ),
    )
    .where('r.kind', 'incident')
    .whereNotNull('r.priority')
    .where('r.priority', '<=', db.raw(int(scope.outagePriorityThreshold)));
}

/** Outage rows that overlap their window with a valid interval. */
export const OVERLAPS = 'bad = 0 and s < t and e > f';

/**
 * availability and mtbf of each window. Availability is 1 - (union of
 * outage intervals clipped to the window) / (window length), n the outage
 * incidents overlapping the window; 1.0 when none does (the engine keeps
 * it where a source covers the entity, else null). MTBF is (window length - outage time) / outage incidents opened in
 * the window, null when none was.
 */
export const availabilityFamily: MetricFamily = {
  relevance: outageRelevance,
  fragments: scope => {
    const { db } = scope;
    return [
      fragment(
        db,
        'outages',
        db.from(outagePopulation(scope).as('p')).groupBy('i'),
        {
          i: 'i',
          c: `sum(case when ${OVERLAPS} then 1 else 0 end)`,
          x: 'sum(case when bad = 0 and opened = 1 then 1 else 0 end)',
          y: 'sum(bad)',
        },
      ),
      unionFragment(
        db,
        'outage_time',
        db
          .from(outagePopulation(scope).as('o'))
          .select(
            'i',
            db.raw('case when s > f then s else f end as cs'),
            db.raw('case when e < t then e else t end as ce'),
          )
          .whereRaw(OVERLAPS),
      ),
    ];
  },
  read: (rows, _scope, windows) => {
    const down = rowsOf(rows, 'outage_time', windows.length).map(
      ([row]) => row?.x ?? 0,
    );
    const availability: ItsmMetricResult[] = [];
    const mtbf: ItsmMetricResult[] = [];
    rowsOf(rows, 'outages', windows.length).forEach(([row], i) => {
      const length = windows[i].to - windows[i].from;
      const overlapping = row ? row.c : 0;
      const opened = row?.x ?? 0;
      const dataQuality = { negativeDurations: row?.y ?? 0 };
      // With n 0 this is 1.0; the engine keeps it only where a source
      // covers the entity (normalise).
      availability.push({
        value: 1 - down[i] / length,
        n: overlapping,
        dataQuality,
      });
      mtbf.push({
        value: opened === 0 ? null : (length - down[i]) / opened / 1000,
        n: opened,
        dataQuality,
      });
    });
    return { results: { availability, mtbf } };
  },
};
