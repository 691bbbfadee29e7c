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

import type { ItsmMetricCount } from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import { TABLE_SLAS } from '../../database/tables';
import {
  bounds,
  fragment,
  inWindowSql,
  int,
  readableScopeIds,
  rowsOf,
  share,
} from '../sql';
import type {
  MetricFamily,
  MetricScope,
  MetricWindow,
  NamedQuery,
} from '../types';

/**
 * The SLAs of the scope's readable records that attainment or breaching now
 * may count: completed or breached with an end within the windows' bounds,
 * and running ones. Materialised once (`sl`), from the entity's record ids.
 */
export function slaCtes(
  scope: MetricScope,
  windows: MetricWindow[],
): NamedQuery[] {
  const { from, to } = bounds(windows);
  const query = scope
    .db(`${TABLE_SLAS} as s`)
    .select(
      's.record_id',
      's.kind',
      's.stage',
      's.breached',
      's.end_at',
      's.breach_at',
    )
    .whereIn('s.record_id', readableScopeIds(scope))
    .where(stage =>
      stage
        .where(ended =>
          ended
            .whereIn('s.stage', ['completed', 'breached'])
            .whereRaw(`s.end_at >= ${int(from)} and s.end_at < ${int(to)}`),
        )
        .orWhere('s.stage', 'in_progress'),
    );
  return [{ name: 'sl', query }];
}

/**
 * SLAs of the scope's records that ended in each window with stage completed
 * or breached (paused, running and cancelled ones are left out). Columns `i`,
 * `id` (the record), `kind` (response, resolution) and `met` (1 when the
 * source's breached flag is false: never recomputed here).
 */
export function slaPopulation(scope: MetricScope): Knex.QueryBuilder {
  const { db } = scope;
  return db('sl as s')
    .joinRaw(`join w on ${inWindowSql('s.end_at')}`)
    .select(
      'w.i as i',
      's.record_id as id',
      's.kind as kind',
      db.raw('case when s.breached then 0 else 1 end as met'),
    )
    .whereIn('s.stage', ['completed', 'breached']);
}

/** SLAs of the scope still running (stage in_progress) but already breached or past their breach time. */
export function breachingNowPopulation(scope: MetricScope): Knex.QueryBuilder {
  return scope
    .db('sl as s')
    .select('s.record_id as id', 's.kind as kind')
    .where('s.stage', 'in_progress')
    .whereRaw(`(s.breached or s.breach_at <= ${int(scope.now)})`);
}

function sortByName<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

/**
 * sla_attainment per window: the share of SLAs not breached, overall and per
 * kind; `breachingNow` counts running SLAs past their breach time now.
 */
export const slaAttainmentFamily: MetricFamily = {
  relevance: () => [],
  ctes: slaCtes,
  fragments: scope => [
    fragment(
      scope.db,
      'sla',
      scope.db.from(slaPopulation(scope).as('p')).groupBy('i', 'kind'),
      { i: 'i', k: 'kind', x: 'sum(met)' },
    ),
    fragment(
      scope.db,
      'sla_late',
      scope.db.from(breachingNowPopulation(scope).as('b')).groupBy('kind'),
      { i: '0', k: 'kind' },
    ),
  ],
  read: (rows, _scope, windows) => {
    const results = rowsOf(rows, 'sla', windows.length).map(group => {
      const byKey: Record<string, ItsmMetricCount> = {};
      let n = 0;
      let met = 0;
      for (const row of group) {
        n += row.c;
        met += row.x ?? 0;
        byKey[String(row.k)] = { value: share(row.x ?? 0, row.c), n: row.c };
      }
      return { value: share(met, n), n, byKey: sortByName(byKey) };
    });
    const late: Record<string, number> = {};
    let total = 0;
    for (const row of rows.filter(r => r.m === 'sla_late')) {
      late[String(row.k)] = row.c;
      total += row.c;
    }
    return {
      results: { sla_attainment: results },
      breachingNow: { n: total, byKey: sortByName(late) },
    };
  },
};
