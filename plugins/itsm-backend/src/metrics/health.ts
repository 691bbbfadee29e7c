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

import type {
  ItsmHealth,
  ItsmMetricUnit,
  ItsmMetricValue,
} from '@backstage-itsm/plugin-itsm-common';
import type { ScopeCoverage } from './coverage';

/**
 * An entity's health from the metrics of a response:
 * - `unhealthy` when any metric breaches its target;
 * - `degraded` when any is at risk, when incidents at or above the outage
 *   threshold are open (backlog), or when SLAs are running past their breach
 *   time;
 * - `healthy` otherwise.
 * The reasons say which, worst first. A zero is a value like any other (no
 * incident against a count target is met); an unknown metric (null, with
 * or without a reason) is judged by nobody. When no source covers the
 * entity there is nothing to judge, and the only reason says so and what
 * to add, and the verdict is `unknown`: calling an entity nobody measures
 * healthy would be a number nobody counted.
 */
export function judgeHealth(
  metrics: Record<string, ItsmMetricValue>,
  outagePriorityThreshold: number,
  coverage?: Pick<ScopeCoverage, 'covered' | 'annotations'>,
): ItsmHealth {
  if (coverage && !coverage.covered) {
    return { verdict: 'unknown', reasons: [noSourceReason(coverage)] };
  }
  const breached: string[] = [];
  const degraded: string[] = [];
  for (const metric of Object.values(metrics)) {
    const { definition } = metric;
    if (metric.status === 'breached' || metric.status === 'at_risk') {
      const text = `${definition.title} ${formatValue(
        metric.value,
        metric.unit,
      )} ${
        metric.status === 'breached' ? 'breaches' : 'is close to missing'
      } its target ${formatValue(metric.target ?? null, metric.unit)}`;
      (metric.status === 'breached' ? breached : degraded).push(text);
    }
  }
  const backlog = metrics.backlog;
  if (backlog?.byKey) {
    const severe = Object.entries(backlog.byKey)
      .filter(
        ([priority]) =>
          priority !== 'none' && Number(priority) <= outagePriorityThreshold,
      )
      .reduce((sum, [, count]) => sum + count.n, 0);
    if (severe > 0) {
      const levels = Array.from(
        { length: outagePriorityThreshold },
        (_, i) => `P${i + 1}`,
      ).join('/');
      degraded.push(
        `${severe} ${levels} incident${severe === 1 ? ' is' : 's are'} open`,
      );
    }
  }
  const late = metrics.sla_attainment?.breachingNow?.n ?? 0;
  if (late > 0) {
    degraded.push(
      `${late} SLA${late === 1 ? ' is' : 's are'} running past the breach time`,
    );
  }
  if (breached.length > 0) {
    return { verdict: 'unhealthy', reasons: [...breached, ...degraded] };
  }
  if (degraded.length > 0) {
    return { verdict: 'degraded', reasons: degraded };
  }
  const hasTargets = Object.values(metrics).some(
    m => m.status !== undefined && m.status !== 'no_target',
  );
  return {
    verdict: 'healthy',
    reasons: hasTargets
      ? []
      : ['No targets are set: add backstage-itsm.io/*-target annotations'],
  };
}

/** What an entity no source covers needs. */
export function noSourceReason(
  coverage: Pick<ScopeCoverage, 'annotations'>,
): string {
  const { annotations } = coverage;
  if (annotations.length === 0) {
    return 'No source connected: no configured source maps records to this entity';
  }
  return `No source connected: add ${
    annotations.length === 1 ? 'the annotation' : 'one of the annotations'
  } ${annotations.join(', ')} to this entity to map its records`;
}

/** A value for people: `4h 12m`, `99.95%`, `32`, `7`. */
export function formatValue(
  value: number | null,
  unit: ItsmMetricUnit,
): string {
  if (value === null) {
    return 'n/a';
  }
  switch (unit) {
    case 'seconds':
      return formatDuration(value);
    case 'ratio':
      return `${trim(value * 100, 3)}%`;
    default:
      return trim(value, 2);
  }
}

function formatDuration(seconds: number): string {
  if (seconds < 60) {
    return `${trim(seconds, 1)}s`;
  }
  const parts: string[] = [];
  let rest = Math.round(seconds / 60);
  const days = Math.floor(rest / 1440);
  rest -= days * 1440;
  const hours = Math.floor(rest / 60);
  const minutes = rest - hours * 60;
  if (days > 0) {
    parts.push(`${days}d`);
  }
  if (hours > 0) {
    parts.push(`${hours}h`);
  }
  if (minutes > 0 || parts.length === 0) {
    parts.push(`${minutes}m`);
  }
  return parts.join(' ');
}

function trim(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}
