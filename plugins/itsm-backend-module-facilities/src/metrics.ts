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

import { itsmMetricTargetAnnotation } from '@backstage-itsm/plugin-itsm-common';
import type { ItsmMetric } from '@backstage-itsm/plugin-itsm-node';

/** The id of the on-time completion metric. @public */
export const FACILITIES_ON_TIME_COMPLETION_METRIC_ID =
  'facilities_on_time_completion';

/** `backstage-itsm.io/facilities-on-time-completion-target`, a percentage, e.g. `90`. @public */
export const ANNOTATION_FACILITIES_ON_TIME_COMPLETION_TARGET =
  itsmMetricTargetAnnotation(FACILITIES_ON_TIME_COMPLETION_METRIC_ID);

/**
 * On-time completion: of the work orders resolved in the window that had a
 * promised time, the share resolved at or before it. The promised time is
 * the record's `plannedEnd`: the source's due time (`dueAt`), else the due
 * time of its resolution SLA, as the mapping sets it.
 * @public
 */
export const facilitiesOnTimeCompletionMetric: ItsmMetric = {
  id: FACILITIES_ON_TIME_COMPLETION_METRIC_ID,
  title: 'On-time completion',
  unit: 'ratio',
  description:
    'Facilities work orders resolved in the window that had a promised time (the due time from the CAFM tool, else the due time of their resolution SLA), cancelled ones excluded: the share resolved at or before it. n counts those work orders.',
  endEvent: 'resolved_at, compared with the promised time (planned_end)',
  clock: 'calendar',
  statistic: 'share',
  direction: 'higher_is_better',
  async compute(context) {
    // A negative duration from resolution to promise is a late work order.
    const stats = await context
      .records({
        kinds: ['request'],
        departments: ['facilities'],
        within: 'resolvedAt',
      })
      .durations('resolvedAt', 'plannedEnd');
    const n = stats.n + stats.negative;
    return { value: n === 0 ? null : stats.n / n, n };
  },
};
