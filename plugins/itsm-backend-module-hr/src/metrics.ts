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
import {
  ItsmMetric,
  itsmMeanDurationResult,
} from '@backstage-itsm/plugin-itsm-node';

/** The id of the HR first response time metric. @public */
export const HR_FIRST_RESPONSE_TIME_METRIC_ID = 'hr_first_response_time';
/** The id of the onboarding completion time metric. @public */
export const HR_ONBOARDING_COMPLETION_TIME_METRIC_ID =
  'hr_onboarding_completion_time';

/** `backstage-itsm.io/hr-first-response-time-target`, e.g. `4h`. @public */
export const ANNOTATION_HR_FIRST_RESPONSE_TIME_TARGET =
  itsmMetricTargetAnnotation(HR_FIRST_RESPONSE_TIME_METRIC_ID);
/** `backstage-itsm.io/hr-onboarding-completion-time-target`, e.g. `3d`. @public */
export const ANNOTATION_HR_ONBOARDING_COMPLETION_TIME_TARGET =
  itsmMetricTargetAnnotation(HR_ONBOARDING_COMPLETION_TIME_METRIC_ID);

const STATISTIC = 'mean (p50 and p90 beside it, linear-interpolated)';

/**
 * HR first response time: HR cases opened in the window that have had a
 * first response, from opening to that response (`acknowledged_at`, mapped
 * from the source's first-response time).
 * @public
 */
export const hrFirstResponseTimeMetric: ItsmMetric = {
  id: HR_FIRST_RESPONSE_TIME_METRIC_ID,
  title: 'HR first response time',
  unit: 'seconds',
  description:
    'HR cases opened in the window that have had a first response, cancelled ones excluded: time from opening to the first response (acknowledged_at, mapped from the HR system). Cases still waiting for one are not counted.',
  startEvent: 'opened_at',
  endEvent: 'acknowledged_at (first response)',
  clock: 'calendar',
  statistic: STATISTIC,
  direction: 'lower_is_better',
  async compute(context) {
    const stats = await context
      .records({ kinds: ['request'], departments: ['hr'], within: 'openedAt' })
      .durations('openedAt', 'acknowledgedAt');
    return itsmMeanDurationResult(stats);
  },
};

/**
 * Onboarding completion time: HR cases of the onboarding category (as the
 * source's mapping named it, stored in the record's payload) resolved in the
 * window, from opening to resolution; computed in the database.
 * @public
 */
export const hrOnboardingCompletionTimeMetric: ItsmMetric = {
  id: HR_ONBOARDING_COMPLETION_TIME_METRIC_ID,
  title: 'Onboarding completion time',
  unit: 'seconds',
  description:
    'HR onboarding cases (category onboarding) resolved in the window, cancelled ones excluded: time from opening to resolution.',
  startEvent: 'opened_at',
  endEvent: 'resolved_at',
  clock: 'calendar',
  statistic: STATISTIC,
  direction: 'lower_is_better',
  async compute(context) {
    const stats = await context
      .records({
        kinds: ['request'],
        departments: ['hr'],
        categories: ['onboarding'],
        within: 'resolvedAt',
      })
      .durations('openedAt', 'resolvedAt');
    return itsmMeanDurationResult(stats);
  },
};
