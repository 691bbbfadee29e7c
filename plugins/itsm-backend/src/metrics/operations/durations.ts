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
import type { DurationStats } from '../kernels';

const MS_PER_SECOND = 1000;

/** Duration statistics (ms) as metric values in seconds: value is the mean. */
export function toDurationResults(stats: DurationStats[]): ItsmMetricResult[] {
  return stats.map(s => {
    const mean = s.n === 0 ? null : s.sum / s.n / MS_PER_SECOND;
    return {
      value: mean,
      n: s.n,
      mean,
      p50: s.p50 === null ? null : s.p50 / MS_PER_SECOND,
      p90: s.p90 === null ? null : s.p90 / MS_PER_SECOND,
      dataQuality: { negativeDurations: s.negative },
    };
  });
}
