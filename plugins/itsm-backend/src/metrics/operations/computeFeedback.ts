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
import {
  TABLE_FEEDBACK,
  TABLE_RECORDS,
  TABLE_SYNC_STATE,
} from '../../database/tables';
import {
  bounds,
  fragment,
  inWindowSql,
  int,
  readable,
  rowsOf,
  scopeRecordIds,
  share,
} from '../sql';
import { whereAnyOf } from '../../database/operations/util/whereAnyOf';
import type { MetricFamily, MetricScope, MetricWindow } from '../types';

/**
 * Survey answers given in each window about the scope: those naming one of
 * its entities (`feedback.entity_ref`) and those about one of its records
 * (`record_external_id` in the same provider); each answer once.
 *
 * The caller's permission filter applies to an answer through the record it
 * is about; an answer without a record is judged as a record of its
 * provider's department with no kind and no owner, so under a conditional
 * filter only a department rule can admit it.
 *
 * Columns `i`, `fid` (the answer), `id` (its record or null), `scale`, `score`.
 */
export function feedbackPopulation(
  scope: MetricScope,
  windows: MetricWindow[],
): Knex.QueryBuilder {
  const { db } = scope;
  const { from, to } = bounds(windows);
  const responded = `f.responded_at >= ${int(from)} and f.responded_at < ${int(
    to,
  )}`;
  const byEntity = whereAnyOf(
    db(`${TABLE_FEEDBACK} as f`).select('f.id').whereRaw(responded),
    db,
    'f.entity_ref',
    scope.entityRefs,
  );
  const byRecord = db(`${TABLE_FEEDBACK} as f`)
    .join(`${TABLE_RECORDS} as fr`, join =>
      join
        .on('fr.provider_id', 'f.provider_id')
        .andOn('fr.external_id', 'f.record_external_id'),
    )
    .select('f.id')
    .whereRaw(responded)
    .whereIn('fr.id', scopeRecordIds(scope));
  const answers = db(`${TABLE_FEEDBACK} as f`)
    .join(byEntity.union(byRecord).as('ids'), 'ids.id', 'f.id')
    .leftJoin(`${TABLE_RECORDS} as rec`, join =>
      join
        .on('rec.provider_id', 'f.provider_id')
        .andOn('rec.external_id', 'f.record_external_id'),
    )
    .leftJoin(`${TABLE_SYNC_STATE} as ss`, 'ss.provider_id', 'f.provider_id')
    .select(
      'f.id as fid',
      'f.scale as scale',
      'f.score as score',
      'f.responded_at as responded_at',
      'rec.id as id',
      'rec.kind as kind',
      db.raw('coalesce(rec.department, ss.department) as department'),
    );
  const query = db
    .from(answers.as('r'))
    .joinRaw(`join w on ${inWindowSql('r.responded_at')}`)
    .select(
      'w.i as i',
      'r.fid as fid',
      'r.id as id',
      'r.scale as scale',
      'r.score as score',
    );
  return readable(query, scope.filter);
}

/**
 * csat (answers on csat5: share of 4 and 5, by score) and nps (answers on
 * nps10: % of 9-10 minus % of 0-6, with promoters, passives and detractors).
 */
export const feedbackFamily: MetricFamily = {
  relevance: () => [],
  fragments: (scope, windows) => [
    fragment(
      scope.db,
      'feedback',
      scope.db
        .from(feedbackPopulation(scope, windows).as('p'))
        .groupBy('i', 'scale', 'score'),
      { i: 'i', k: 'scale', x: 'score' },
    ),
  ],
  read: (rows, _scope, windows) => {
    const csat: ItsmMetricResult[] = [];
    const nps: ItsmMetricResult[] = [];
    for (const group of rowsOf(rows, 'feedback', windows.length)) {
      const scores: Record<string, ItsmMetricCount> = {};
      let csatN = 0;
      let satisfied = 0;
      const groups = { promoters: 0, passives: 0, detractors: 0 };
      let npsN = 0;
      for (const row of group) {
        const score = row.x ?? 0;
        const count = row.c;
        if (row.k === 'csat5') {
          csatN += count;
          satisfied += score >= 4 ? count : 0;
          scores[String(score)] = { value: count, n: count };
        } else if (row.k === 'nps10') {
          npsN += count;
          if (score >= 9) {
            groups.promoters += count;
          } else if (score >= 7) {
            groups.passives += count;
          } else {
            groups.detractors += count;
          }
        }
      }
      csat.push({
        value: share(satisfied, csatN),
        n: csatN,
        byKey: Object.fromEntries(
          Object.entries(scores).sort(([a], [b]) => Number(a) - Number(b)),
        ),
      });
      nps.push({
        value:
          npsN === 0
            ? null
            : ((groups.promoters - groups.detractors) * 100) / npsN,
        n: npsN,
        byKey: Object.fromEntries(
          Object.entries(groups).map(([key, count]) => [
            key,
            { value: count, n: count },
          ]),
        ),
      });
    }
    return { results: { csat, nps } };
  },
};
