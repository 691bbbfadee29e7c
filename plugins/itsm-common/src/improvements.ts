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
  ItsmDataSource,
  ItsmMetricDirection,
  ItsmMetricValue,
  ItsmHealth,
  ItsmMetricSeriesPoint,
} from './metrics';
import type { ItsmRecordKind, ItsmRecordState } from './records';

/** The lifecycle of a continual-improvement item. @public */
export const ITSM_IMPROVEMENT_STATUSES = [
  'proposed',
  'approved',
  'in_progress',
  'done',
  'abandoned',
] as const;

/** @public */
export type ItsmImprovementStatus = (typeof ITSM_IMPROVEMENT_STATUSES)[number];

/**
 * The status changes an improvement may make: one step forward, or abandoned
 * from any open state; an abandoned item may be proposed again. A change that
 * skips a step (proposed to done) is refused.
 * @public
 */
export const ITSM_IMPROVEMENT_TRANSITIONS: Record<
  ItsmImprovementStatus,
  readonly ItsmImprovementStatus[]
> = {
  proposed: ['approved', 'abandoned'],
  approved: ['in_progress', 'abandoned'],
  in_progress: ['done', 'abandoned'],
  done: [],
  abandoned: ['proposed'],
};

/** @public */
export const ITSM_IMPROVEMENT_PRIORITIES = [
  'critical',
  'high',
  'medium',
  'low',
] as const;

/** @public */
export type ItsmImprovementPriority =
  (typeof ITSM_IMPROVEMENT_PRIORITIES)[number];

/**
 * The metric an improvement promises to move. The baseline is captured from
 * the metrics engine when the item is approved, never typed in.
 * @public
 */
export interface ItsmImprovementMetric {
  /** A metric id known to the metrics engine (`mttr`, `change_failure_rate`, ...). */
  metricId: string;
  /** The entity the metric is measured on (a component, system or group). */
  entityRef: string;
  /** The value to reach, in the metric's unit (seconds, ratio 0..1, count, score). */
  target: number;
  /** From the metric's definition. */
  direction: ItsmMetricDirection;
  /** Days of history each measurement covers (default 30). */
  windowDays: number;
  /** Weeks in a row the target must hold before the item counts as sustained (default 4). */
  sustainWeeks: number;
  /** Captured on approval; null before. */
  baseline: number | null;
  baselineN: number | null;
  baselineCapturedAt: string | null;
}

/** @public */
export type ItsmImprovementProgressStatus =
  /** Not approved yet: no baseline to measure from. */
  | 'not_started'
  /** Moving towards the target at least as fast as the time elapsed. */
  | 'on_track'
  /** Behind the pace needed to reach the target by the due date. */
  | 'at_risk'
  /** Past its due date, open, and the target not met. */
  | 'overdue'
  /** The current value meets the target. */
  | 'target_met'
  /** The target held in every one of the last `sustainWeeks` weeks. */
  | 'sustained'
  /** No records in the current window to measure. */
  | 'no_data'
  /**
   * Not measured in this response: the request reached its budget of metric
   * measurements (a long page of items bound to many different metrics).
   * Asking for the item alone, or a shorter page, measures it.
   */
  | 'not_measured'
  /** Done or abandoned without a bound metric, or not measured. */
  | 'closed';

/**
 * Progress computed from live metrics on every read.
 * @public
 */
export interface ItsmImprovementProgress {
  status: ItsmImprovementProgressStatus;
  baseline: number | null;
  current: number | null;
  /** Records behind `current`. */
  n: number;
  target: number | null;
  /** Share of the way from baseline to target, 0 at the baseline, 1 at the target (may go past either end). */
  fraction: number | null;
  /** Share of the time from approval to due date that has passed, 0..1. */
  elapsed: number | null;
  /** The window `current` was measured over. */
  window: { from: string; to: string } | null;
  /** Weekly values over the last `sustainWeeks` weeks. */
  weeks: Array<{
    start: string;
    value: number | null;
    n: number;
    met: boolean | null;
  }>;
  /** Whether the due date has passed while the item is open. */
  overdue: boolean;
}

/** A record that motivated an improvement, as the caller may see it. @public */
export interface ItsmImprovementRecordLink {
  id: string;
  number: string | null;
  title: string;
  kind: ItsmRecordKind;
}

/** @public */
export interface ItsmImprovement {
  id: string;
  title: string;
  description: string;
  entityRefs: string[];
  /** A group or user entity ref. */
  ownerRef: string;
  /** The service desk the item belongs to; confidential departments are sealed like their records. */
  department: string;
  status: ItsmImprovementStatus;
  priority: ItsmImprovementPriority;
  /** A calendar date, `YYYY-MM-DD`; null when none was agreed. */
  dueDate: string | null;
  /** Motivating records the caller may read. */
  records: ItsmImprovementRecordLink[];
  /** Motivating records hidden from the caller by permissions. */
  hiddenRecordCount: number;
  metric: ItsmImprovementMetric | null;
  progress: ItsmImprovementProgress;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  completedAt: string | null;
}

/** @public */
export type ItsmImprovementEventType =
  | 'created'
  | 'updated'
  | 'status_changed'
  | 'baseline_captured'
  | 'commented';

/** One entry of an improvement's history. @public */
export interface ItsmImprovementEvent {
  id: string;
  improvementId: string;
  at: string;
  /** The user or service entity ref that made the change. */
  actor: string;
  type: ItsmImprovementEventType;
  /** Field name to before/after values. */
  changes: Record<string, { from: unknown; to: unknown }>;
  comment: string | null;
}

