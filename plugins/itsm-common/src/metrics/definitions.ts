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

import { ITSM_ANNOTATION_PREFIX } from '../annotations';
import {
  ITSM_BUILTIN_METRIC_IDS,
  type ItsmBuiltinMetricId,
  type ItsmMetricDefinition,
  type ItsmMetricDirection,
} from './types';

/**
 * Priority at or above which (numerically at or below) an incident is an
 * outage for availability and MTBF; default 2.
 * @public
 */
export const ANNOTATION_ITSM_OUTAGE_PRIORITY_THRESHOLD = `${ITSM_ANNOTATION_PREFIX}/outage-priority-threshold`;

/**
 * The annotation holding a metric's target: `backstage-itsm.io/<id with
 * dashes>-target`, e.g. `backstage-itsm.io/mttr-target: 4h`.
 * @public
 */
export function itsmMetricTargetAnnotation(metricId: string): string {
  return `${ITSM_ANNOTATION_PREFIX}/${metricId.replace(/_/g, '-')}-target`;
}

type BuiltinDefinitionText = Omit<
  ItsmMetricDefinition,
  'id' | 'targetAnnotation'
>;

const duration = (
  title: string,
  description: string,
  startEvent: string,
  endEvent: string,
): BuiltinDefinitionText => ({
  title,
  description,
  startEvent,
  endEvent,
  clock: 'calendar',
  statistic: 'mean (p50 and p90 beside it, linear-interpolated)',
  unit: 'seconds',
  direction: 'lower_is_better',
});

/** A share of the records in the window, 0..1. */
const share = (
  title: string,
  description: string,
  endEvent: string | null,
  direction: ItsmMetricDirection,
): BuiltinDefinitionText => ({
  title,
  description,
  startEvent: null,
  endEvent,
  clock: null,
  statistic: 'share',
  unit: 'ratio',
  direction,
});

/** What is open at the end of the window, and its median age. */
const backlog = (
  title: string,
  description: string,
): BuiltinDefinitionText => ({
  title,
  description,
  startEvent: 'opened_at',
  endEvent: 'end of the window',
  clock: 'calendar',
  statistic: 'count (median age beside it)',
  unit: 'count',
  direction: 'lower_is_better',
});

const BUILTIN_TEXTS: Record<ItsmBuiltinMetricId, BuiltinDefinitionText> = {
  incident_count: {
    title: 'Incidents',
    description:
      'Incidents opened in the window, cancelled ones excluded, split by priority.',
    startEvent: null,
    endEvent: null,
    clock: null,
    statistic: 'count',
    unit: 'count',
    direction: 'lower_is_better',
  },
  mtta: duration(
    'Mean time to acknowledge',
    'Incidents opened in the window that have been acknowledged, cancelled ones excluded: time from opening to acknowledgement.',
    'opened_at',
    'acknowledged_at',
  ),
  mttr: duration(
    'Mean time to resolve',
    'Incidents resolved in the window (resolution, else closure instant), cancelled ones excluded: time from opening to resolution.',
    'opened_at',
    'resolved_at, else closed_at',
  ),
  availability: {
    title: 'Availability',
    description:
      '1 - (length of the union of outage intervals within the window) / (length of the window). An outage is a non-cancelled incident of priority at or above the outage threshold (default P2), from impact start (else opening) to impact end (else resolution, closure, or now); overlapping outages count once. n is the number of outage incidents overlapping the window; 1.0 when none does.',
    startEvent: 'impact_start, else opened_at',
    endEvent: 'impact_end, else resolved_at, else closed_at, else now',
    clock: 'calendar',
    statistic: 'share of the window without outage',
    unit: 'ratio',
    direction: 'higher_is_better',
  },
  mtbf: {
    title: 'Mean time between failures',
    description:
      '(Length of the window - outage time) / number of outage incidents opened in the window.',
    startEvent: null,
    endEvent: null,
    clock: 'calendar',
    statistic: 'mean',
    unit: 'seconds',
    direction: 'higher_is_better',
  },
  change_count: {
    title: 'Changes',
    description:
      'Changes completed in the window (actual end, else closure instant), cancelled ones excluded, split by change type.',
    startEvent: null,
    endEvent: 'actual_end, else closed_at',
    clock: null,
    statistic: 'count',
    unit: 'count',
    direction: null,
  },
  change_failure_rate: share(
    'Change failure rate',
    'Of the changes completed in the window, the share that failed, succeeded with issues, or caused at least one incident that is not cancelled; each change counts once.',
    'actual_end, else closed_at',
    'lower_is_better',
  ),
  emergency_change_ratio: share(
    'Emergency changes',
    'Of the changes completed in the window, the share of emergency changes.',
    'actual_end, else closed_at',
    'lower_is_better',
  ),
  sla_attainment: {
    title: 'SLA attainment',
    description:
      "SLAs completed or breached with their end in the window: the share not breached, by the source's own breached flag (pauses and schedules applied there), per kind. Paused, running and cancelled SLAs are left out; running SLAs already past their breach time are reported as breaching now.",
    startEvent: null,
    endEvent: 'SLA end_at',
    clock: 'business',
    statistic: 'share',
    unit: 'ratio',
    direction: 'higher_is_better',
  },
  reopen_rate: share(
    'Reopen rate',
    'Of the incidents resolved in the window, the share reopened at least once.',
    'resolved_at, else closed_at',
    'lower_is_better',
  ),
  backlog: backlog(
    'Incident backlog',
    'Incidents open at the end of the window (opened before it, not resolved, closed or cancelled by then), split by priority; p50 is their median age.',
  ),
  problem_backlog: backlog(
    'Problem backlog',
    'Problems open at the end of the window (opened before it, not resolved, closed or cancelled by then); p50 is their median age.',
  ),
  csat: share(
    'Customer satisfaction',
    'Survey answers on the 1-5 scale given in the window: the share of 4 and 5.',
    null,
    'higher_is_better',
  ),
  nps: {
    title: 'Net promoter score',
    description:
      'Survey answers on the 0-10 scale given in the window: % of 9 and 10 minus % of 0 to 6, from -100 to 100.',
    startEvent: null,
    endEvent: null,
    clock: null,
    statistic: 'score',
    unit: 'score',
    direction: 'higher_is_better',
  },
  fulfilment_time: duration(
    'Mean fulfilment time',
    'Requests (service requests, HR cases, work orders) resolved in the window (resolution, else closure instant), cancelled ones excluded: time from opening to resolution.',
    'opened_at',
    'resolved_at, else closed_at',
  ),
};

/** Definitions of the built-in metrics, as the API serves them. @public */
export const ITSM_BUILTIN_METRIC_DEFINITIONS: Record<
  ItsmBuiltinMetricId,
  ItsmMetricDefinition
> = Object.fromEntries(
  ITSM_BUILTIN_METRIC_IDS.map(id => [
    id,
    {
      id,
      ...BUILTIN_TEXTS[id],
      targetAnnotation:
        BUILTIN_TEXTS[id].direction === null
          ? null
          : itsmMetricTargetAnnotation(id),
    },
  ]),
) as Record<ItsmBuiltinMetricId, ItsmMetricDefinition>;
