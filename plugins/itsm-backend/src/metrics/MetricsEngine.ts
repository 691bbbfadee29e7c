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
  ANNOTATION_ITSM_OUTAGE_PRIORITY_THRESHOLD,
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
import {
  listCoveringSources,
  listMappedProviderIds,
} from '../database/operations/syncState/listCoveringSources';
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
import {
  COUNT_METRIC_IDS,
  CoverageSource,
  coveringByAnnotation,
  mappingAnnotations,
  NO_SOURCE_CONNECTED,
  ScopeCoverage,
  ScopeEntity,
  scopeEntityOf,
  sourceStatements,
} from './coverage';
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

    const builtinIds = ids.filter(isBuiltin);
    const customIds = ids.filter(id => !isBuiltin(id));
    const byAnnotation = coveringByAnnotation(
      this.#sources,
      request.entities ?? [scopeEntityOf(request.entity)],
      request.filter,
    );
    const [{ builtin, custom }, explain, mappedIds, sources] =
      await Promise.all([
        this.#compute(scope, windows, builtinIds, customIds, request, warnings),
        request.explain
          ? this.#explain(request.explain, scope, window, request)
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

    const results = new Map<string, MetricResult[]>();
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
    if (!isBuiltin(id)) {
      return { notes: [] };
    }
    if (!coverage.covered) {
      return {
        unknownReason: NO_SOURCE_CONNECTED,
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

/** What `#statements` found about a metric. */
interface Statements {
  unknownReason?: string;
  notes: string[];
  /** Every covering source declares the metric unmeasurable. */
  unmeasurable?: boolean;
}

/** Which priorities count as outages, and where that comes from. */
function outageNote(
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
function normalise(
  id: string,
  result: MetricResult,
  covered: boolean,
  said: Statements,
): MetricResult {
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

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
