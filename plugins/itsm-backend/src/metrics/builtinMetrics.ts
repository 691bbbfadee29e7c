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

import {
  ITSM_BUILTIN_METRIC_IDS,
  ItsmBuiltinMetricId,
} from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import {
  availabilityFamily,
  OVERLAPS,
  outagePopulation,
  outageRelevance,
} from './operations/computeAvailability';
import {
  backlogFamilyOfIncidents,
  backlogPopulation,
  backlogRelevance,
  problemBacklogFamily,
} from './operations/computeBacklog';
import {
  changeFamily,
  changePopulation,
  changeRelevance,
} from './operations/computeChangeMetrics';
import {
  feedbackFamily,
  feedbackPopulation,
} from './operations/computeFeedback';
import {
  incidentCountFamily,
  incidentCountPopulation,
  openedRelevance,
} from './operations/computeIncidentCount';
import { mttaFamily, mttaPopulation } from './operations/computeMtta';
import { reopenRateFamily } from './operations/computeReopenRate';
import {
  fulfilmentTimeFamily,
  mttrFamily,
  resolutionPopulation,
  resolvedRelevance,
} from './operations/computeResolutionTime';
import {
  slaAttainmentFamily,
  slaCtes,
  slaPopulation,
} from './operations/computeSlaAttainment';
import { int, runFragments, runWithScope } from './sql';
import type {
  ExplainPopulation,
  FamilyOutput,
  MetricFamily,
  MetricScope,
  MetricWindow,
  NamedQuery,
} from './types';

/** The family (operation) computing each built-in metric. */
const BUILTIN_IDS = new Set<string>(ITSM_BUILTIN_METRIC_IDS);

/** Whether a metric id names a built-in metric (else a custom one). */
export function isBuiltinMetricId(id: string): id is ItsmBuiltinMetricId {
  return BUILTIN_IDS.has(id);
}

const FAMILY_OF: Record<ItsmBuiltinMetricId, MetricFamily> = {
  incident_count: incidentCountFamily,
  mtta: mttaFamily,
  mttr: mttrFamily,
  availability: availabilityFamily,
  mtbf: availabilityFamily,
  change_count: changeFamily,
  change_failure_rate: changeFamily,
  emergency_change_ratio: changeFamily,
  sla_attainment: slaAttainmentFamily,
  reopen_rate: reopenRateFamily,
  backlog: backlogFamilyOfIncidents,
  problem_backlog: problemBacklogFamily,
  csat: feedbackFamily,
  nps: feedbackFamily,
  fulfilment_time: fulfilmentTimeFamily,
};

/**
 * Computes the given built-in metrics for every window in one statement:
 * the scope's relevant records are read once (`sr`), and every operation
 * adds its aggregates over them (and over SLAs and answers) as branches of
 * one UNION ALL.
 */
export async function computeBuiltinMetrics(
  scope: MetricScope,
  windows: MetricWindow[],
  ids: ItsmBuiltinMetricId[],
): Promise<FamilyOutput> {
  const families = [...new Set(ids.map(id => FAMILY_OF[id]))];
  const relevance = families.flatMap(f => f.relevance(scope, windows));
  const rows = await runFragments(
    scope,
    windows,
    relevance,
    families.flatMap(f => f.fragments(scope, windows)),
    families.flatMap(f => f.ctes?.(scope, windows) ?? []),
  );
  const merged: FamilyOutput = { results: {} };
  for (const family of families) {
    const output = family.read(rows, scope, windows);
    Object.assign(merged.results, output.results);
    if (output.breachingNow) {
      merged.breachingNow = output.breachingNow;
    }
  }
  return merged;
}

/** The families computing `ids`, each with the ids it computes. */
export function builtinFamilies(
  ids: ItsmBuiltinMetricId[],
): Map<MetricFamily, ItsmBuiltinMetricId[]> {
  const families = new Map<MetricFamily, ItsmBuiltinMetricId[]>();
  for (const id of ids) {
    const family = FAMILY_OF[id];
    families.set(family, [...(families.get(family) ?? []), id]);
  }
  return families;
}

/**
 * Buckets of a series per statement when the work is sliced (SQLite): each
 * statement joins every record of its range with every window it holds, so
 * a slice of adjacent buckets is both short and, summed up, far cheaper
 * than all buckets at once.
 */
export const BUCKETS_PER_SLICE = 12;

/**
 * The same results as `computeBuiltinMetrics`, computed as many short
 * statements instead of one, with `yieldLoop` called between them: one per
 * family and slice of windows (the first two windows, the request's window
 * and the previous one, alone; then BUCKETS_PER_SLICE buckets at a time). Meant for a scope held in temporary tables
 * (`withScopeTables`), which each statement reads instead of resolving the
 * scope again.
 */
