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
  ANNOTATION_ITSM_OUTAGE_PRIORITY_THRESHOLD,
  ItsmMetricDefinition,
  ItsmMetricStatus,
  ItsmMetricUnit,
} from '@backstage-itsm/plugin-itsm-common';

/** Outage threshold when the entity sets none: P1 and P2 incidents are outages. */
export const DEFAULT_OUTAGE_PRIORITY_THRESHOLD = 2;

/** How far past its target a metric may be and still be `at_risk` rather than `breached`. */
export const AT_RISK_MARGIN = 0.1;

const DURATION_UNITS: Record<string, number> = {
  w: 7 * 86400,
  d: 86400,
  h: 3600,
  m: 60,
  s: 1,
};

/**
 * Parses a duration such as `4h`, `30m`, `2d`, `1h30m`, `90s` or `1.5h` into
 * seconds. A bare number is refused: `4` could be hours or minutes.
 */
export function parseDurationSeconds(text: string): number {
  const compact = text.trim().toLowerCase().replace(/\s+/g, '');
  if (!/^(\d+(\.\d+)?[wdhms])+$/.test(compact)) {
    throw new Error(
      `'${text}' is not a duration; use a number and a unit (w, d, h, m, s), e.g. 4h, 30m, 2d, 1h30m`,
    );
  }
  let seconds = 0;
  for (const [, amount, , unit] of compact.matchAll(
    /(\d+(\.\d+)?)([wdhms])/g,
  )) {
    seconds += Number(amount) * DURATION_UNITS[unit];
  }
  return seconds;
}

function parseNumber(text: string, what: string): number {
  const trimmed = text.trim().replace(/%$/, '').trim();
  if (!/^-?\d+(\.\d+)?$/.test(trimmed)) {
    throw new Error(`'${text}' is not ${what}`);
  }
  return Number(trimmed);
}

/**
 * Parses a target annotation into the metric's unit: a duration for
 * seconds, a percentage (0-100, `%` optional) for ratios, a score from -100
 * to 100, or a non-negative number for counts.
 */
export function parseTarget(unit: ItsmMetricUnit, text: string): number {
  switch (unit) {
    case 'seconds':
      return parseDurationSeconds(text);
    case 'ratio': {
      const percent = parseNumber(text, 'a percentage, e.g. 99.9');
      if (percent < 0 || percent > 100) {
        throw new Error(`'${text}' is not a percentage between 0 and 100`);
      }
      return percent / 100;
    }
    case 'score': {
      const score = parseNumber(text, 'a score, e.g. 30');
      if (score < -100 || score > 100) {
        throw new Error(`'${text}' is not a score between -100 and 100`);
      }
      return score;
    }
    case 'count': {
      const count = parseNumber(text, 'a number, e.g. 10');
      if (count < 0) {
        throw new Error(`'${text}' is not a non-negative number`);
      }
      return count;
    }
    default:
      throw new Error(`No targets for unit ${unit}`);
  }
}

/** The targets an entity's annotations set, and what could not be read. */
export function readTargets(
  annotations: Readonly<Record<string, string>>,
  definitions: ItsmMetricDefinition[],
): { targets: Map<string, number>; warnings: string[] } {
  const targets = new Map<string, number>();
  const warnings: string[] = [];
  for (const definition of definitions) {
    const annotation = definition.targetAnnotation;
    const text = annotation ? annotations[annotation] : undefined;
    if (!annotation || text === undefined) {
      continue;
    }
    try {
      targets.set(definition.id, parseTarget(definition.unit, String(text)));
    } catch (error) {
      warnings.push(
        `Ignored annotation ${annotation}: ${(error as Error).message}`,
      );
    }
  }
  return { targets, warnings };
}

/** The entity's outage threshold (priority 1..5), default 2. */
export function readOutageThreshold(
  annotations: Readonly<Record<string, string>>,
): { threshold: number; warning?: string } {
  const text = annotations[ANNOTATION_ITSM_OUTAGE_PRIORITY_THRESHOLD];
  if (text === undefined) {
    return { threshold: DEFAULT_OUTAGE_PRIORITY_THRESHOLD };
  }
  const trimmed = String(text).trim().replace(/^p/i, '');
  if (/^[1-5]$/.test(trimmed)) {
    return { threshold: Number(trimmed) };
  }
  return {
    threshold: DEFAULT_OUTAGE_PRIORITY_THRESHOLD,
    warning: `Ignored annotation ${ANNOTATION_ITSM_OUTAGE_PRIORITY_THRESHOLD}: '${text}' is not a priority from 1 to 5; using ${DEFAULT_OUTAGE_PRIORITY_THRESHOLD}`,
  };
}

/**
 * The best value a metric can reach when higher is better and bounded:
 * 1 for ratios (100%), 100 for scores (NPS). Unbounded otherwise (MTBF).
 */
function ceilingOf(unit: ItsmMetricUnit): number | undefined {
  if (unit === 'ratio') {
    return 1;
  }
  if (unit === 'score') {
    return 100;
  }
  return undefined;
}

/**
 * A value against its target. The miss is measured on the quantity that
 * should be small: the value itself when lower is better (durations, counts,
 * failure rates); the shortfall from the best possible value when higher is
 * better and bounded (1 - availability against 1 - target, i.e. downtime
 * against the error budget; likewise SLA attainment, CSAT, and 100 - NPS);
 * and the value itself, mirrored, for unbounded higher-is-better metrics
 * (MTBF). `met` when the miss is within the allowance, `at_risk` when it
 * exceeds the allowance by at most 10%, `breached` beyond.
 */
export function evaluateStatus(
  value: number | null,
  target: number | undefined,
  definition: Pick<ItsmMetricDefinition, 'direction' | 'unit'>,
): ItsmMetricStatus {
  if (target === undefined || definition.direction === null) {
    return 'no_target';
  }
  if (value === null) {
    return 'no_data';
  }
  const ceiling = ceilingOf(definition.unit);
  if (definition.direction === 'lower_is_better') {
    return compareMiss(value, target);
  }
  if (ceiling !== undefined) {
    return compareMiss(ceiling - value, ceiling - target);
  }
  // Unbounded, higher is better: at risk down to 90% of the target.
  const epsilon = tolerance(target);
  if (value >= target - epsilon) {
    return 'met';
  }
  return value >= target * (1 - AT_RISK_MARGIN) - epsilon
    ? 'at_risk'
    : 'breached';
}

/** A miss (lower is better) against its allowance. */
function compareMiss(miss: number, allowance: number): ItsmMetricStatus {
  const epsilon = tolerance(allowance);
  if (miss <= allowance + epsilon) {
    return 'met';
  }
  return miss <= allowance + Math.abs(allowance) * AT_RISK_MARGIN + epsilon
    ? 'at_risk'
    : 'breached';
}

/** Floating-point slack, so 99.9% parsed as 0.999 meets a computed 0.999. */
function tolerance(reference: number): number {
  return 1e-9 * Math.max(1, Math.abs(reference));
}
