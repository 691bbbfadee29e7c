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
  ITSM_NO_SOURCE_CONNECTED,
  ItsmBuiltinMetricId,
  ItsmMetricBucket,
  ItsmMetricDefinition,
  ItsmMetricSeriesPoint,
  ItsmMetricsResponse,
  ItsmMetricValue,
} from '@backstage-itsm/plugin-itsm-common';
import type {
  ItsmMetric,
  ItsmMetricResult,
} from '@backstage-itsm/plugin-itsm-node';
import type { Knex } from 'knex';
import type { RecordFilter } from '../database/ItsmStore';
import {
  listCoveringSources,
  listMappedProviderIds,
} from '../database/operations/syncState/listCoveringSources';
import { bucketWindows, MAX_BUCKETS } from './buckets';
import {
  builtinFamilies,
  computeBuiltinMetrics,
  computeBuiltinMetricsSliced,
  isBuiltinMetricId,
} from './builtinMetrics';
import {
  checkCustomMetrics,
  createMetricContext,
  customDefinition,
} from './customMetrics';
import {
  CoverageSource,
  coveringByAnnotation,
  mappingAnnotations,
  ScopeCoverage,
  ScopeEntity,
  scopeEntityOf,
  sourceStatements,
} from './coverage';
import { explainMetric } from './explainMetric';
import { judgeHealth } from './health';
import { normalise, outageNote, Statements } from './metricResults';
import { isPostgres } from '../database/operations/util/conversions';
import { withScopeTables } from './scopeTables';
import { evaluateStatus, readOutageThreshold, readTargets } from './targets';
import type { FamilyOutput, MetricScope, MetricWindow } from './types';

/** What to compute. */
export interface MetricsRequest {
  /** The entity asked about (its annotations hold targets and the outage threshold). */
  entity: Entity;
  entityRef: string;
  /** The entity and the entities rolled up into it. */
  entityRefs: string[];
  /**
   * The entities of `entityRefs` with their annotations, for coverage
   * (`resolveEntityScope` gives them). Default: `entity` alone.
   */
  entities?: ScopeEntity[];
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
  readonly #sources: ReadonlyArray<CoverageSource>;
  readonly #sourcesById: ReadonlyMap<string, CoverageSource>;
  readonly #annotations: string[];

  constructor(options: {
    db: Knex;
    metrics?: ItsmMetric[];
    /**
     * The registered providers: the annotations they map on decide which
     * entities they cover, and they say what they cannot measure.
     */
    sources?: ReadonlyArray<CoverageSource>;
    logger?: LoggerService;
  }) {
    const custom = options.metrics ?? [];
    checkCustomMetrics(custom);
    this.#db = options.db;
    this.#logger = options.logger;
    this.#sources = options.sources ?? [];
    this.#sourcesById = new Map(this.#sources.map(s => [s.id, s]));
    this.#annotations = mappingAnnotations(this.#sources);
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

    const builtinIds = ids.filter(isBuiltinMetricId);
    const customIds = ids.filter(id => !isBuiltinMetricId(id));
    const byAnnotation = coveringByAnnotation(
      this.#sources,
      request.entities ?? [scopeEntityOf(request.entity)],
      request.filter,
    );
    const [{ builtin, custom }, explain, mappedIds, sources] =
      await Promise.all([
        this.#compute(scope, windows, builtinIds, customIds, request, warnings),
        request.explain
          ? explainMetric({
              db: this.#db,
              metricId: request.explain,
              scope,
              window,
              entityRef: request.entityRef,
              annotations: request.entity.metadata.annotations ?? {},
              custom: this.#custom.get(request.explain),
            })
          : Promise.resolve(undefined),
        listMappedProviderIds(this.#db, {
          entityRefs: request.entityRefs,
          filter: request.filter,
        }),
        request.sources
          ? listCoveringSources(this.#db, {
              entityRefs: request.entityRefs,
              filter: request.filter,
              providerIds: byAnnotation,
            })
          : Promise.resolve(undefined),
      ]);
    const providerIds = [...new Set([...byAnnotation, ...mappedIds])].sort();
    const coverage: ScopeCoverage = {
      covered: providerIds.length > 0,
      providerIds,
      annotations: this.#annotations,
    };

    const results = new Map<string, ItsmMetricResult[]>();
    for (const id of builtinIds) {
      results.set(id, builtin.results[id]!);
    }
    customIds.forEach((id, i) => results.set(id, custom[i]));

    const metrics: Record<string, ItsmMetricValue> = {};
    const series: Record<string, ItsmMetricSeriesPoint[]> = {};
    for (const id of ids) {
      const definition = this.#definitions.get(id)!;
      const said = this.#statements(id, coverage, threshold, annotations);
      const [current, before, ...points] = results
        .get(id)!
        .map(result => normalise(id, result, coverage.covered, said));
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
        ...(current.value === null && said.unknownReason
          ? { unknownReason: said.unknownReason }
          : {}),
        ...(said.notes.length > 0 ? { notes: said.notes } : {}),
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
      health: judgeHealth(metrics, threshold, coverage),
      ...(explain ? { explain } : {}),
      warnings,
      ...(sources
        ? {
            sources,
            coverage: {
              covered: coverage.covered,
              annotations: coverage.annotations,
            },
          }
        : {}),
    };
  }

  /**
   * What is known about a built-in metric beyond its numbers: why it is
   * unknown (no source covers the scope; every covering source declares it
   * unmeasurable) and the covering sources' notes on it. Added metrics
   * speak for themselves.
   */
  #statements(
    id: string,
    coverage: ScopeCoverage,
    threshold: number,
    annotations: Record<string, string>,
  ): Statements {
    if (!isBuiltinMetricId(id)) {
      return { notes: [] };
    }
    if (!coverage.covered) {
      return {
        unknownReason: ITSM_NO_SOURCE_CONNECTED,
        notes: [],
        unmeasurable: false,
      };
    }
    const said = sourceStatements(id, coverage.providerIds, this.#sourcesById);
    const notes = [...said.notes];
    if (id === 'availability' || id === 'mtbf') {
      notes.unshift(outageNote(threshold, annotations));
    }
    return {
      unknownReason: said.unknownReason,
      notes,
      unmeasurable: said.unknownReason !== undefined,
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
  ): Promise<{ builtin: FamilyOutput; custom: ItsmMetricResult[][] }> {
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
      const custom: ItsmMetricResult[][] = [];
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
  ): Promise<ItsmMetricResult[]> {
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
      const results: ItsmMetricResult[] = [];
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
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
