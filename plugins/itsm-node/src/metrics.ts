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
  ItsmMetricCount,
  ItsmMetricDataQuality,
  ItsmMetricDirection,
  ItsmMetricUnit,
  ItsmRecordKind,
  ItsmRecordState,
} from '@backstage-itsm/plugin-itsm-common';

/**
 * An instant of a record a metric can select on or measure between.
 * @public
 */
export type ItsmMetricInstant =
  | 'openedAt'
  | 'acknowledgedAt'
  | 'resolvedAt'
  | 'closedAt'
  | 'impactStart'
  | 'impactEnd'
  | 'plannedStart'
  | 'plannedEnd'
  | 'actualStart'
  | 'actualEnd';

/**
 * Which records of the entity a metric looks at. Every list narrows; an
 * empty list matches nothing.
 * @public
 */
export interface ItsmMetricRecordQuery {
  kinds?: ItsmRecordKind[];
  /** Service desks, e.g. `['hr']`. */
  departments?: string[];
  /** Default: every state but `cancelled`. */
  states?: ItsmRecordState[];
  priorities?: number[];
  /**
   * Categories a source module stored as the record payload's `category`
   * (the mapped sources do: `onboarding`, `hvac`, ...). Applied in SQL.
   */
  categories?: string[];
  /** Records whose `within` instant lies in [from, to). Default `openedAt`. */
  within?: ItsmMetricInstant;
  /** Default: the window being computed. */
  from?: Date;
  to?: Date;
}

/**
 * Duration statistics in seconds, computed in the database. `p50`/`p90` are
 * linear-interpolated percentiles (PostgreSQL `percentile_cont`).
 * @public
 */
export interface ItsmMetricDurationStats {
  /** Records with both instants and a non-negative duration. */
  n: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  /** Records whose end precedes their start: left out, to report as data quality. */
  negative: number;
}

/** A record as a metric may read it. Instants are Dates or null. @public */
export interface ItsmMetricRecordRow {
  id: string;
  kind: ItsmRecordKind;
  department: string;
  state: ItsmRecordState;
  priority: number | null;
  number: string | null;
  title: string;
  /** The payload's `category`, when its source module stored one. */
  category: string | null;
  openedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  impactStart: Date | null;
  impactEnd: Date | null;
  plannedStart: Date | null;
  plannedEnd: Date | null;
  actualStart: Date | null;
  actualEnd: Date | null;
  reopenCount: number;
}

/**
 * The records of a query: mapped to the entity (or its rollup) and readable
 * by the caller. Counts and durations are aggregated in the database.
 * @public
 */
export interface ItsmMetricRecordSet {
  count(): Promise<number>;
  /** Counts by a field; null values count under `none`. */
  countBy(
    field: 'priority' | 'state' | 'department' | 'kind',
  ): Promise<Record<string, number>>;
  /** Durations from `start` to `end` of records that have both. */
  durations(
    start: ItsmMetricInstant,
    end: ItsmMetricInstant,
  ): Promise<ItsmMetricDurationStats>;
  /** The records themselves, oldest first; at most `limit` (default and cap 10000). */
  list(options?: { limit?: number }): Promise<ItsmMetricRecordRow[]>;
}

/**
 * What a metric's `compute` gets: the window, the entity and a query helper.
 * Nothing here needs a database type; permission filtering and the entity's
 * rollup are applied for you.
 * @public
 */
export interface ItsmMetricContext {
  /** The entity asked about. */
  entityRef: string;
  /** The entity and, for a system, domain or group, the entities rolled up into it. */
  entityRefs: ReadonlyArray<string>;
  /** The annotations of the entity asked about. */
  annotations: Readonly<Record<string, string>>;
  /** The window, [from, to). */
  window: { from: Date; to: Date };
  now: Date;
  records(query?: ItsmMetricRecordQuery): ItsmMetricRecordSet;
}

/**
 * What a metric computes for one window. With n = 0 the value is shown as
 * null whatever is returned.
 * @public
 */
export interface ItsmMetricResult {
  value: number | null;
  n: number;
  mean?: number | null;
  p50?: number | null;
  p90?: number | null;
  byKey?: Record<string, ItsmMetricCount>;
  dataQuality?: ItsmMetricDataQuality;
}

/**
 * A metric a module adds through `itsmMetricsExtensionPoint`; the API serves
 * it like the built-in ones (previous window, series, target, explain).
 * @public
 */
export interface ItsmMetric {
  /** Unique id, lower case with underscores, e.g. `hr_time_to_onboard`. */
  id: string;
  title: string;
  unit: ItsmMetricUnit;
  /** What is measured, for hover text. */
  description: string;
  startEvent?: string;
  endEvent?: string;
  clock?: 'calendar' | 'business';
  /** e.g. `mean`, `count`, `share`. */
  statistic: string;
  /**
   * Which way is better; with a direction, the annotation
   * `backstage-itsm.io/<id with dashes>-target` sets a target.
   */
  direction?: ItsmMetricDirection;
  compute(context: ItsmMetricContext): Promise<ItsmMetricResult>;
}
