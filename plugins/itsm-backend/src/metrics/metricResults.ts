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
import { ANNOTATION_ITSM_OUTAGE_PRIORITY_THRESHOLD } from '@backstage-itsm/plugin-itsm-common';
import { COUNT_METRIC_IDS } from './coverage';

/** What the covering sources state about a metric. */
export interface Statements {
  unknownReason?: string;
  notes: string[];
  /** Every covering source declares the metric unmeasurable. */
  unmeasurable?: boolean;
}

/** Which priorities count as outages, and where that comes from. */
export function outageNote(
  threshold: number,
  annotations: Record<string, string>,
): string {
  const levels = Array.from({ length: threshold }, (_, i) => `P${i + 1}`);
  const which =
    levels.length === 1
      ? `${levels[0]} incidents`
      : `${levels.slice(0, -1).join(', ')} and ${
          levels[levels.length - 1]
        } incidents`;
  const from =
    annotations[ANNOTATION_ITSM_OUTAGE_PRIORITY_THRESHOLD] !== undefined
      ? `the entity's ${ANNOTATION_ITSM_OUTAGE_PRIORITY_THRESHOLD} annotation`
      : `the default; set ${ANNOTATION_ITSM_OUTAGE_PRIORITY_THRESHOLD} to change it`;
  return `Outages are ${which} (${from}).`;
}

/**
 * n = 0 means no value (a mean of nothing), with two exceptions where a
 * source covers the scope: a count is 0, and availability is 1.0 with no
 * outage. Non-finite numbers are no value. A metric every covering source
 * declares unmeasurable has no value whatever was counted: its records
 * cannot say.
 */
export function normalise(
  id: string,
  result: ItsmMetricResult,
  covered: boolean,
  said: Statements,
): ItsmMetricResult {
  const finite = (v: number | null | undefined) => {
    if (v === undefined) {
      return undefined;
    }
    return v !== null && Number.isFinite(v) ? v : null;
  };
  if (said.unmeasurable) {
    const { byKey: _byKey, ...rest } = result;
    return {
      ...rest,
      value: null,
      ...(result.mean !== undefined ? { mean: null } : {}),
      ...(result.p50 !== undefined ? { p50: null } : {}),
      ...(result.p90 !== undefined ? { p90: null } : {}),
    };
  }
  const zeroIsAValue =
    covered && (COUNT_METRIC_IDS.has(id) || id === 'availability');
  return {
    ...result,
    value:
      result.n === 0 && !zeroIsAValue ? null : finite(result.value) ?? null,
    ...(result.mean !== undefined ? { mean: finite(result.mean) } : {}),
    ...(result.p50 !== undefined ? { p50: finite(result.p50) } : {}),
    ...(result.p90 !== undefined ? { p90: finite(result.p90) } : {}),
  };
}
