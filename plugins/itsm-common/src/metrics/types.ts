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

/**
 * The outcome metrics the backend computes (DESIGN.md section 7), in the
 * order the API lists them.
 * @public
 */
export const ITSM_BUILTIN_METRIC_IDS = [
  'incident_count',
  'mtta',
  'mttr',
  'availability',
  'mtbf',
  'change_count',
  'change_failure_rate',
  'emergency_change_ratio',
  'sla_attainment',
  'reopen_rate',
  'backlog',
  'problem_backlog',
  'csat',
  'nps',
  'fulfilment_time',
] as const;

/** @public */
export type ItsmBuiltinMetricId = (typeof ITSM_BUILTIN_METRIC_IDS)[number];

/** Bucket sizes of a metric series (UTC calendar days, ISO weeks, months). @public */
export const ITSM_METRIC_BUCKETS = ['day', 'week', 'month'] as const;

/** @public */
export type ItsmMetricBucket = (typeof ITSM_METRIC_BUCKETS)[number];

/**
 * The unit of a metric value: `seconds` for durations, `ratio` for shares in
 * 0..1, `count`, and `score` for NPS (-100..100).
 * @public
 */
export type ItsmMetricUnit = 'seconds' | 'ratio' | 'count' | 'score';

/** Which way a metric improves; `null` when neither (e.g. change count). @public */
export type ItsmMetricDirection = 'lower_is_better' | 'higher_is_better';

/**
 * A metric against its target: `met`; `at_risk` when it misses the target by
 * at most 10% (see the backend README for the exact rule); `breached`;
 * `no_target` when the entity sets none; `no_data` when there is a target but
 * the value is null (n = 0).
 * @public
 */
export type ItsmMetricStatus =
  | 'met'
  | 'at_risk'
  | 'breached'
  | 'no_target'
  | 'no_data';

/**
 * What a metric measures, served with every value so cards can show it on
 * hover ("MTTR" means four different things across vendors).
 * @public
 */
export interface ItsmMetricDefinition {
  id: string;
  title: string;
  /** One or two sentences: which records, which instants, which statistic. */
  description: string;
  /** The instant a duration starts at, e.g. `opened_at`; null for non-durations. */
  startEvent: string | null;
  /** The instant a duration ends at, e.g. `resolved_at, else closed_at`. */
  endEvent: string | null;
  /** Calendar time or business hours; null when no clock is involved. */
  clock: 'calendar' | 'business' | null;
  /** The statistic `value` holds, e.g. `mean`, `count`, `share`. */
  statistic: string;
  unit: ItsmMetricUnit;
  /** Null when the metric has no better direction (no target applies). */
  direction: ItsmMetricDirection | null;
  /** The annotation that sets the metric's target on an entity. */
  targetAnnotation: string | null;
}

/** A value and the number of observations behind it. @public */
export interface ItsmMetricCount {
  /** Null when n is 0. */
  value: number | null;
  n: number;
}

/**
 * Records left out of a metric because their data is inconsistent, e.g. a
 * resolution before the opening (a negative duration is never averaged in).
 * @public
 */
export interface ItsmMetricDataQuality {
  /** Records whose duration or outage interval is negative: excluded. */
  negativeDurations: number;
  /** Records in a resolved or closed state without a resolution or closure instant: excluded (backlog). */
  missingEndInstants?: number;
}

/** One metric of an entity over the window (GET /metrics). @public */
export interface ItsmMetricValue {
  /**
   * The mean for durations, the count for counts and backlog, the share for
   * ratios. With n 0: a count is 0 and availability 1.0 when a source covers
   * the entity (`coverage`), null when none does; any other metric is null.
   * Null also when no covering source can measure it (`unknownReason`).
   */
  value: number | null;
  /** Observations behind the value (records, SLAs, answers, outage incidents). */
  n: number;
  unit: ItsmMetricUnit;
  /** Durations: the mean (same as value), and linear-interpolated percentiles. */
  mean?: number | null;
  /** Durations: the median; backlog: the median age in seconds. */
  p50?: number | null;
  p90?: number | null;
  /** Breakdown: priority (incident_count, backlog), change type, SLA kind, scale. */
  byKey?: Record<string, ItsmMetricCount>;
  /** The entity's target, in the metric's unit, from its annotation. */
  target?: number;
  status?: ItsmMetricStatus;
  /** The same metric over the previous window of equal length. */
  previous?: ItsmMetricCount;
  dataQuality?: ItsmMetricDataQuality;
  /** sla_attainment only: SLAs still running but already past their breach time, now. */
  breachingNow?: { n: number; byKey: Record<string, number> };
  /**
   * Why `value` is null although the window was read: no source covers the
   * entity ("No source connected"), or none of the covering sources can
   * measure this metric ("PagerDuty does not report reopenings"). Absent
   * when the value is a number, and when it is null only because n is 0
   * (a mean of nothing).
   */
  unknownReason?: string;
  /**
   * What the covering sources say about how this value was made (a
   * heuristic link, a priority mapping from config), one sentence each.
   */
  notes?: string[];
  definition: ItsmMetricDefinition;
}

