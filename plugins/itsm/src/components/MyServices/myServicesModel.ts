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
  type Entity,
  DEFAULT_NAMESPACE,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { ItsmMetricsResponse } from '@backstage-itsm/plugin-itsm-common';

/** The kinds of owned entities the card lists: what runs and what it runs on. */
export const MY_SERVICES_KINDS = ['component', 'system', 'resource'];

/** At most this many owned entities are judged; the rest are counted and linked. */
export const MY_SERVICES_LIMIT = 50;

/** At most this many `GET /metrics` requests run at once. */
export const MY_SERVICES_CONCURRENCY = 4;

/** A row's verdict: the backend's, or unknown when nothing could be judged. */
export type MyServiceVerdict = 'unhealthy' | 'degraded' | 'unknown' | 'healthy';

/**
 * Worst first: a breached target, then a target at risk or an outage open,
 * then what cannot be judged (no source, no permission, an error), then
 * healthy.
 */
export const VERDICT_RANK: Record<MyServiceVerdict, number> = {
  unhealthy: 0,
  degraded: 1,
  unknown: 2,
  healthy: 3,
};

/** One owned entity with its health. */
export interface MyServiceRow {
  entityRef: string;
  kind: string;
  /** metadata.title, else metadata.name. */
  title: string;
  verdict: MyServiceVerdict;
  /** The verdict's first reason (or what it means when it has none). */
  reason: string;
  /** How many more reasons the verdict has. */
  moreReasons: number;
  /** Why the verdict could not be read (403, 404, other), when it could not. */
  failure?: 'forbidden' | 'not_found' | 'error';
}

/** What the card shows once everything is loaded. */
export interface MyServicesResult {
  ownershipEntityRefs: string[];
  rows: MyServiceRow[];
  /** Owned entities of the listed kinds, counting those beyond the limit. */
  totalItems: number;
}

const KNOWN_VERDICTS = new Set<string>(['healthy', 'degraded', 'unhealthy']);

/** What the title of a row is: the entity's title, else its name. */
export function entityTitle(entity: Entity): string {
  return entity.metadata.title || entity.metadata.name;
}

function baseRow(entity: Entity) {
  return {
    entityRef: stringifyEntityRef({
      kind: entity.kind,
      namespace: entity.metadata.namespace ?? DEFAULT_NAMESPACE,
      name: entity.metadata.name,
    }),
    kind: entity.kind,
    title: entityTitle(entity),
  };
}

/**
 * The row of an entity from its `GET /metrics` answer. A verdict over no
 * data is not a verdict: when no source covers the entity it is unknown,
 * with the annotations to add.
 */
export function rowFromMetrics(
  entity: Entity,
  response: Pick<ItsmMetricsResponse, 'health' | 'coverage'>,
): MyServiceRow {
  const base = baseRow(entity);
  if (response.coverage && !response.coverage.covered) {
    const annotations = response.coverage.annotations;
    return {
      ...base,
      verdict: 'unknown',
      reason:
        annotations.length > 0
          ? `No ITSM source covers it: add the ${annotations.join(
              ' or ',
            )} annotation to its catalog-info.yaml`
          : 'No ITSM source covers it: connect a ServiceNow or PagerDuty source and annotate the entity',
      moreReasons: 0,
    };
  }
  const health = response.health;
  const verdict: MyServiceVerdict =
    health && KNOWN_VERDICTS.has(health.verdict)
      ? (health.verdict as MyServiceVerdict)
      : 'unknown';
  const reasons = health?.reasons ?? [];
  let reason = reasons[0];
  if (reason === undefined) {
    reason =
      verdict === 'unknown'
        ? 'The ITSM backend gave no verdict'
        : 'Every metric with a target meets it';
  }
  return {
    ...base,
    verdict,
    reason,
    moreReasons: Math.max(0, reasons.length - 1),
  };
}

function statusOf(error: unknown): number | undefined {
  const e = error as {
    statusCode?: number;
    response?: { status?: number };
  } | null;
  return e?.statusCode ?? e?.response?.status;
}

/** The row of an entity whose metrics could not be read: unknown, with why. */
export function rowFromError(entity: Entity, error: unknown): MyServiceRow {
  const base = baseRow(entity);
  const status = statusOf(error);
  if (status === 403) {
    return {
      ...base,
      verdict: 'unknown',
      reason:
        'You may not read its ITSM metrics (itsm.metrics.read): ask a Backstage admin',
      moreReasons: 0,
      failure: 'forbidden',
    };
  }
  if (status === 404) {
    return {
      ...base,
      verdict: 'unknown',
      reason:
        'The ITSM backend does not find it in the catalog yet: wait for the next catalog refresh',
      moreReasons: 0,
      failure: 'not_found',
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    ...base,
    verdict: 'unknown',
    reason: `Its metrics could not be loaded: ${message}`,
    moreReasons: 0,
    failure: 'error',
  };
}

/** Worst verdict first, then by title, then by ref so the order is stable. */
export function compareRows(a: MyServiceRow, b: MyServiceRow): number {
  return (
    VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict] ||
    a.title.localeCompare(b.title, 'en', { sensitivity: 'base' }) ||
    a.entityRef.localeCompare(b.entityRef)
  );
}

/** A sorted copy, worst first. */
export function sortWorstFirst(rows: MyServiceRow[]): MyServiceRow[] {
  return [...rows].sort(compareRows);
}

/** How many rows have each verdict; every verdict is present, zero as 0. */
export function countVerdicts(
  rows: MyServiceRow[],
): Record<MyServiceVerdict, number> {
  const counts: Record<MyServiceVerdict, number> = {
    unhealthy: 0,
    degraded: 0,
    unknown: 0,
    healthy: 0,
  };
  for (const row of rows) {
    counts[row.verdict] += 1;
  }
  return counts;
}

/**
 * `fn` over `items` with at most `limit` calls in flight, results in the
 * order of `items`. Stops starting new calls once `isCancelled` says so.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
  isCancelled: () => boolean = () => false,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !isCancelled()) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker),
  );
  return results;
}
