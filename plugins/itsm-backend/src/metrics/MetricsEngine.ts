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

import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ITSM_BUILTIN_METRIC_DEFINITIONS,
  ITSM_BUILTIN_METRIC_IDS,
  ItsmBuiltinMetricId,
  ItsmMetricBucket,
  ItsmMetricDefinition,
  ItsmMetricExplanation,
  ItsmMetricSeriesPoint,
  ItsmMetricsResponse,
  ItsmMetricValue,
} from '@backstage-itsm/plugin-itsm-common';
import type { ItsmMetric } from '@backstage-itsm/plugin-itsm-node';
import type { Knex } from 'knex';
import type { RecordFilter } from '../database/ItsmStore';
import { listCoveringSources } from '../database/operations/listCoveringSources';
import { bucketWindows, MAX_BUCKETS } from './buckets';
import {
  builtinFamilies,
  computeBuiltinMetrics,
  computeBuiltinMetricsSliced,
  explainBuiltinMetric,
  runExplainQuery,
} from './builtinMetrics';
import {
  checkCustomMetrics,
  createMetricContext,
  customDefinition,
} from './customMetrics';
import { judgeHealth } from './health';
import { isPostgres, NamedQuery, withScopeTables } from './sql';
import { evaluateStatus, readOutageThreshold, readTargets } from './targets';
import type {
  ExplainPopulation,
  FamilyOutput,
  MetricResult,
  MetricScope,
  MetricWindow,
} from './types';

/** Most ids each list of an explanation holds. */
export const EXPLAIN_CAP = 1000;

/** What to compute. */
export interface MetricsRequest {
  /** The entity asked about (its annotations hold targets and the outage threshold). */
  entity: Entity;
  entityRef: string;
  /** The entity and the entities rolled up into it. */
  entityRefs: string[];
  window: MetricWindow;
  bucket?: ItsmMetricBucket;
  /** Default: every metric. */
  metricIds?: string[];
  /** A metric whose records to list. */
  explain?: string;
  /** The caller's permission filter. */
  filter?: RecordFilter;
  /** Default Date.now(). */
  now?: number;
  /**
   * Also list the sources that cover the entity set (one more query, so
   * the HTTP answers ask for it and internal reads such as improvement
   * progress do not).
   */
  sources?: boolean;
}

const BUILTIN_IDS = new Set<string>(ITSM_BUILTIN_METRIC_IDS);

function isBuiltin(id: string): id is ItsmBuiltinMetricId {
  return BUILTIN_IDS.has(id);
}

/**
 * Computes outcome metrics (DESIGN.md section 7) in SQL, for a window, the
 * previous window of equal length and the buckets of a series at once, and
 * adds definitions, targets, status and a health verdict.
 *
 * On PostgreSQL the built-in metrics are one statement. On SQLite, where
 * better-sqlite3 runs every statement on the event loop, one such statement
 * over a large rollup or a long series would hold up the whole backend for
 * seconds; there the scope is copied into temporary tables and the metrics
 * run as many short statements (per family and slice of buckets), giving
 * the event loop a turn between them.
 */
export class MetricsEngine {
  readonly #db: Knex;
  readonly #logger?: LoggerService;
  readonly #custom: Map<string, ItsmMetric>;
  readonly #definitions: Map<string, ItsmMetricDefinition>;

