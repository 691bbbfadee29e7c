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

import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ItsmMetricBucket,
  ItsmMetricExplanation,
  itsmMetricsQuerySchema,
} from '@backstage-itsm/plugin-itsm-common';
import type { Router } from 'express';
import {
  bindItsmRoute,
  ItsmOperationAt,
  ItsmQueryParams,
  ItsmRawQuery,
  parseItsmQuery,
} from '../service/itsmRoute';
import type { ItsmStore, RecordFilter } from '../database/ItsmStore';
import type { ItsmAuthorizer } from '../service/ItsmAuthorizer';
import { bucketWindows, MAX_BUCKETS } from './buckets';
import type { MetricsEngine } from './MetricsEngine';
import { resolveEntityScope } from './resolveEntityScope';

const DAY_MS = 24 * 3600_000;

/** The window when the query gives none: the last 30 days. */
export const DEFAULT_WINDOW_MS = 30 * DAY_MS;

/**
 * The longest window of a series (`bucket`): three calendar years, leap day
 * included, as for service reviews. Each bucket is one more window the
 * statement aggregates over, so the window and MAX_BUCKETS bound the work.
 */
export const MAX_SERIES_WINDOW_DAYS = 1096;

/**
 * The longest window without a series: also three years. The previous
 * window of equal length is computed too, so a request reads up to six
 * years of records; a longer look back is a series with larger buckets.
 */
export const MAX_METRICS_WINDOW_DAYS = 1096;

export interface MetricsRouteOptions {
  engine: MetricsEngine;
  catalog: CatalogService;
  /** Explained record ids are checked against `itsm.record.read` here. */
  store: Pick<ItsmStore, 'getRecords'>;
  authorizer: Pick<
    ItsmAuthorizer,
    'credentials' | 'metricsFilter' | 'recordReadFilter'
  >;
  /** Default Date.now. */
  clock?: () => number;
}

function invalid(field: string, message: string): InputError {
  return new InputError(`Invalid query: ${field}: ${message}`);
}

/** The window and metric ids of a query; throws InputError naming the field. */
export function readMetricsQuery(
  req: {
    query: ItsmRawQuery<ItsmQueryParams<ItsmOperationAt<'/metrics', 'get'>>>;
  },
  metricIds: string[],
  now: number,
): {
  entityRef: string;
  from: number;
  to: number;
  bucket?: ItsmMetricBucket;
  metricIds: string[];
  explain?: string;
} {
  const q = parseItsmQuery(itsmMetricsQuerySchema, req);
  const to = q.to ?? now;
  const from = q.from ?? to - DEFAULT_WINDOW_MS;
  if (from >= to) {
    throw invalid('from', 'from must be before to');
  }
  const maxDays = q.bucket ? MAX_SERIES_WINDOW_DAYS : MAX_METRICS_WINDOW_DAYS;
  if (to - from > maxDays * DAY_MS) {
    throw invalid(
      'from',
      `a ${
        q.bucket ? 'series' : 'metrics'
      } window is at most three years (${maxDays} days); from is ${Math.ceil(
        (to - from) / DAY_MS,
      )} days before to`,
    );
  }
  const known = new Set(metricIds);
  const ids = q.metrics ? [...new Set(q.metrics)] : metricIds;
  const unknown = ids.filter(id => !known.has(id));
  if (unknown.length > 0) {
    throw invalid(
      'metrics',
      `unknown metric ${unknown
        .map(id => `'${id}'`)
        .join(', ')}; known: ${metricIds.join(', ')}`,
    );
  }
  if (q.metrics && ids.length === 0) {
    throw invalid('metrics', 'name at least one metric');
  }
  if (q.bucket && !bucketWindows({ from, to }, q.bucket)) {
    throw invalid(
      'bucket',
      `a ${q.bucket} series of this window has more than ${MAX_BUCKETS} buckets; pick a larger bucket or a shorter window`,
    );
  }
  if (q.explain !== undefined && !known.has(q.explain)) {
    throw invalid(
      'explain',
      `unknown metric '${q.explain}'; known: ${metricIds.join(', ')}`,
    );
  }
  return {
    entityRef: q.entityRef,
    from,
    to,
    bucket: q.bucket,
    metricIds: ids,
    explain: q.explain,
  };
}

/**
 * `GET /metrics?entityRef=&from=&to=&bucket=&metrics=&explain=`: outcome
 * metrics of an entity (rolled up for systems, domains and groups), over
 * records the caller may read, with the sources that cover it and how
 * complete their data is.
 */
export function bindMetricsRoutes(
  router: Router,
  options: MetricsRouteOptions,
): void {
  const { engine, catalog, store, authorizer } = options;
  const clock = options.clock ?? (() => Date.now());

  bindItsmRoute(router, 'get', '/metrics', async (req, res) => {
    const now = clock();
    const query = readMetricsQuery(req, engine.metricIds, now);
    const credentials = await authorizer.credentials(req);
    // Numbers count what `itsm.metrics.read` allows; the records behind them
    // are listed only as far as `itsm.record.read` allows.
    const filter = await authorizer.metricsFilter(credentials);
    const scope = await resolveEntityScope(
      catalog,
      query.entityRef,
      credentials,
    );
    const response = await engine.getMetrics({
      entity: scope.entity,
      entityRef: scope.entityRef,
      entityRefs: scope.entityRefs,
      entities: scope.entities,
      window: { from: query.from, to: query.to },
      bucket: query.bucket,
      metricIds: query.metricIds,
      explain: query.explain,
      filter,
      now,
      sources: true,
    });
    if (response.explain) {
      response.explain = await sealExplanation(
        response.explain,
        store,
        await authorizer.recordReadFilter(credentials),
      );
    }
    res.json(response);
  });
}

/** Leaves out of an explanation the records the caller may not read, and counts them. */
export async function sealExplanation(
  explain: ItsmMetricExplanation,
  store: Pick<ItsmStore, 'getRecords'>,
  filter: RecordFilter | undefined,
): Promise<ItsmMetricExplanation> {
  if (!filter) {
    return { ...explain, hiddenRecordCount: 0 };
  }
  const all = [
    ...explain.recordIds,
    ...(explain.highlight?.recordIds ?? []),
    ...(explain.excludedRecordIds ?? []),
  ];
  const readable = new Set(
    (await store.getRecords(all, filter)).map(record => record.id),
  );
  const keep = (ids: string[]) => ids.filter(id => readable.has(id));
  return {
    ...explain,
    recordIds: keep(explain.recordIds),
    ...(explain.highlight
      ? {
          highlight: {
            ...explain.highlight,
            recordIds: keep(explain.highlight.recordIds),
          },
        }
      : {}),
    ...(explain.excludedRecordIds
      ? { excludedRecordIds: keep(explain.excludedRecordIds) }
      : {}),
    hiddenRecordCount: new Set(all.filter(id => !readable.has(id))).size,
  };
}
