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

import type { ItsmImprovementProgress } from '@backstage-itsm/plugin-itsm-common';
import type { StoredImprovement } from './ImprovementStore';
import { MeasurementBudgetExceededError, MetricProbe } from './MetricProbe';
import { computeProgress } from './progress';

/**
 * An item's progress, measured now from live metrics: the current value over
 * its window and its last weeks. An entity that left the catalog has nothing
 * left to measure; an item past the request's measurement budget is
 * `not_measured`.
 */
export async function measureProgress(
  item: StoredImprovement,
  probe: MetricProbe,
): Promise<ItsmImprovementProgress> {
  const { metric } = item;
  if (!metric) {
    return computeProgress({ ...item, metric: null, now: probe.now });
  }
  try {
    const [current, weeks] = await Promise.all([
      probe.current(metric.metricId, metric.entityRef, metric.windowDays),
      probe.weeks(metric.metricId, metric.entityRef, metric.sustainWeeks),
    ]);
    return computeProgress({
      ...item,
      current,
      weeks,
      now: probe.now,
    });
  } catch (error) {
    if ((error as Error).name === 'NotFoundError') {
      // The entity left the catalog: nothing to measure any more.
      return computeProgress({ ...item, now: probe.now });
    }
    if (error instanceof MeasurementBudgetExceededError) {
      return {
        ...computeProgress({ ...item, now: probe.now }),
        status: 'not_measured',
      };
    }
    throw error;
  }
}
