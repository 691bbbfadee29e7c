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
import { bounds, fragment, inWindowSql, int, rowsOf } from '../sql';
import type { MetricFamily, MetricScope, MetricWindow } from '../types';

/** `sr` rows of incidents opened within the windows' bounds. */
export function openedRelevance(windows: MetricWindow[]): string[] {
  const { from, to } = bounds(windows);
  return [
    `r.kind = 'incident' and r.opened_at >= ${int(
      from,
    )} and r.opened_at < ${int(to)}`,
  ];
}

/** Non-cancelled incidents opened in each window: columns `i`, `id`, `priority`. */
export function incidentCountPopulation(scope: MetricScope): Knex.QueryBuilder {
  return scope
    .db('sr as r')
    .joinRaw(`join w on ${inWindowSql('r.opened_at')}`)
    .select('w.i as i', 'r.id as id', 'r.priority as priority')
    .where('r.kind', 'incident');
}

/** incident_count: incidents opened in the window, split by priority (`1`..`5`, `none`). */
export const incidentCountFamily: MetricFamily = {
  relevance: (_scope, windows) => openedRelevance(windows),
  fragments: scope => [
    fragment(
      scope.db,
      'incident_count',
      scope.db
        .from(incidentCountPopulation(scope).as('p'))
        .groupBy('i', 'priority'),
      { i: 'i', k: 'priority' },
    ),
  ],
  read: (rows, _scope, windows) => ({
    results: {
      incident_count: rowsOf(rows, 'incident_count', windows.length).map(
        group => {
          const byKey: Record<string, ItsmMetricCount> = {};
          let n = 0;
          for (const row of group) {
            n += row.c;
            byKey[row.k === null ? 'none' : String(Number(row.k))] = {
              value: row.c,
              n: row.c,
            };
          }
          // 0 or null by coverage: the engine decides (normalise).
          return { value: n, n, byKey: sortKeys(byKey) };
        },
      ),
    },
  }),
};

/** Priorities in order, `none` last. */
export function sortKeys<T>(byKey: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(byKey).sort(([a], [b]) => {
      if (a === b) {
        return 0;
      }
      if (a === 'none') {
        return 1;
      }
      if (b === 'none') {
        return -1;
      }
      return a < b ? -1 : 1;
    }),
  );
}
