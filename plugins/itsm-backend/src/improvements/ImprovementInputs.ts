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
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  ItsmImprovementMetric,
  ItsmImprovementMetricInput,
} from '@backstage-itsm/plugin-itsm-common';
import { DateTime } from 'luxon';
import type { ItsmStore, RecordFilter } from '../database/ItsmStore';
import type { MetricsEngine } from '../metrics/MetricsEngine';
import { invalidField } from '../service/validation';
import type { MetricProbe } from './MetricProbe';
import { isBetterThan } from './progress';

/**
 * The checks of an improvement's input against the catalog, the records and
 * the metrics, as the caller may see them. Each refusal names the field.
 */
export class ImprovementInputs {
  constructor(
    private readonly options: {
      records: ItsmStore;
      metrics: MetricsEngine;
      catalog: CatalogService;
      /** The caller's ownership claims, for the owners they may name. */
      userInfo: UserInfoService;
    },
  ) {}

  /** The entities an item is about, each in the catalog. */
  async entities(
    refs: string[],
    credentials: BackstageCredentials,
  ): Promise<Entity[]> {
    const { items } = await this.options.catalog.getEntitiesByRefs(
      {
        entityRefs: refs,
        fields: ['kind', 'metadata', 'spec.owner'],
      },
      { credentials },
    );
    return refs.map((ref, i) => {
      const entity = items[i];
      if (!entity) {
        throw invalidField(
          `entityRefs[${i}]`,
          `no entity '${ref}' in the catalog`,
        );
      }
      return entity;
    });
  }

  /**
   * The owner of an item: a group or user in the catalog the caller may
   * name, any when `admin`, else themself or a group they belong to.
   */
  async owner(
    ownerRef: string,
    credentials: BackstageCredentials,
    admin: boolean,
  ): Promise<string> {
    const { kind } = parseEntityRef(ownerRef);
    if (kind !== 'group' && kind !== 'user') {
      throw invalidField('ownerRef', `must be a group or a user, got ${kind}`);
    }
    const entity = await this.options.catalog.getEntityByRef(ownerRef, {
      credentials,
    });
    if (!entity) {
      throw invalidField('ownerRef', `no ${kind} '${ownerRef}' in the catalog`);
    }
    if (!admin) {
      const claims = await this.#claims(credentials);
      if (!claims.includes(ownerRef)) {
        throw new NotAllowedError(
          `ownerRef: you may name yourself or a group you belong to (${
            claims.join(', ') || 'none'
          }), not '${ownerRef}'; administrators may name any owner`,
        );
      }
    }
    return ownerRef;
  }

  /** The ids among `ids` that the caller may read. */
  async readable(
    ids: string[],
    recordFilter: RecordFilter | undefined,
  ): Promise<Set<string>> {
    if (ids.length === 0) {
      return new Set();
    }
    const records = await this.options.records.getRecords(ids, recordFilter);
    return new Set(records.map(r => r.id));
  }

  /** Refuses the first id that is not a record the caller may read. */
  async checkRecords(
    ids: string[],
    recordFilter: RecordFilter | undefined,
  ): Promise<void> {
    const found = await this.readable(ids, recordFilter);
    const missing = ids.findIndex(id => !found.has(id));
    if (missing >= 0) {
      throw invalidField(
        `recordIds[${missing}]`,
        `no record '${ids[missing]}' that you may read`,
      );
    }
  }

  /** A metric binding: a known metric with a direction, on an entity in the catalog. */
  async binding(
    input: ItsmImprovementMetricInput,
    primary: Entity,
    probe: MetricProbe,
  ): Promise<ItsmImprovementMetric> {
    const { metrics } = this.options;
    const definition = metrics.definition(input.metricId);
    if (!definition) {
      throw invalidField(
        'metric.metricId',
        `unknown metric '${input.metricId}'; known: ${metrics.metricIds.join(
          ', ',
        )}`,
      );
    }
    if (!definition.direction) {
      throw invalidField(
        'metric.metricId',
        `${definition.title} has no better direction to improve towards`,
      );
    }
    const entityRef = input.entityRef ?? stringifyEntityRef(primary);
    try {
      await probe.scope(entityRef);
    } catch (error) {
      if ((error as Error).name === 'NotFoundError') {
        throw invalidField(
          'metric.entityRef',
          `no entity '${entityRef}' in the catalog`,
        );
      }
      throw error;
    }
    if (definition.unit === 'ratio' && (input.target < 0 || input.target > 1)) {
      throw invalidField(
        'metric.target',
        `${definition.title} is a ratio from 0 to 1, got ${input.target}`,
      );
    }
    if (definition.unit !== 'score' && input.target < 0) {
      throw invalidField(
        'metric.target',
        `${definition.title} cannot be negative, got ${input.target}`,
      );
    }
    return {
      metricId: input.metricId,
      entityRef,
      target: input.target,
      direction: definition.direction,
      windowDays: input.windowDays,
      sustainWeeks: input.sustainWeeks,
      baseline: null,
      baselineN: null,
      baselineCapturedAt: null,
    };
  }

  /** The caller's ownership claims (themself and their groups); none for a service. */
  async #claims(credentials: BackstageCredentials): Promise<string[]> {
    const principal = credentials.principal as { type?: string };
    if (principal.type !== 'user') {
      return [];
    }
    const info = await this.options.userInfo.getUserInfo(credentials);
    return info.ownershipEntityRefs;
  }
}

/** Refuses a target that is not an improvement on `reference`. */
export function checkTarget(
  metric: ItsmImprovementMetric,
  reference: number | null,
  what: string,
): void {
  if (reference === null) {
    return;
  }
  if (!isBetterThan(metric.target, reference, metric.direction)) {
    const side = metric.direction === 'lower_is_better' ? 'below' : 'above';
    throw invalidField(
      'metric.target',
      `the target ${metric.target} must be ${side} ${what} ${reference} for ${
        metric.metricId
      } (${metric.direction.replace(/_/g, ' ')})`,
    );
  }
}

/** Refuses a due date before today (UTC). */
export function checkDueDate(dueDate: string | null, now: number): void {
  const today = DateTime.fromMillis(now, { zone: 'utc' }).toISODate()!;
  if (dueDate !== null && dueDate < today) {
    throw invalidField(
      'dueDate',
      `must be today (${today}) or later, got ${dueDate}`,
    );
  }
}