/**
 * The `unknownReason` of every built-in metric of an entity no source
 * covers: the entity is unknown as a whole (`coverage.covered` is false),
 * not one metric. @public
 */
export const ITSM_NO_SOURCE_CONNECTED = 'No source connected';

/**
 * Whether any source covers the entity of a metrics answer: a configured
 * provider maps on an annotation the entity (or an entity rolled up into
 * it) bears, or a record maps to it. Counts are 0 when covered and null
 * when not. @public
 */
export interface ItsmMetricsCoverage {
  covered: boolean;
  /**
   * The annotations the configured providers map on: what to add to the
   * entity's catalog-info.yaml to connect a source. Sorted.
   */
  annotations: string[];
}

/** One bucket of a metric series. @public */
export interface ItsmMetricSeriesPoint {
  /** Start of the bucket (UTC), clipped to the window. */
  start: string;
  /** End of the bucket (exclusive), clipped to the window. */
  end: string;
  value: number | null;
  n: number;
}

/** @public */
export type ItsmHealthVerdict =
  | 'healthy'
  | 'degraded'
  | 'unhealthy'
  /** No source covers the entity: nothing to judge (the reason says what to add). */
  | 'unknown';

/** An entity's health, judged from the metrics of the response against its targets. @public */
export interface ItsmHealth {
  verdict: ItsmHealthVerdict;
  reasons: string[];
}

/** The records behind one metric over the window (`explain=<metricId>`). @public */
export interface ItsmMetricExplanation {
  metricId: string;
  /** Records counted in n (for feedback: the records the answers are about). */
  recordIds: string[];
  /** The subset that makes a ratio's numerator or the notable part, with what it is. */
  highlight?: { description: string; recordIds: string[] };
  /** Records left out for data quality (negative durations, missing instants). */
  excludedRecordIds?: string[];
  /** Survey answers counted (csat, nps), since answers may name an entity without a record. */
  feedbackIds?: string[];
  /**
   * Records counted in the value that the caller may not read (sealed by
   * `itsm.record.read`); their ids are left out of the lists above.
   */
  hiddenRecordCount?: number;
  /** True when a list was cut at its cap (1000 ids). */
  truncated: boolean;
}

/**
 * A source whose records cover the entity (or its rollup) of a metrics
 * answer or a service review, and how complete its data is. It carries no
 * error text and no cursor: only flags, instants and the names of the parts
 * its last run could not read.
 * @public
 */
export interface ItsmDataSource {
  /** E.g. `servicenow:corp`. */
  providerId: string;
  /** The service desk the source feeds (`it`, `hr`, ...). */
  department: string;
  /** When the last successful sync run ended; null before any succeeded. */
  lastSucceededAt: string | null;
  /** When the last sync run ended, successful or not; null before any ended. */
  lastFinishedAt: string | null;
  /**
   * The last run that ended, ended with an error: what changed at the source
   * since `lastSucceededAt` may be missing.
   */
  lastRunFailed: boolean;
  /**
   * Parts (tables, endpoints) the last run could not read while the others
   * synced; their records may be missing or stale.
   */
  failedParts: string[];
  /**
   * False while no run has succeeded and one is under way: the source's
   * history is still arriving.
   */
  firstRunFinished: boolean;
}

/** GET /metrics. @public */
export interface ItsmMetricsResponse {
  entityRef: string;
  from: string;
  to: string;
  /** The previous window compared with, of equal length. */
  previous: { from: string; to: string };
  /** How many catalog entities the records were gathered from (1, or a rollup). */
  scope: { entityCount: number };
  metrics: Record<string, ItsmMetricValue>;
  bucket?: ItsmMetricBucket;
  series?: Record<string, ItsmMetricSeriesPoint[]>;
  health: ItsmHealth;
  explain?: ItsmMetricExplanation;
  /** Annotations that could not be read (invalid targets, threshold). */
  warnings: string[];
  /**
   * The sources whose records cover the entity, by provider id: every
   * `GET /metrics` answer lists them (empty when none does). Absent only
   * where the backend computes metrics for its own use.
   */
  sources?: ItsmDataSource[];
  /** Whether a source covers the entity; absent where `sources` is. */
  coverage?: ItsmMetricsCoverage;
}
