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
import { inWindowSql } from '../sql';
import type { MetricFamily, MetricScope } from '../types';
import { openedRelevance } from './computeIncidentCount';
import { toDurationResults } from './durations';

/**
 * Non-cancelled incidents opened in each window that have been acknowledged:
 * columns `i`, `id`, `v` (acknowledged_at - opened_at, ms; may be negative).
 */
export function mttaPopulation(scope: MetricScope): Knex.QueryBuilder {
  const { db } = scope;
  return db('sr as r')
    .joinRaw(`join w on ${inWindowSql('r.opened_at')}`)
    .select(
      'w.i as i',
      'r.id as id',
      db.raw('r.acknowledged_at - r.opened_at as v'),
    )
    .where('r.kind', 'incident')
    .whereNotNull('r.acknowledged_at');
}

/** mtta: mean, p50, p90 of time to acknowledge, in seconds. */
export const mttaFamily: MetricFamily = {
  relevance: (_scope, windows) => openedRelevance(windows),
  fragments: scope =>
    durationFragments(scope.db, 'mtta', mttaPopulation(scope)),
  read: (rows, _scope, windows) => ({
    results: {
      mtta: toDurationResults(readDurations(rows, 'mtta', windows.length)),
    },
  }),
};
