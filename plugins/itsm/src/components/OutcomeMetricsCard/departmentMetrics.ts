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
  ITSM_NO_SOURCE_CONNECTED,
  ItsmMetricValue,
} from '@backstage-itsm/plugin-itsm-common';
import { departmentTerms } from '../common';

/** The built-in metrics that an HR or facilities desk is judged by too. */
const SHARED_METRICS: ReadonlySet<string> = new Set([
  'sla_attainment',
  'csat',
  'nps',
  'fulfilment_time',
]);

/**
 * Metrics about incidents, changes, problems and outages: the numbers an IT
 * service is judged by, meaningless for an HR or facilities desk. The
 * backlog counts open incidents, not cases or work orders.
 */
export const IT_ONLY_METRICS: ReadonlySet<string> = new Set(
  ITSM_BUILTIN_METRIC_IDS.filter(id => !SHARED_METRICS.has(id)),
);

/**
 * Whether a metric has something to say: a value (a 0 count of a covered
 * entity is news, not a gap), observations, a reason of its own it is
 * unknown (a source that cannot measure it; "no source connected" is said
 * once for the entity, not per metric), or a target it is judged against.
 */
export function hasData(metric: ItsmMetricValue): boolean {
  return (
    metric.value !== null ||
    metric.n > 0 ||
    (metric.unknownReason !== undefined &&
      metric.unknownReason !== ITSM_NO_SOURCE_CONNECTED) ||
    Boolean(metric.status && metric.status !== 'no_target')
  );
}

export interface DepartmentMetricSelection {
  /** The metrics to show: the department's headline metrics first, in their order, then the rest as served. */
  shown: Array<[string, ItsmMetricValue]>;
  /** The metrics left out because they have no data. */
  withoutData: number;
  /** The IT metrics left out for a non-IT department. */
  notApplicable: number;
}

/**
 * Chooses and orders the metrics of a response for a department. Headline
 * metrics come first. An IT service hides metrics without data; an HR or
 * facilities desk always shows its headline metrics (fulfilment time says
 * "no data" rather than disappearing) and never the IT-only ones (MTTA, MTTR,
 * availability, change failure rate, ...).
 */
export function selectDepartmentMetrics(
  metrics: Record<string, ItsmMetricValue>,
  department = 'it',
): DepartmentMetricSelection {
  const terms = departmentTerms(department);
  const isIt = !department || department === 'it';
  const entries = Object.entries(metrics);
  const rank = (id: string) => {
    const i = terms.headlineMetrics.indexOf(id);
    return i === -1 ? terms.headlineMetrics.length : i;
  };
  let withoutData = 0;
  let notApplicable = 0;
  const shown = entries.filter(([id, metric]) => {
    const headline = terms.headlineMetrics.includes(id);
    if (!isIt && !headline && IT_ONLY_METRICS.has(id)) {
      notApplicable++;
      return false;
    }
    if (hasData(metric) || (!isIt && headline)) return true;
    withoutData++;
    return false;
  });
  // A stable sort: the rest keep the order the API serves them in.
  shown.sort(([a], [b]) => rank(a) - rank(b));
  return { shown, withoutData, notApplicable };
}

/** The headline metric ids of a department present in a response, in order. */
export function headlineMetricIds(
  metrics: Record<string, ItsmMetricValue>,
  department = 'it',
): string[] {
  return departmentTerms(department).headlineMetrics.filter(id => metrics[id]);
}
