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

import type { Knex } from 'knex';
import { isPostgres } from '../database/operations/util/conversions';
import { whereAnyOf } from '../database/operations/util/whereAnyOf';
import { applyFilter } from '../database/permissionCriteria';
import type { RecordFilter } from '../database/ItsmStore';
import {
  RECORD_LIFECYCLE_COLUMNS,
  TABLE_RECORD_ENTITIES,
  TABLE_RECORDS,
} from '../database/tables';
import type {
  FragmentColumns,
  FragmentRow,
  MetricScope,
  MetricWindow,
  NamedQuery,
} from './types';

/*
 * SQL building blocks shared by the metric operations. Every query reads
 * `records as r`, so the store's permission filter (`applyFilter`) applies
 * unchanged. Windows are inlined as integer literals (checked safe integers)
 * in a `w(i, f, t)` VALUES list: one statement computes a metric for the
 * window, the previous window and every bucket of a series at once.
 */

/** The end of an incident or request: resolution, else closure. */
export const RESOLVED_END = 'coalesce(r.resolved_at, r.closed_at)';

/** The end of a change: actual end, else closure. */
export const CHANGE_END = 'coalesce(r.actual_end, r.closed_at)';

/** The earlier of resolution and closure, whichever exist: when a record stopped being open. */
export const FIRST_END = `(case when r.resolved_at is null then r.closed_at
  when r.closed_at is null or r.resolved_at <= r.closed_at then r.resolved_at
  else r.closed_at end)`;

/** An integer literal for SQL; throws unless it is a safe integer. */
export function int(value: number): string {
  if (!Number.isSafeInteger(value)) {
    throw new Error(`Expected a safe integer, got ${value}`);
  }
  return String(value);
}

/** `values (0, f0, t0), ...`: the windows, in order, for the CTE `w(i, f, t)`. */
export function windowValues(windows: MetricWindow[]): string {
  if (windows.length === 0) {
    throw new Error('At least one window is needed');
  }
  return `values ${windows
    .map((w, i) => `(${int(i)}, ${int(w.from)}, ${int(w.to)})`)
    .join(', ')}`;
}

/** The smallest `from` and largest `to` of the windows, for range pushdown. */
export function bounds(windows: MetricWindow[]): MetricWindow {
  return {
    from: Math.min(...windows.map(w => w.from)),
    to: Math.max(...windows.map(w => w.to)),
  };
}

/** The ids of records mapped to any of the scope's entities, as a subquery. */
export function scopeRecordIds(scope: MetricScope): Knex.QueryBuilder {
  if (scope.tables) {
    return scope.db(scope.tables.ids).select('id');
  }
  const sub = scope.db(TABLE_RECORD_ENTITIES).select('record_id');
  return whereAnyOf(sub, scope.db, 'entity_ref', scope.entityRefs);
}

/**
 * Narrows a query on `records as r` to the scope: mapped to the scope's
 * entities (each record once, however many of them it maps to) and readable
 * under the caller's filter.
 */
export function inScope(
  builder: Knex.QueryBuilder,
  scope: MetricScope,
): Knex.QueryBuilder {
  builder.whereIn('r.id', scopeRecordIds(scope));
  return readable(builder, scope.filter);
}

/** Applies the permission filter to `records as r` (or a derived `r`). */
export function readable(
  builder: Knex.QueryBuilder,
  filter: RecordFilter | undefined,
): Knex.QueryBuilder {
  if (filter) {
    applyFilter(builder, filter);
  }
  return builder;
}

/**
 * The ids of the scope's records the caller may read, as a subquery: the
 * mapping alone when every record is readable, else through `records` for
 * the filter.
 */
export function readableScopeIds(scope: MetricScope): Knex.QueryBuilder {
  return scope.filter
    ? scopedRecords(scope).select('r.id')
    : scopeRecordIds(scope);
}

/** `records as r` narrowed to the scope. */
export function scopedRecords(scope: MetricScope): Knex.QueryBuilder {
  return inScope(scope.db(`${TABLE_RECORDS} as r`), scope);
}

/** `expr` lies in window w: `expr >= w.f and expr < w.t`. */
export function inWindowSql(expr: string): string {
  return `${expr} >= w.f and ${expr} < w.t`;
}

/** A number from the drivers (pg returns bigint, numeric and count as strings). */
export function num(value: unknown): number {
  if (value === null || value === undefined) {
    return 0;
  }
  return Number(value);
}

/** Groups rows by their window index `i`. */
export function byWindow<T extends { i: unknown }>(
  rows: T[],
  windows: number,
): T[][] {
  const result: T[][] = Array.from({ length: windows }, () => []);
  for (const row of rows) {
    result[Number(row.i)].push(row);
  }
  return result;
}

/**
 * The columns of `sr`, the scope's records relevant to the windows, that
 * the record-based metrics read (as `sr as r`).
 */
export const SCOPE_RECORD_COLUMNS = [
  'id',
  'provider_id',
  'external_id',
  'kind',
  'state',
  'priority',
  ...RECORD_LIFECYCLE_COLUMNS,
  'actual_end',
  'change_type',
  'outcome',
  'reopen_count',
] as const;

/** Start of an outage: impact start, else opening. */
export const OUTAGE_START = 'coalesce(r.impact_start, r.opened_at)';

/** End of an outage when the source knows it: impact end, else resolution, else closure. */
export const OUTAGE_KNOWN_END =
  'coalesce(r.impact_end, r.resolved_at, r.closed_at)';

/**
 * Instants `sr` computes once per record, so the fragments read a column
 * instead of repeating the expression: `r.resolved_end` and so on.
 */
