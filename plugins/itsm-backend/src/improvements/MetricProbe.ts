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

import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  ItsmMetricSeriesPoint,
  ItsmMetricValue,
} from '@backstage-itsm/plugin-itsm-common';
import { DateTime } from 'luxon';
import type { RecordFilter } from '../database/ItsmStore';
import type { MetricsEngine } from '../metrics/MetricsEngine';
import { EntityScope, resolveEntityScope } from '../metrics/resolveEntityScope';

const DAY_MS = 24 * 3600_000;

/**
 * Thrown instead of measuring once a probe has made its budget of metric
 * measurements: the caller reports the item as not measured.
 */
export class MeasurementBudgetExceededError extends Error {
  name = 'MeasurementBudgetExceededError';
}

/**
 * Reads metric values for improvements through the metrics engine, as one
 * caller sees them, remembering entity scopes and values for the length of
 * one request (a list of improvements often shares entities and metrics).
 */
export class MetricProbe {
  readonly #scopes = new Map<string, Promise<EntityScope>>();
  readonly #values = new Map<string, Promise<unknown>>();

  constructor(
    private readonly options: {
      metrics: MetricsEngine;
      catalog: CatalogService;
      credentials: BackstageCredentials;
      /** The caller's `itsm.metrics.read` filter. */
      filter: RecordFilter | undefined;
      now: number;
      /**
       * Most distinct measurements (a metric of an entity over one window)
       * this probe makes; further ones throw
       * MeasurementBudgetExceededError. Default unlimited.
       */
      budget?: number;
    },
  ) {}

  /** The same caller and instant, counting records under another `itsm.metrics.read` filter. */
  withFilter(filter: RecordFilter | undefined): MetricProbe {
    return new MetricProbe({ ...this.options, filter });
  }

  /** How many measurements this probe has made. */
  get measurements(): number {
    return this.#values.size;
  }

  get now(): number {
    return this.options.now;
  }

  /** The metric over the `windowDays` before now. */
  current(
    metricId: string,
    entityRef: string,
    windowDays: number,
  ): Promise<ItsmMetricValue & { from: number; to: number }> {
    const to = this.options.now;
    const from = to - windowDays * DAY_MS;
    return this.#memo(`c|${metricId}|${entityRef}|${windowDays}`, async () => {
      const response = await this.#get(metricId, entityRef, { from, to });
      return { ...response.metrics[metricId], from, to };
    });
  }

  /** The metric in each of the `weeks` full UTC weeks before this one, oldest first. */
  weeks(
    metricId: string,
    entityRef: string,
    weeks: number,
  ): Promise<ItsmMetricSeriesPoint[]> {
    const to = DateTime.fromMillis(this.options.now, { zone: 'utc' })
      .startOf('week')
      .toMillis();
    const from = to - weeks * 7 * DAY_MS;
    return this.#memo(`w|${metricId}|${entityRef}|${weeks}`, async () => {
      const response = await this.#get(
        metricId,
        entityRef,
        { from, to },
        'week',
      );
      return response.series?.[metricId] ?? [];
    });
  }

  /** The catalog entity, or NotFoundError. */
  scope(entityRef: string): Promise<EntityScope> {
    let scope = this.#scopes.get(entityRef);
    if (!scope) {
      scope = resolveEntityScope(
        this.options.catalog,
        entityRef,
        this.options.credentials,
      );
      this.#scopes.set(entityRef, scope);
    }
    return scope;
  }

  async #get(
    metricId: string,
    entityRef: string,
    window: { from: number; to: number },
    bucket?: 'week',
  ) {
    const scope = await this.scope(entityRef);
    return this.options.metrics.getMetrics({
      entity: scope.entity,
      entityRef: scope.entityRef,
      entityRefs: scope.entityRefs,
      entities: scope.entities,
      window,
      bucket,
      metricIds: [metricId],
      filter: this.options.filter,
      now: this.options.now,
    });
  }

  #memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let value = this.#values.get(key) as Promise<T> | undefined;
    if (!value) {
      if (this.#values.size >= (this.options.budget ?? Infinity)) {
        return Promise.reject(
          new MeasurementBudgetExceededError(
            `This request has made its ${this.options.budget} metric measurements`,
          ),
        );
      }
      value = compute();
      this.#values.set(key, value);
    }
    return value;
  }
}
