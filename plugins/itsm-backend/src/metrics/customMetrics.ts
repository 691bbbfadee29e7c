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
  ITSM_BUILTIN_METRIC_IDS,
  ItsmMetricDefinition,
  ItsmRecordKind,
  ItsmRecordState,
  itsmMetricTargetAnnotation,
} from '@backstage-itsm/plugin-itsm-common';
import type {
  ItsmMetric,
  ItsmMetricContext,
  ItsmMetricDurationStats,
  ItsmMetricInstant,
  ItsmMetricRecordQuery,
  ItsmMetricRecordRow,
  ItsmMetricRecordSet,
} from '@backstage-itsm/plugin-itsm-node';
import type { Knex } from 'knex';
import { durationStats } from './kernels';
import { isPostgres } from '../database/operations/util/conversions';
import { int, num, scopedRecords } from './sql';
import type { ExplainPopulation, MetricScope, MetricWindow } from './types';

const INSTANT_COLUMNS: Record<ItsmMetricInstant, string> = {
  openedAt: 'r.opened_at',
  acknowledgedAt: 'r.acknowledged_at',
  resolvedAt: 'r.resolved_at',
  closedAt: 'r.closed_at',
  impactStart: 'r.impact_start',
  impactEnd: 'r.impact_end',
  plannedStart: 'r.planned_start',
  plannedEnd: 'r.planned_end',
  actualStart: 'r.actual_start',
  actualEnd: 'r.actual_end',
};

const COUNT_BY_COLUMNS = {
  priority: 'r.priority',
  state: 'r.state',
  department: 'r.department',
  kind: 'r.kind',
} as const;

/** Most rows `list()` returns. */
const MAX_LIST = 10000;

/** Checks the metrics modules add: valid ids, none taken twice. */
export function checkCustomMetrics(metrics: ItsmMetric[]): void {
  const taken = new Set<string>(ITSM_BUILTIN_METRIC_IDS);
  for (const metric of metrics) {
    if (!/^[a-z][a-z0-9_]*$/.test(metric.id)) {
      throw new Error(
        `Invalid ITSM metric id '${metric.id}': use lower case letters, digits and underscores`,
      );
    }
    if (taken.has(metric.id)) {
      throw new Error(`ITSM metric id '${metric.id}' is already taken`);
    }
    taken.add(metric.id);
  }
}

/** The definition the API serves for an added metric. */
export function customDefinition(metric: ItsmMetric): ItsmMetricDefinition {
  const direction = metric.direction ?? null;
  return {
    id: metric.id,
    title: metric.title,
    description: metric.description,
    startEvent: metric.startEvent ?? null,
    endEvent: metric.endEvent ?? null,
    clock: metric.clock ?? null,
    statistic: metric.statistic,
    unit: metric.unit,
    direction,
    targetAnnotation:
      direction === null ? null : itsmMetricTargetAnnotation(metric.id),
  };
}

class ScopedRecordSet implements ItsmMetricRecordSet {
  readonly #scope: MetricScope;
  readonly #window: MetricWindow;
  readonly #query: ItsmMetricRecordQuery;
  readonly #explain?: ExplainPopulation[];

  constructor(
    scope: MetricScope,
    window: MetricWindow,
    query: ItsmMetricRecordQuery,
    explain?: ExplainPopulation[],
  ) {
    this.#scope = scope;
    this.#window = window;
    this.#query = query;
    this.#explain = explain;
  }

  async count(): Promise<number> {
    const row = await this.#base().count({ n: '*' }).first();
    this.#record();
    return num(row?.n);
  }

  async countBy(
    field: keyof typeof COUNT_BY_COLUMNS,
  ): Promise<Record<string, number>> {
    const column = COUNT_BY_COLUMNS[field];
    if (!column) {
      throw new Error(`Cannot count ITSM records by '${field}'`);
    }
    const rows: Array<{ k: unknown; n: unknown }> = await this.#base()
      .select({ k: column })
      .count({ n: '*' })
      .groupBy(column);
    this.#record();
    return Object.fromEntries(
      rows.map(row => [row.k === null ? 'none' : String(row.k), num(row.n)]),
    );
  }

  async durations(
    start: ItsmMetricInstant,
    end: ItsmMetricInstant,
  ): Promise<ItsmMetricDurationStats> {
    const from = instantColumn(start);
    const to = instantColumn(end);
    const { db } = this.#scope;
    const population = this.#base()
      .whereNotNull(from)
      .whereNotNull(to)
      .select(db.raw('0 as i'), 'r.id as id', db.raw(`${to} - ${from} as v`));
    const [stats] = await durationStats(db, population, 1);
    this.#record(`case when ${to} < ${from} then 1 else 0 end`, [from, to]);
    return {
      n: stats.n,
      mean: stats.n === 0 ? null : stats.sum / stats.n / 1000,
      p50: stats.p50 === null ? null : stats.p50 / 1000,
      p90: stats.p90 === null ? null : stats.p90 / 1000,
      negative: stats.negative,
    };
  }