/** `GET /improvements/:id`. @public */
export interface ItsmImprovementDetails extends ItsmImprovement {
  events: ItsmImprovementEvent[];
}

/** `GET /improvements`. @public */
export interface ItsmImprovementList {
  items: ItsmImprovement[];
  totalCount: number;
}

/**
 * The metric of a create or update request: the entity defaults to the
 * improvement's first, the window to 30 days, the sustain to 4 weeks.
 * @public
 */
export interface ItsmImprovementMetricRequest {
  metricId: string;
  entityRef?: string;
  target: number;
  windowDays?: number;
  sustainWeeks?: number;
}

/** Body of `POST /improvements`. @public */
export interface ItsmImprovementCreateRequest {
  title: string;
  description?: string;
  entityRefs: string[];
  ownerRef: string;
  priority?: ItsmImprovementPriority;
  /** `YYYY-MM-DD`, today or later. */
  dueDate?: string | null;
  recordIds?: string[];
  department?: string;
  metric?: ItsmImprovementMetricRequest | null;
  comment?: string;
}

/** Body of `PATCH /improvements/:id`; every field optional. @public */
export interface ItsmImprovementUpdateRequest {
  title?: string;
  description?: string;
  entityRefs?: string[];
  ownerRef?: string;
  priority?: ItsmImprovementPriority;
  dueDate?: string | null;
  recordIds?: string[];
  status?: ItsmImprovementStatus;
  metric?: ItsmImprovementMetricRequest | null;
  /** Recorded on the event; alone it adds a comment. */
  comment?: string;
}

/** A record as a service review lists it. @public */
export interface ItsmReviewRecord {
  id: string;
  number: string | null;
  title: string;
  kind: ItsmRecordKind;
  state: ItsmRecordState;
  priority: number | null;
  url: string | null;
  openedAt: string;
  resolvedAt: string | null;
  /** Impact (or open-to-resolve) seconds within the record's lifetime. */
  durationSeconds: number | null;
}

/** @public */
export interface ItsmReviewSlaBreach {
  record: ItsmReviewRecord;
  sla: string;
  kind: 'response' | 'resolution';
  targetSeconds: number | null;
  breachAt: string | null;
}

/** @public */
export interface ItsmReviewFailedChange {
  change: ItsmReviewRecord;
  causedIncidents: ItsmReviewRecord[];
}

/** @public */
export interface ItsmReviewImprovement {
  id: string;
  title: string;
  ownerRef: string;
  status: ItsmImprovementStatus;
  dueDate: string | null;
  metricId: string | null;
  baseline: number | null;
  current: number | null;
  target: number | null;
  progressStatus: ItsmImprovementProgressStatus;
}

/**
 * A service review: the period report of an entity or a team.
 * `GET /reviews?entityRef=&period=|from=&to=&format=json|markdown`.
 * @public
 */
export interface ItsmServiceReview {
  entityRef: string;
  entityTitle: string;
  /** E.g. `2026-Q3`, `2026-10`, or `from..to`. */
  period: { label: string; from: string; to: string };
  previous: { from: string; to: string };
  generatedAt: string;
  metrics: Record<string, ItsmMetricValue>;
  /** Weekly series for the trend charts. */
  series: Record<string, ItsmMetricSeriesPoint[]>;
  health: ItsmHealth;
  worstIncidents: ItsmReviewRecord[];
  failedChanges: ItsmReviewFailedChange[];
  slaBreaches: ItsmReviewSlaBreach[];
  openProblems: ItsmReviewRecord[];
  improvements: {
    due: ItsmReviewImprovement[];
    overdue: ItsmReviewImprovement[];
    completed: ItsmReviewImprovement[];
  };
  /** Records the caller may not see, left out of the lists (numbers still count them). */
  hiddenRecordCount: number;
  /**
   * The sources whose records cover the entity and how complete their data
   * was: now for a live review, when it was held for a held one. Absent
   * only on reviews held before sources were recorded.
   */
  sources?: ItsmDataSource[];
  /** Set when the review was held and saved: the numbers are frozen as they were then. */
  held: ItsmHeldReview | null;
}

/** One change of the decisions of a held review. @public */
export interface ItsmHeldReviewAmendment {
  at: string;
  /** The user or service entity ref that made the change. */
  by: string;
  decisions: { from: string; to: string };
}

/** What was saved when a review was held, and what happened to it since. @public */
export interface ItsmHeldReview {
  /** Names the held review in `PATCH|DELETE /reviews/held/{id}`. */
  id: string;
  heldBy: string;
  heldAt: string;
  /** The decisions as they stand now (after the last amendment). */
  decisions: string;
  /** Every change of the decisions since the review was held, oldest first. */
  amendments: ItsmHeldReviewAmendment[];
  /**
   * `frozen`: the figures and lists are those saved when the review was
   * held (each reader still sees only the records they may read).
   * `live`: the reader's `itsm.metrics.read` is conditional, and the frozen
   * figures count every record, so the figures and lists are computed now,
   * under the reader's conditions; only the decisions are from the hold.
   */
  figures: 'frozen' | 'live';
}

/**
 * Body of `POST /reviews`: hold (snapshot) the review of a named period that
 * has ended (`2026-Q3`, `2026-10`).
 * @public
 */
export interface ItsmHoldReviewRequest {
  entityRef: string;
  period: string;
  decisions?: string;
}

/** Body of `PATCH /reviews/held/{id}`: amend the decisions of a held review. @public */
export interface ItsmAmendReviewRequest {
  decisions: string;
}
