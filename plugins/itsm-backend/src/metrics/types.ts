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

import type { ItsmBuiltinMetricId } from '@backstage-itsm/plugin-itsm-common';
import type { ItsmMetricResult } from '@backstage-itsm/plugin-itsm-node';
import type { Knex } from 'knex';
import type { RecordFilter } from '../database/ItsmStore';

/** A half-open window [from, to) of epoch milliseconds. */
export interface MetricWindow {
  from: number;
  to: number;
}

/**
 * Whose records a metric counts: the records mapped to any of `entityRefs`
 * that the caller may read (`filter`, applied in SQL to `records as r`).
 */
export interface MetricScope {
  db: Knex;
  /** The entity asked about and the entities rolled up into it. */
  entityRefs: string[];
  /** The caller's permission filter; undefined when every record is readable. */
  filter?: RecordFilter;
  /** The instant "now" of the request, epoch ms. */
  now: number;
  /** Incidents of this priority or higher (numerically lower) are outages. */
  outagePriorityThreshold: number;
  /**
   * SQLite only: temporary tables holding this request's scope, so that its
   * work can run as many short statements (see `withScopeTables`).
   */
  tables?: ScopeTables;
}

/** Temporary tables of one request's scope, on its pinned connection. */
export interface ScopeTables {
  /** `id`: the ids of the records mapped to the scope's entities. */
  ids: string;
  /**
   * The scope's readable, non-cancelled records that any metric of the
   * request may count, with the columns of `sr`.
   */
  records: string;
}

/**
 * A population query for `explain`: one row per contributing record of the
 * window, with `id` and the flags `hl` (highlighted: a ratio's numerator) and
 * `bad` (excluded for data quality), both 0 or 1.
 */
export interface ExplainPopulation {
  query: Knex.QueryBuilder;
  highlight?: string;
  /** Answers counted (feedback metrics): a query of `fid`. */
  feedback?: Knex.QueryBuilder;
}

/** What a family of metrics yields: results per window, per metric. */
export interface FamilyOutput {
  results: Partial<Record<ItsmBuiltinMetricId, ItsmMetricResult[]>>;
  /** sla_attainment: running SLAs past their breach time, now. */
  breachingNow?: { n: number; byKey: Record<string, number> };
}

/**
 * Metrics computed from one population (an operation). Its fragments join
 * the statement of the request; they read `w` (the windows) and, when the
 * family has relevance predicates, `sr` (the scope's records, as `sr as r`).
 */
export interface MetricFamily {
  /** Predicates on `records as r` for the records of `sr` this family reads. */
  relevance(scope: MetricScope, windows: MetricWindow[]): string[];
  fragments(scope: MetricScope, windows: MetricWindow[]): Knex.QueryBuilder[];
  /** Further materialised CTEs the fragments read (e.g. the scope's SLAs). */
  ctes?(scope: MetricScope, windows: MetricWindow[]): NamedQuery[];
  read(
    rows: FragmentRow[],
    scope: MetricScope,
    windows: MetricWindow[],
  ): FamilyOutput;
}

/**
 * One row of a metric statement. Every fragment of the statement selects
 * these columns, so fragments of all metrics run as one UNION ALL:
 * `m` tags the fragment, `i` is the window, `k` a key (priority, kind, ...),
 * `c`, `x`, `y` numbers, `p50`/`p90` percentiles (PostgreSQL).
 */
export interface FragmentRow {
  m: string;
  i: number;
  k: string | null;
  c: number;
  x: number | null;
  y: number | null;
  p50: number | null;
  p90: number | null;
}

/** What a fragment selects, as SQL expressions over its source. */
export interface FragmentColumns {
  i: string;
  k?: string;
  c?: string;
  x?: string;
  y?: string;
  p50?: string;
  p90?: string;
}

/** A query to run as a materialised CTE of the statement. */
export interface NamedQuery {
  name: string;
  query: Knex.QueryBuilder;
}