  async list(options?: { limit?: number }): Promise<ItsmMetricRecordRow[]> {
    const limit = Math.max(
      1,
      Math.min(MAX_LIST, Math.floor(options?.limit ?? MAX_LIST)),
    );
    const rows: Array<Record<string, any>> = await this.#base()
      .select(
        'r.id',
        'r.kind',
        'r.department',
        'r.state',
        'r.priority',
        'r.number',
        'r.title',
        this.#scope.db.raw(`${categorySql(this.#scope.db)} as category`),
        'r.reopen_count',
        ...Object.values(INSTANT_COLUMNS),
      )
      .orderBy([{ column: 'r.opened_at' }, { column: 'r.id' }])
      .limit(limit);
    this.#record();
    const date = (v: unknown) => (v === null ? null : new Date(Number(v)));
    return rows.map(row => ({
      id: row.id,
      kind: row.kind as ItsmRecordKind,
      department: row.department,
      state: row.state as ItsmRecordState,
      priority: row.priority === null ? null : Number(row.priority),
      number: row.number,
      category: row.category ?? null,
      title: row.title,
      openedAt: new Date(Number(row.opened_at)),
      acknowledgedAt: date(row.acknowledged_at),
      resolvedAt: date(row.resolved_at),
      closedAt: date(row.closed_at),
      impactStart: date(row.impact_start),
      impactEnd: date(row.impact_end),
      plannedStart: date(row.planned_start),
      plannedEnd: date(row.planned_end),
      actualStart: date(row.actual_start),
      actualEnd: date(row.actual_end),
      reopenCount: Number(row.reopen_count),
    }));
  }

  /** `records as r` of the scope narrowed by the query. */
  #base(): Knex.QueryBuilder {
    const query = this.#query;
    const builder = scopedRecords(this.#scope);
    if (query.kinds) {
      builder.whereIn('r.kind', query.kinds);
    }
    if (query.departments) {
      builder.whereIn('r.department', query.departments);
    }
    if (query.states) {
      builder.whereIn('r.state', query.states);
    } else {
      builder.whereNot('r.state', 'cancelled');
    }
    if (query.priorities) {
      builder.whereIn('r.priority', query.priorities);
    }
    if (query.categories) {
      builder.whereRaw(
        `${categorySql(this.#scope.db)} in (${query.categories
          .map(() => '?')
          .join(', ')})`,
        query.categories,
      );
    }
    const within = instantColumn(query.within ?? 'openedAt');
    const from = query.from?.getTime() ?? this.#window.from;
    const to = query.to?.getTime() ?? this.#window.to;
    return builder.whereRaw(
      `${within} >= ${int(from)} and ${within} < ${int(to)}`,
    );
  }

  /** Adds this set to the explanation, when one is being gathered. */
  #record(bad = '0', notNull: string[] = []): void {
    if (!this.#explain) {
      return;
    }
    const { db } = this.#scope;
    const query = this.#base().select(
      'r.id as id',
      db.raw('0 as hl'),
      db.raw(`${bad} as bad`),
    );
    notNull.forEach(column => query.whereNotNull(column));
    this.#explain.push({ query });
  }
}

/** Builds the context an added metric computes one window with. */
export function createMetricContext(options: {
  scope: MetricScope;
  window: MetricWindow;
  entityRef: string;
  annotations: Readonly<Record<string, string>>;
  /** When given, every record set the metric reads is added, for explain. */
  explain?: ExplainPopulation[];
}): ItsmMetricContext {
  const { scope, window, explain } = options;
  return {
    entityRef: options.entityRef,
    entityRefs: [...scope.entityRefs],
    annotations: options.annotations,
    window: { from: new Date(window.from), to: new Date(window.to) },
    now: new Date(scope.now),
    records: (query = {}) => new ScopedRecordSet(scope, window, query, explain),
  };
}

function instantColumn(instant: ItsmMetricInstant): string {
  const column = INSTANT_COLUMNS[instant];
  if (!column) {
    throw new Error(`Unknown ITSM record instant '${instant}'`);
  }
  return column;
}

/** The payload's `category` as SQL: JSON text on both databases. */
function categorySql(db: Knex): string {
  return isPostgres(db)
    ? "(r.payload::jsonb ->> 'category')"
    : "json_extract(r.payload, '$.category')";
}
