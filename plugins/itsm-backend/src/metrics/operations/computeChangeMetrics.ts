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
import type { ItsmMetricCount } from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import { TABLE_RECORDS } from '../../database/tables';
import {
  bounds,
  CHANGE_END,
  fragment,
  inWindowSql,
  int,
  readable,
  rowsOf,
  share,
} from '../sql';
import type { MetricFamily, MetricScope, MetricWindow } from '../types';
import { sortKeys } from './computeIncidentCount';

/** `sr` rows of changes completed within the windows' bounds. */
export function changeRelevance(windows: MetricWindow[]): string[] {
  const { from, to } = bounds(windows);
  return [
    `r.kind = 'change' and ${CHANGE_END} >= ${int(
      from,
    )} and ${CHANGE_END} < ${int(to)}`,
  ];
}

/**
 * Changes completed in each window (actual end, else closure), neither in
 * state cancelled nor with outcome cancelled. Columns `i`, `id`,
 * `change_type`, `failed` (1 when the outcome is failed or
 * successful_with_issues, or the change caused at least one non-cancelled
 * incident the caller may read: same provider, `caused_by_change` = the
 * change's external id) and `emergency` (0 or 1). One row per change and
 * window, so each change counts once however many incidents it caused.
 */
export function changePopulation(scope: MetricScope): Knex.QueryBuilder {
  const { db } = scope;
  // The caused incidents are read as `records as r`, so the caller's
  // permission filter applies to them unchanged; the change is `c`.
  const caused = readable(
    db(`${TABLE_RECORDS} as r`)
      .select(db.raw('1'))
      .where('r.kind', 'incident')
      .whereNot('r.state', 'cancelled')
      .whereRaw('r.provider_id = c.provider_id')
      .whereRaw('r.caused_by_change = c.external_id'),
    scope.filter,
  );
  return db('sr as c')
    .joinRaw(`join w on ${inWindowSql('c.change_end')}`)
    .select(
      'w.i as i',
      'c.id as id',
      'c.change_type as change_type',
      db.raw(
        `case when c.outcome in ('failed', 'successful_with_issues') then 1
          when exists ? then 1 else 0 end as failed`,
        [caused],
      ),
      db.raw(
        "case when c.change_type = 'emergency' then 1 else 0 end as emergency",
      ),
    )
    .where('c.kind', 'change')
    .where(outcome =>
      outcome.whereNull('c.outcome').orWhereNot('c.outcome', 'cancelled'),
    );
}

/** change_count (by change type), change_failure_rate and emergency_change_ratio of each window. */
export const changeFamily: MetricFamily = {
  relevance: (_scope, windows) => changeRelevance(windows),
  fragments: scope => [
    fragment(
      scope.db,
      'changes',
      scope.db
        .from(changePopulation(scope).as('p'))
        .groupBy('i', 'change_type'),
      { i: 'i', k: 'change_type', x: 'sum(failed)', y: 'sum(emergency)' },
    ),
  ],
  read: (rows, _scope, windows) => {
    const changeCount: ItsmMetricResult[] = [];
    const failureRate: ItsmMetricResult[] = [];
    const emergencyRatio: ItsmMetricResult[] = [];
    for (const group of rowsOf(rows, 'changes', windows.length)) {
      const counts: Record<string, ItsmMetricCount> = {};
      const failures: Record<string, ItsmMetricCount> = {};
      let n = 0;
      let failed = 0;
      let emergency = 0;
      for (const row of group) {
        const key = row.k ?? 'none';
        n += row.c;
        failed += row.x ?? 0;
        emergency += row.y ?? 0;
        counts[key] = { value: row.c, n: row.c };
        failures[key] = { value: share(row.x ?? 0, row.c), n: row.c };
      }
      changeCount.push({
        // 0 or null by coverage: the engine decides (normalise).
        value: n,
        n,
        byKey: sortKeys(counts),
      });
      failureRate.push({
        value: share(failed, n),
        n,
        byKey: sortKeys(failures),
      });
      emergencyRatio.push({ value: share(emergency, n), n });
    }
    return {
      results: {
        change_count: changeCount,
        change_failure_rate: failureRate,
        emergency_change_ratio: emergencyRatio,
      },
    };
  },
};
