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

import type { ItsmMetricExplanation } from '@backstage-itsm/plugin-itsm-common';
import type { ItsmMetric } from '@backstage-itsm/plugin-itsm-node';
import type { Knex } from 'knex';
import {
  explainBuiltinMetric,
  isBuiltinMetricId,
  runExplainQuery,
} from './builtinMetrics';
import { createMetricContext } from './customMetrics';
import type {
  ExplainPopulation,
  MetricScope,
  MetricWindow,
  NamedQuery,
} from './types';

/** Most ids each list of an explanation holds. */
export const EXPLAIN_CAP = 1000;

/**
 * The records (and feedback answers) behind one metric's value for one
 * window: counted, highlighted and excluded ids, each list capped.
 */
export async function explainMetric(options: {
  db: Knex;
  metricId: string;
  scope: MetricScope;
  window: MetricWindow;
  entityRef: string;
  annotations: Record<string, string>;
  /** The custom metric of that id; undefined for a built-in one. */
  custom?: ItsmMetric;
}): Promise<ItsmMetricExplanation> {
  const { db, metricId, scope, window } = options;
  let populations: ExplainPopulation[];
  let relevance: string[] = [];
  let ctes: NamedQuery[] = [];
  if (isBuiltinMetricId(metricId)) {
    const explanation = explainBuiltinMetric(metricId, scope, window);
    relevance = explanation.relevance;
    ctes = explanation.ctes ?? [];
    populations = [explanation];
  } else {
    populations = [];
    await options.custom!.compute(
      createMetricContext({
        scope,
        window,
        entityRef: options.entityRef,
        annotations: options.annotations,
        explain: populations,
      }),
    );
  }
  if (populations.length === 0) {
    return { metricId, recordIds: [], truncated: false };
  }
  const [first, ...rest] = populations.map(p => p.query);
  const union =
    rest.length > 0
      ? first.clone().unionAll(rest.map(q => q.clone()))
      : first.clone();
  const list = async (query: Knex.QueryBuilder, column: string) =>
    (
      await runExplainQuery(
        scope,
        window,
        relevance,
        query.orderBy(column).limit(EXPLAIN_CAP + 1),
        ctes,
      )
    ).map(row => String(row[column]));
  const ids = (where: string) =>
    list(
      db.from(union.clone().as('u')).select('id').whereRaw(where).groupBy('id'),
      'id',
    );
  const highlight = populations.find(p => p.highlight)?.highlight;
  const feedback = populations.find(p => p.feedback)?.feedback;
  const [recordIds, highlighted, excluded, answers] = await Promise.all([
    ids('bad = 0 and id is not null'),
    highlight ? ids('hl = 1 and bad = 0 and id is not null') : [],
    ids('bad = 1 and id is not null'),
    feedback
      ? list(db.from(feedback.as('f')).distinct('fid'), 'fid')
      : undefined,
  ]);
  const lists = [recordIds, highlighted, excluded, answers ?? []];
  const cap = (found: string[]) => found.slice(0, EXPLAIN_CAP);
  return {
    metricId,
    recordIds: cap(recordIds),
    ...(highlight
      ? { highlight: { description: highlight, recordIds: cap(highlighted) } }
      : {}),
    ...(excluded.length > 0 ? { excludedRecordIds: cap(excluded) } : {}),
    ...(answers ? { feedbackIds: cap(answers) } : {}),
    truncated: lists.some(found => found.length > EXPLAIN_CAP),
  };
}