const SCOPE_RECORD_DERIVED: Record<string, string> = {
  resolved_end: RESOLVED_END,
  change_end: CHANGE_END,
  first_end: FIRST_END,
  outage_start: OUTAGE_START,
  outage_known_end: OUTAGE_KNOWN_END,
};

/**
 * The scope's non-cancelled records that some requested metric may count:
 * each family says which (`relevance`, predicates on `r` OR-ed together).
 * Read once per request, from the entity's record ids (or, for a large
 * rollup, in one pass over the window), then shared by every metric.
 */
export function scopeRecordsQuery(
  scope: MetricScope,
  relevance: string[],
): Knex.QueryBuilder {
  const { db } = scope;
  if (scope.tables) {
    // Already narrowed to the scope, readable and not cancelled.
    return db(`${scope.tables.records} as r`)
      .select('r.*')
      .whereRaw(relevanceSql(relevance));
  }
  return relevantRecords(scope, scopedRecords(scope), relevance);
}

/** `(p1) or (p2) ...`: a record any of the predicates selects. */
function relevanceSql(relevance: string[]): string {
  return `(${relevance.map(predicate => `(${predicate})`).join(' or ')})`;
}

/** The `sr` columns of the relevant, non-cancelled records of `records as r`. */
export function relevantRecords(
  scope: MetricScope,
  records: Knex.QueryBuilder,
  relevance: string[],
): Knex.QueryBuilder {
  const { db } = scope;
  const query = records
    .select(SCOPE_RECORD_COLUMNS.map(column => `r.${column}`))
    .select(
      Object.entries(SCOPE_RECORD_DERIVED).map(([alias, expr]) =>
        db.raw(`${expr} as ${alias}`),
      ),
    )
    .whereNot('r.state', 'cancelled')
    .whereRaw(relevanceSql(relevance));
  return query;
}

/** Selects the fragment columns, typed alike on every branch of the union. */
export function fragment(
  db: Knex,
  tag: string,
  source: Knex.QueryBuilder,
  columns: FragmentColumns,
): Knex.QueryBuilder {
  if (!/^[a-z0-9_:]+$/.test(tag)) {
    throw new Error(`Invalid fragment tag ${tag}`);
  }
  const number = (expr?: string) =>
    `cast(${expr ?? 'null'} as double precision)`;
  return source.select(
    db.raw(`'${tag}' as m`),
    db.raw(`cast(${columns.i} as integer) as i`),
    db.raw(`cast(${columns.k ?? 'null'} as text) as k`),
    db.raw(`${number(columns.c ?? 'count(*)')} as c`),
    db.raw(`${number(columns.x)} as x`),
    db.raw(`${number(columns.y)} as y`),
    db.raw(`${number(columns.p50)} as p50`),
    db.raw(`${number(columns.p90)} as p90`),
  );
}

/**
 * Runs fragments as one statement: `with w(i, f, t) as (values ...)`, and
 * `sr` (the scope's relevant records, materialised once) when a fragment
 * reads it, then the fragments as one UNION ALL.
 */
export async function runFragments(
  scope: MetricScope,
  windows: MetricWindow[],
  relevance: string[],
  fragments: Knex.QueryBuilder[],
  ctes: NamedQuery[] = [],
): Promise<FragmentRow[]> {
  if (fragments.length === 0) {
    return [];
  }
  const rows = await runWithScope(
    scope,
    windows,
    relevance,
    fragments
      .map(f => f.toSQL())
      .reduce(
        (all, q, n) => ({
          sql: `${all.sql}${n > 0 ? ' union all ' : ''}${q.sql}`,
          bindings: [...all.bindings, ...q.bindings],
        }),
        { sql: '', bindings: [] as readonly unknown[] },
      ),
    ctes,
  );
  return rows.map(row => ({
    m: String(row.m),
    i: Number(row.i),
    k: row.k === null ? null : String(row.k),
    c: num(row.c),
    x: row.x === null ? null : Number(row.x),
    y: row.y === null ? null : Number(row.y),
    p50: row.p50 === null ? null : Number(row.p50),
    p90: row.p90 === null ? null : Number(row.p90),
  }));
}

/**
 * Runs a query (as SQL and bindings) below the CTEs `w`, `sr` (with
 * relevance) and the given ones (each name once), all materialised: read
 * once, with their own plans, then shared.
 */
export async function runWithScope(
  scope: MetricScope,
  windows: MetricWindow[],
  relevance: string[],
  body: { sql: string; bindings: readonly unknown[] },
  extra: NamedQuery[] = [],
): Promise<Array<Record<string, unknown>>> {
  const { db } = scope;
  let ctes = `w(i, f, t) as (${windowValues(windows)})`;
  const bindings: unknown[] = [];
  const named = [...extra];
  if (relevance.length > 0) {
    named.unshift({ name: 'sr', query: scopeRecordsQuery(scope, relevance) });
  }
  const seen = new Set<string>();
  for (const { name, query } of named) {
    if (seen.has(name)) {
      continue;
    }
    seen.add(name);
    const compiled = query.toSQL();
    ctes += `, ${name} as materialized (${compiled.sql})`;
    bindings.push(...compiled.bindings);
  }
  bindings.push(...body.bindings);
  const result = await db.raw(`with ${ctes} ${body.sql}`, bindings as any);
  return isPostgres(db) ? result.rows : result;
}

/** Rows of one fragment tag, grouped by window. */
export function rowsOf(
  rows: FragmentRow[],
  tag: string,
  windows: number,
): FragmentRow[][] {
  return byWindow(
    rows.filter(row => row.m === tag),
    windows,
  );
}

/** A share with its n; null when n is 0. */
export function share(part: number, n: number): number | null {
  return n === 0 ? null : part / n;
}