  constructor(options: {
    db: Knex;
    metrics?: ItsmMetric[];
    logger?: LoggerService;
  }) {
    const custom = options.metrics ?? [];
    checkCustomMetrics(custom);
    this.#db = options.db;
    this.#logger = options.logger;
    this.#custom = new Map(custom.map(m => [m.id, m]));
    this.#definitions = new Map<string, ItsmMetricDefinition>([
      ...ITSM_BUILTIN_METRIC_IDS.map(
        id => [id, ITSM_BUILTIN_METRIC_DEFINITIONS[id]] as const,
      ),
      ...custom.map(m => [m.id, customDefinition(m)] as const),
    ]);
  }

  /** Every metric id, built-in ones first. */
  get metricIds(): string[] {
    return [...this.#definitions.keys()];
  }

  definition(id: string): ItsmMetricDefinition | undefined {
    return this.#definitions.get(id);
  }

  async getMetrics(request: MetricsRequest): Promise<ItsmMetricsResponse> {
    const ids = request.metricIds ?? this.metricIds;
    for (const id of [...ids, ...(request.explain ? [request.explain] : [])]) {
      if (!this.#definitions.has(id)) {
        throw new InputError(`Unknown metric '${id}'`);
      }
    }
    const { window } = request;
    const length = window.to - window.from;
    const previous = { from: window.from - length, to: window.from };
    const buckets = request.bucket ? bucketWindows(window, request.bucket) : [];
    if (!buckets) {
      throw new InputError(
        `Invalid query: bucket: a ${request.bucket} series of this window has more than ${MAX_BUCKETS} buckets; pick a larger bucket or a shorter window`,
      );
    }
    const windows = [window, previous, ...buckets];

    const annotations = request.entity.metadata.annotations ?? {};
    const { threshold, warning } = readOutageThreshold(annotations);
    const scope: MetricScope = {
      db: this.#db,
      entityRefs: request.entityRefs,
      filter: request.filter,
      now: request.now ?? Date.now(),
      outagePriorityThreshold: threshold,
    };
    const definitions = ids.map(id => this.#definitions.get(id)!);
    const { targets, warnings } = readTargets(annotations, definitions);
    if (warning) {
      warnings.unshift(warning);
    }

    const builtinIds = ids.filter(isBuiltin);
    const customIds = ids.filter(id => !isBuiltin(id));
    const [{ builtin, custom }, explain, sources] = await Promise.all([
      this.#compute(scope, windows, builtinIds, customIds, request, warnings),
      request.explain
        ? this.#explain(request.explain, scope, window, request)
        : Promise.resolve(undefined),
      request.sources
        ? listCoveringSources(this.#db, {
            entityRefs: request.entityRefs,
            filter: request.filter,
          })
        : Promise.resolve(undefined),
    ]);

    const results = new Map<string, MetricResult[]>();
    for (const id of builtinIds) {
      results.set(id, builtin.results[id]!);
    }
    customIds.forEach((id, i) => results.set(id, custom[i]));

    const metrics: Record<string, ItsmMetricValue> = {};
    const series: Record<string, ItsmMetricSeriesPoint[]> = {};
    for (const id of ids) {
      const definition = this.#definitions.get(id)!;
      const [current, before, ...points] = results
        .get(id)!
        .map(result => normalise(id, result));
      const target = targets.get(id);
      metrics[id] = {
        value: current.value,
        n: current.n,
        unit: definition.unit,
        ...(current.mean !== undefined ? { mean: current.mean } : {}),
        ...(current.p50 !== undefined ? { p50: current.p50 } : {}),
        ...(current.p90 !== undefined ? { p90: current.p90 } : {}),
        ...(current.byKey ? { byKey: current.byKey } : {}),
        ...(target !== undefined ? { target } : {}),
        status: evaluateStatus(current.value, target, definition),
        previous: { value: before.value, n: before.n },
        ...(current.dataQuality ? { dataQuality: current.dataQuality } : {}),
        ...(id === 'sla_attainment' && builtin.breachingNow
          ? { breachingNow: builtin.breachingNow }
          : {}),
        definition,
      };
      if (request.bucket) {
        series[id] = points.map((point, i) => ({
          start: iso(buckets[i].from),
          end: iso(buckets[i].to),
          value: point.value,
          n: point.n,
        }));
      }
    }

    return {
      entityRef: request.entityRef,
      from: iso(window.from),
      to: iso(window.to),
      previous: { from: iso(previous.from), to: iso(previous.to) },
      scope: { entityCount: request.entityRefs.length },
      metrics,
      ...(request.bucket ? { bucket: request.bucket, series } : {}),
      health: judgeHealth(metrics, threshold),
      ...(explain ? { explain } : {}),
      warnings,
      ...(sources ? { sources } : {}),
    };
  }

  /** The built-in and added metrics of every window: see the class comment. */
  async #compute(
    scope: MetricScope,
    windows: MetricWindow[],
    builtinIds: ItsmBuiltinMetricId[],
    customIds: string[],
    request: MetricsRequest,
    warnings: string[],
  ): Promise<{ builtin: FamilyOutput; custom: MetricResult[][] }> {
    if (isPostgres(this.#db)) {
      const [builtin, custom] = await Promise.all([
        builtinIds.length > 0
          ? computeBuiltinMetrics(scope, windows, builtinIds)
          : Promise.resolve<FamilyOutput>({ results: {} }),
        Promise.all(
          customIds.map(id =>
            this.#computeCustom(id, scope, windows, request, warnings),
          ),
        ),
      ]);
      return { builtin, custom };
    }
    const relevance = [...builtinFamilies(builtinIds).keys()].flatMap(family =>
      family.relevance(scope, windows),
    );
    return withScopeTables(scope, relevance, async (sliced, yieldLoop) => {
      const builtin =
        builtinIds.length > 0
          ? await computeBuiltinMetricsSliced(
              sliced,
              windows,
              builtinIds,
              yieldLoop,
            )
          : { results: {} };
      const custom: MetricResult[][] = [];
      for (const id of customIds) {
        custom.push(
          await this.#computeCustom(
            id,
            sliced,
            windows,
            request,
            warnings,
            yieldLoop,
          ),
        );
      }
      return { builtin, custom };
    });
  }

  /**
   * An added metric over every window: in parallel, or one window after
   * the other with `yieldLoop` between them when given (SQLite).
   */
  async #computeCustom(
    id: string,
    scope: MetricScope,
    windows: MetricWindow[],
    request: MetricsRequest,
    warnings: string[],
    yieldLoop?: () => Promise<void>,
  ): Promise<MetricResult[]> {
    const metric = this.#custom.get(id)!;
    const annotations = request.entity.metadata.annotations ?? {};
    const compute = (window: MetricWindow) =>
      metric.compute(
        createMetricContext({
          scope,
          window,
          entityRef: request.entityRef,
          annotations,
        }),
      );
    try {
      if (!yieldLoop) {
        return await Promise.all(windows.map(compute));
      }
      const results: MetricResult[] = [];
      for (const window of windows) {
        results.push(await compute(window));
        await yieldLoop();
      }
      return results;
    } catch (error) {
      this.#logger?.error(`ITSM metric '${id}' failed`, error as Error);
      warnings.push(`Metric '${id}' could not be computed: ${error}`);
      return windows.map(() => ({ value: null, n: 0 }));
    }
  }

  async #explain(
    metricId: string,
    scope: MetricScope,
    window: MetricWindow,
    request: MetricsRequest,
  ): Promise<ItsmMetricExplanation> {
    let populations: ExplainPopulation[];
    let relevance: string[] = [];
    let ctes: NamedQuery[] = [];
    if (isBuiltin(metricId)) {
      const explanation = explainBuiltinMetric(metricId, scope, window);
      relevance = explanation.relevance;
      ctes = explanation.ctes ?? [];
      populations = [explanation];
    } else {
      populations = [];
      await this.#custom.get(metricId)!.compute(
        createMetricContext({
          scope,
          window,
          entityRef: request.entityRef,
          annotations: request.entity.metadata.annotations ?? {},
          explain: populations,
        }),
      );
    }
    if (populations.length === 0) {
      return { metricId, recordIds: [], truncated: false };
    }
    const db = this.#db;
    const [first, ...rest] = populations.map(p => p.query);
    const union =
      rest.length > 0
        ? first.clone().unionAll(rest.map(q => q.clone()))
        : first.clone();
    const list = async (query: Knex.QueryBuilder, column: string) =>
      (
        await runExplainQuery(
          scope,
          window,
          relevance,
          query.orderBy(column).limit(EXPLAIN_CAP + 1),
          ctes,
        )
      ).map(row => String(row[column]));
    const ids = (where: string) =>
      list(
        db
          .from(union.clone().as('u'))
          .select('id')
          .whereRaw(where)
          .groupBy('id'),
        'id',
      );
    const highlight = populations.find(p => p.highlight)?.highlight;
    const feedback = populations.find(p => p.feedback)?.feedback;
    const [recordIds, highlighted, excluded, answers] = await Promise.all([
      ids('bad = 0 and id is not null'),
      highlight ? ids('hl = 1 and bad = 0 and id is not null') : [],
      ids('bad = 1 and id is not null'),
      feedback
        ? list(db.from(feedback.as('f')).distinct('fid'), 'fid')
        : undefined,
    ]);
    const lists = [recordIds, highlighted, excluded, answers ?? []];
    const cap = (found: string[]) => found.slice(0, EXPLAIN_CAP);
    return {
      metricId,
      recordIds: cap(recordIds),
      ...(highlight
        ? { highlight: { description: highlight, recordIds: cap(highlighted) } }
        : {}),
      ...(excluded.length > 0 ? { excludedRecordIds: cap(excluded) } : {}),
      ...(answers ? { feedbackIds: cap(answers) } : {}),
      truncated: lists.some(found => found.length > EXPLAIN_CAP),
    };
  }
}

/**
 * n = 0 means no value, never 0 (availability aside: 1.0 with no outage when
 * a source maps to the entity); non-finite numbers are no value.
 */
function normalise(id: string, result: MetricResult): MetricResult {
  const finite = (v: number | null | undefined) => {
    if (v === undefined) {
      return undefined;
    }
    return v !== null && Number.isFinite(v) ? v : null;
  };
  return {
    ...result,
    value:
      result.n === 0 && id !== 'availability'
        ? null
        : finite(result.value) ?? null,
    ...(result.mean !== undefined ? { mean: finite(result.mean) } : {}),
    ...(result.p50 !== undefined ? { p50: finite(result.p50) } : {}),
    ...(result.p90 !== undefined ? { p90: finite(result.p90) } : {}),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