export async function computeBuiltinMetricsSliced(
  scope: MetricScope,
  windows: MetricWindow[],
  ids: ItsmBuiltinMetricId[],
  yieldLoop: () => Promise<void>,
): Promise<FamilyOutput> {
  // The request's window and the previous one are the longest: alone.
  const slices = windows.slice(0, 2).map(window => [window]);
  for (let i = 2; i < windows.length; i += BUCKETS_PER_SLICE) {
    slices.push(windows.slice(i, i + BUCKETS_PER_SLICE));
  }
  const merged: FamilyOutput = { results: {} };
  for (const [index, slice] of slices.entries()) {
    for (const familyIds of builtinFamilies(ids).values()) {
      const output = await computeBuiltinMetrics(scope, slice, familyIds);
      for (const id of familyIds) {
        merged.results[id] = [
          ...(merged.results[id] ?? []),
          ...output.results[id]!,
        ];
      }
      // Running SLAs past their breach time do not depend on the windows.
      if (index === 0 && output.breachingNow) {
        merged.breachingNow = output.breachingNow;
      }
      await yieldLoop();
    }
  }
  return merged;
}

/** Selects `id`, `hl`, `bad` from a population. */
function explainRows(
  db: Knex,
  population: Knex.QueryBuilder,
  hl: string,
  bad: string,
  where?: string,
): Knex.QueryBuilder {
  const query = db
    .from(population.as('x'))
    .select('id', db.raw(`${hl} as hl`), db.raw(`${bad} as bad`));
  return where ? query.whereRaw(where) : query;
}

/** The records behind a built-in metric over one window, and the `sr` they need. */
export function explainBuiltinMetric(
  id: ItsmBuiltinMetricId,
  scope: MetricScope,
  window: MetricWindow,
): ExplainPopulation & { relevance: string[]; ctes?: NamedQuery[] } {
  const { db } = scope;
  const windows = [window];
  const threshold = scope.outagePriorityThreshold;
  const severe = `case when priority is not null and priority <= ${int(
    threshold,
  )} then 1 else 0 end`;
  const negative = 'case when v < 0 then 1 else 0 end';
  switch (id) {
    case 'incident_count':
      return {
        relevance: openedRelevance(windows),
        query: explainRows(db, incidentCountPopulation(scope), severe, '0'),
        highlight: `incidents of priority ${threshold} or higher`,
      };
    case 'mtta':
      return {
        relevance: openedRelevance(windows),
        query: explainRows(db, mttaPopulation(scope), '0', negative),
      };
    case 'mttr':
    case 'fulfilment_time': {
      const kind = id === 'mttr' ? 'incident' : 'request';
      return {
        relevance: resolvedRelevance(windows, kind),
        query: explainRows(
          db,
          resolutionPopulation(scope, kind),
          '0',
          negative,
        ),
      };
    }
    case 'reopen_rate':
      return {
        relevance: resolvedRelevance(windows, 'incident'),
        query: explainRows(
          db,
          resolutionPopulation(scope, 'incident'),
          'reopened',
          '0',
        ),
        highlight: 'incidents reopened at least once',
      };
    case 'availability':
    case 'mtbf':
      // Both read the outages; availability counts those that overlap the
      // window, mtbf those that started in it.
      return {
        relevance: outageRelevance(scope, windows),
        query: explainRows(
          db,
          outagePopulation(scope),
          '0',
          'bad',
          id === 'availability' ? `bad = 1 or (${OVERLAPS})` : 'opened = 1',
        ),
      };
    case 'change_count':
    case 'emergency_change_ratio':
      return {
        relevance: changeRelevance(windows),
        query: explainRows(db, changePopulation(scope), 'emergency', '0'),
        highlight: 'emergency changes',
      };
    case 'change_failure_rate':
      return {
        relevance: changeRelevance(windows),
        query: explainRows(db, changePopulation(scope), 'failed', '0'),
        highlight:
          'failed changes: outcome failed or successful with issues, or caused an incident',
      };
    case 'sla_attainment':
      return {
        relevance: [],
        ctes: slaCtes(scope, windows),
        query: explainRows(db, slaPopulation(scope), '1 - met', '0'),
        highlight: 'records with a breached SLA',
      };
    case 'backlog':
    case 'problem_backlog': {
      const kind = id === 'backlog' ? 'incident' : 'problem';
      return {
        relevance: backlogRelevance(windows, kind),
        query: explainRows(db, backlogPopulation(scope, kind), severe, 'bad'),
        highlight: `records of priority ${threshold} or higher`,
      };
    }
    case 'csat':
    case 'nps': {
      const scale = id === 'csat' ? 'csat5' : 'nps10';
      const population = () =>
        db
          .from(feedbackPopulation(scope, windows).as('y'))
          .where('scale', scale);
      return {
        relevance: [],
        query: explainRows(
          db,
          population(),
          `case when score <= ${id === 'csat' ? 3 : 6} then 1 else 0 end`,
          '0',
          'id is not null',
        ),
        highlight:
          id === 'csat'
            ? 'records with a dissatisfied answer (1 to 3)'
            : 'records with a detractor answer (0 to 6)',
        feedback: db.from(population().as('z')).select('fid'),
      };
    }
    default:
      throw new Error(`No explanation for metric '${id}'`);
  }
}

/** Runs an explanation query below the CTEs it needs. */
export function runExplainQuery(
  scope: MetricScope,
  window: MetricWindow,
  relevance: string[],
  query: Knex.QueryBuilder,
  ctes: NamedQuery[] = [],
): Promise<Array<Record<string, unknown>>> {
  return runWithScope(scope, [window], relevance, query.toSQL(), ctes);
}
