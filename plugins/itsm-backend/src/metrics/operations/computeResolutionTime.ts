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
import { durationFragments, readDurations } from '../kernels';
import { bounds, inWindowSql, int, RESOLVED_END } from '../sql';
import type { MetricFamily, MetricScope, MetricWindow } from '../types';
import { toDurationResults } from './durations';

/** `sr` rows of records of `kind` resolved within the windows' bounds. */
export function resolvedRelevance(
  windows: MetricWindow[],
  kind: 'incident' | 'request',
): string[] {
  const { from, to } = bounds(windows);
  return [
    `r.kind = '${kind}' and ${RESOLVED_END} >= ${int(
      from,
    )} and ${RESOLVED_END} < ${int(to)}`,
  ];
}

/**
 * Non-cancelled records of `kind` resolved in each window (resolution, else
 * closure instant): columns `i`, `id`, `v` (end - opened_at, ms; may be
 * negative), `reopened` (0 or 1).
 */
export function resolutionPopulation(
  scope: MetricScope,
  kind: 'incident' | 'request',
): Knex.QueryBuilder {
  const { db } = scope;
  return db('sr as r')
    .joinRaw(`join w on ${inWindowSql('r.resolved_end')}`)
    .select(
      'w.i as i',
      'r.id as id',
      db.raw('r.resolved_end - r.opened_at as v'),
      db.raw('case when r.reopen_count > 0 then 1 else 0 end as reopened'),
    )
    .where('r.kind', kind);
}

/**
 * mttr (kind incident) and fulfilment_time (kind request): mean, p50, p90
 * of opening to resolution, in seconds.
 */
function resolutionFamily(
  id: 'mttr' | 'fulfilment_time',
  kind: 'incident' | 'request',
): MetricFamily {
  return {
    relevance: (_scope, windows) => resolvedRelevance(windows, kind),
    fragments: scope =>
      durationFragments(scope.db, id, resolutionPopulation(scope, kind)),
    read: (rows, _scope, windows) => ({
      results: {
        [id]: toDurationResults(readDurations(rows, id, windows.length)),
      },
    }),
  };
}

export const mttrFamily = resolutionFamily('mttr', 'incident');
export const fulfilmentTimeFamily = resolutionFamily(
  'fulfilment_time',
  'request',
);
