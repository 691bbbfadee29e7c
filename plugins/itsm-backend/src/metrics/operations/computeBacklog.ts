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
import { durationFragments, readDurations } from '../kernels';
import { FIRST_END, fragment, int, rowsOf } from '../sql';
import type { MetricFamily, MetricScope, MetricWindow } from '../types';
import { sortKeys } from './computeIncidentCount';

type BacklogKind = 'incident' | 'problem';

/** `sr` rows of records of `kind` open at the end of some window. */
export function backlogRelevance(
  windows: MetricWindow[],
  kind: BacklogKind,
): string[] {
  const earliestEnd = Math.min(...windows.map(w => w.to));
  const latestEnd = Math.max(...windows.map(w => w.to));
  return [
    `r.kind = '${kind}' and r.opened_at < ${int(latestEnd)}
      and (${FIRST_END} is null or ${FIRST_END} >= ${int(earliestEnd)})`,
  ];
}

/**
 * Non-cancelled records of `kind` open at the end `t` of each window: opened
 * before it and neither resolved nor closed by then. Columns `i`, `id`,
 * `priority`, `v` (age at `t`, ms) and `bad` (1 for a record in a resolved
 * or closed state with neither instant: it cannot be placed, so it is left
 * out and reported as data quality).
 */
export function backlogPopulation(
  scope: MetricScope,
  kind: BacklogKind,
): Knex.QueryBuilder {
  const { db } = scope;
  return db('sr as r')
    .joinRaw(
      'join w on r.opened_at < w.t and (r.first_end is null or r.first_end >= w.t)',
    )
    .select(
      'w.i as i',
      'r.id as id',
      'r.priority as priority',
      db.raw('w.t - r.opened_at as v'),
      db.raw(
        "case when r.first_end is null and r.state in ('resolved', 'closed') then 1 else 0 end as bad",
      ),
    )
    .where('r.kind', kind);
}

/**
 * backlog (incidents) and problem_backlog: the count open at the end of the
 * window, by priority, with their median age (p50, seconds).
 */
function backlogFamily(
  id: 'backlog' | 'problem_backlog',
  kind: BacklogKind,
): MetricFamily {
  const ages = `${id}:age`;
  return {
    relevance: (_scope, windows) => backlogRelevance(windows, kind),
    fragments: scope => {
      const { db } = scope;
      return [
        fragment(
          db,
          id,
          db
            .from(backlogPopulation(scope, kind).as('p'))
            .groupBy('i', 'priority'),
          { i: 'i', k: 'priority', c: 'sum(1 - bad)', x: 'sum(bad)' },
        ),
        ...durationFragments(
          db,
          ages,
          db
            .from(backlogPopulation(scope, kind).as('x'))
            .select('i', 'v')
            .where('bad', 0),
        ),
      ];
    },
    read: (rows, _scope, windows) => {
      const medians = readDurations(rows, ages, windows.length);
      return {
        results: {
          [id]: rowsOf(rows, id, windows.length).map((group, i) => {
            const byKey: Record<string, ItsmMetricCount> = {};
            let n = 0;
            let missing = 0;
            for (const row of group) {
              missing += row.x ?? 0;
              if (row.c > 0) {
                n += row.c;
                byKey[row.k === null ? 'none' : String(Number(row.k))] = {
                  value: row.c,
                  n: row.c,
                };
              }
            }
            const p50 = medians[i].p50;
            return {
              // 0 or null by coverage: the engine decides (normalise).
              value: n,
              n,
              p50: p50 === null ? null : p50 / 1000,
              byKey: sortKeys(byKey),
              dataQuality: {
                negativeDurations: 0,
                missingEndInstants: missing,
              },
            };
          }),
        },
      };
    },
  };
}

export const backlogFamilyOfIncidents = backlogFamily('backlog', 'incident');
export const problemBacklogFamily = backlogFamily('problem_backlog', 'problem');
