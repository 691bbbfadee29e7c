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
  ITSM_BUILTIN_METRIC_DEFINITIONS,
  ItsmMetricDefinition,
  ItsmMetricSeriesPoint,
  ItsmReviewRecord,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';

/** Thirteen weekly points over Q3 2026, from the given values. */
function weekly(values: Array<number | null>): ItsmMetricSeriesPoint[] {
  const start = Date.parse('2026-06-29T00:00:00.000Z');
  const week = 7 * 24 * 3600 * 1000;
  return values.map((value, i) => ({
    start: new Date(
      Math.max(start + i * week, Date.parse('2026-07-01T00:00:00.000Z')),
    ).toISOString(),
    end: new Date(
      Math.min(start + (i + 1) * week, Date.parse('2026-10-01T00:00:00.000Z')),
    ).toISOString(),
    value,
    n: value === null ? 0 : 3,
  }));
}

/** A record as a review lists it; override any field. */
export function makeReviewRecord(
  overrides: Partial<ItsmReviewRecord> & { id: string },
): ItsmReviewRecord {
  return {
    number: null,
    title: `Record ${overrides.id}`,
    kind: 'incident',
    state: 'closed',
    priority: 3,
    url: null,
    openedAt: '2026-08-01T10:00:00.000Z',
    resolvedAt: '2026-08-01T12:00:00.000Z',
    durationSeconds: 7200,
    ...overrides,
  };
}

const def = ITSM_BUILTIN_METRIC_DEFINITIONS;

const cardOutage = makeReviewRecord({
  id: 'inc-1',
  number: 'INC0010231',
  title: 'Card payments fail with 502 after gateway deploy',
  priority: 1,
  url: 'https://northwind.service-now.com/nav_to.do?uri=incident.do?sys_id=1',
  openedAt: '2026-08-14T09:12:00.000Z',
  resolvedAt: '2026-08-14T15:42:00.000Z',
  durationSeconds: 23400,
});

const refundsSlow = makeReviewRecord({
  id: 'inc-2',
  number: 'INC0010377',
  title: 'Refunds take 10 minutes to confirm',
  priority: 2,
  openedAt: '2026-09-02T13:00:00.000Z',
  resolvedAt: '2026-09-02T17:30:00.000Z',
  durationSeconds: 16200,
});

/** The Q3 2026 service review of the payments API: every section has something. */
export const paymentsReview: ItsmServiceReview = {
  entityRef: 'component:default/payments-api',
  entityTitle: 'Payments API',
  period: {
    label: '2026-Q3',
    from: '2026-07-01T00:00:00.000Z',
    to: '2026-10-01T00:00:00.000Z',
  },
  previous: {
    from: '2026-04-01T00:00:00.000Z',
    to: '2026-07-01T00:00:00.000Z',
  },
  generatedAt: '2026-10-02T08:00:00.000Z',
  metrics: {
    incident_count: {
      value: 14,
      n: 14,
      unit: 'count',
      previous: { value: 9, n: 9 },
      definition: def.incident_count,
    },
    mtta: {
      value: 540,
      n: 14,
      unit: 'seconds',
      mean: 540,
      p50: 300,
      p90: 1500,
      target: 900,
      status: 'met',
      previous: { value: 720, n: 9 },
      definition: def.mtta,
    },
    mttr: {
      value: 15120,
      n: 12,
      unit: 'seconds',
      mean: 15120,
      p50: 7200,
      p90: 36000,
      target: 14400,
      status: 'at_risk',
      previous: { value: 18000, n: 9 },
      definition: def.mttr,
    },
    availability: {
      value: 0.9971,
      n: 2,
      unit: 'ratio',
      target: 0.999,
      status: 'breached',
      previous: { value: 0.9995, n: 1 },
      definition: def.availability,
    },
    change_failure_rate: {
      value: 0.125,
      n: 8,
      unit: 'ratio',
      target: 0.15,
      status: 'met',
      previous: { value: 0.2, n: 10 },
      definition: def.change_failure_rate,
    },
    sla_attainment: {
      value: 0.93,
      n: 28,
      unit: 'ratio',
      target: 0.95,
      status: 'at_risk',
      previous: { value: 0.96, n: 25 },
      definition: def.sla_attainment,
    },
    backlog: {
      value: 3,
      n: 3,
      unit: 'count',
      p50: 432000,
      previous: { value: 5, n: 5 },
      definition: def.backlog,
    },
    csat: {
      value: null,
      n: 0,
      unit: 'ratio',
      definition: def.csat,
    },
  },
  series: {
    incident_count: weekly([1, 0, 2, 1, 1, 3, 1, 0, 1, 2, 1, 1, 0]),
    mttr: weekly([
      9000,
      null,
      21000,
      12000,
      8000,
      23400,
      14000,
      null,
      9000,
      16200,
      11000,
      7000,
      null,
    ]),
    mtta: weekly([
      600,
      null,
      400,
      500,
      700,
      300,
      500,
      null,
      600,
      800,
      400,
      500,
      null,
    ]),
    availability: weekly([1, 1, 1, 1, 1, 0.9613, 1, 1, 1, 0.9732, 1, 1, 1]),
    change_failure_rate: weekly([
      0,
      null,
      0,
      0.5,
      0,
      0,
      null,
      0,
      0,
      0.5,
      0,
      null,
      0,
    ]),
    sla_attainment: weekly([1, 1, 0.9, 1, 0.8, 0.75, 1, 1, 0.95, 0.9, 1, 1, 1]),
  },
  health: {
    verdict: 'degraded',
    reasons: [
      'Availability 99.71% is below the 99.9% target',
      'MTTR 4h 12m is above the 4h target',
    ],
  },
  worstIncidents: [cardOutage, refundsSlow],
  failedChanges: [
    {
      change: makeReviewRecord({
        id: 'chg-1',
        number: 'CHG0004410',
        title: 'Deploy payment gateway 4.2',
        kind: 'change',
        priority: null,
        openedAt: '2026-08-14T08:30:00.000Z',
        resolvedAt: '2026-08-14T09:05:00.000Z',
        durationSeconds: 2100,
      }),
      causedIncidents: [cardOutage],
    },
  ],
  slaBreaches: [
    {
      record: cardOutage,
      sla: 'P1 resolution 4h',
      kind: 'resolution',
      targetSeconds: 14400,
      breachAt: '2026-08-14T13:12:00.000Z',
    },
  ],
  openProblems: [
    makeReviewRecord({
      id: 'prb-1',
      number: 'PRB0001207',
      title: 'Gateway connection pool exhausted under retry storms',
      kind: 'problem',
      state: 'in_progress',
      priority: 2,
      openedAt: '2026-08-15T10:00:00.000Z',
      resolvedAt: null,
      durationSeconds: null,
    }),
  ],
  improvements: {
    due: [
      {
        id: 'imp-1',
        title: 'Canary gateway deploys behind a 5% traffic split',
        ownerRef: 'group:default/payments',
        status: 'in_progress',
        dueDate: '2026-12-31',
        metricId: 'change_failure_rate',
        baseline: 0.2,
        current: 0.125,
        target: 0.1,
        progressStatus: 'on_track',
      },
    ],
    overdue: [
      {
        id: 'imp-2',
        title: 'Runbook for gateway rollback',
        ownerRef: 'user:default/priya.raman',
        status: 'approved',
        dueDate: '2026-09-15',
        metricId: 'mttr',
        baseline: 18000,
        current: 15120,
        target: 10800,
        progressStatus: 'overdue',
      },
    ],
    completed: [
      {
        id: 'imp-3',
        title: 'Page the on-call engineer on P2 incidents',
        ownerRef: 'group:default/payments',
        status: 'done',
        dueDate: '2026-08-31',
        metricId: 'mtta',
        baseline: 1500,
        current: 540,
        target: 900,
        progressStatus: 'sustained',
      },
    ],
  },
  hiddenRecordCount: 3,
  held: null,
};

/** The same review, held at the review meeting. */
export const heldPaymentsReview: ItsmServiceReview = {
  ...paymentsReview,
  held: {
    id: 'rev-1',
    heldBy: 'user:default/priya.raman',
    heldAt: '2026-10-06T14:00:00.000Z',
    decisions:
      'Gateway deploys go canary-first from November. Priya owns the rollback runbook.',
    amendments: [],
    figures: 'frozen',
  },
};

const hrDefinition = (
  id: string,
  title: string,
  unit: ItsmMetricDefinition['unit'],
): ItsmMetricDefinition => ({
  id,
  title,
  description: `${title} of HR cases in the period.`,
  startEvent: null,
  endEvent: null,
  clock: 'business',
  statistic: 'mean',
  unit,
  direction: unit === 'ratio' ? 'higher_is_better' : 'lower_is_better',
  targetAnnotation: null,
});

/** The Q3 2026 review of the HR onboarding service: cases, not incidents. */
export const hrReview: ItsmServiceReview = {
  ...paymentsReview,
  entityRef: 'component:default/hr-onboarding',
  entityTitle: 'Employee onboarding',
  metrics: {
    fulfilment_time: {
      value: 259200,
      n: 41,
      unit: 'seconds',
      mean: 259200,
      p50: 172800,
      p90: 604800,
      target: 345600,
      status: 'met',
      previous: { value: 345600, n: 37 },
      definition: def.fulfilment_time,
    },
    hr_first_response_time: {
      value: 14400,
      n: 41,
      unit: 'seconds',
      previous: { value: 21600, n: 37 },
      definition: hrDefinition(
        'hr_first_response_time',
        'First response time',
        'seconds',
      ),
    },
    backlog: {
      value: 6,
      n: 6,
      unit: 'count',
      previous: { value: 9, n: 9 },
      definition: def.backlog,
    },
    mttr: {
      value: 7200,
      n: 1,
      unit: 'seconds',
      definition: def.mttr,
    },
    availability: {
      value: 1,
      n: 0,
      unit: 'ratio',
      definition: def.availability,
    },
  },
  series: {
    fulfilment_time: weekly([
      302400, 259200, 345600, 216000, 259200, 172800, 302400, 259200, 216000,
      259200, 302400, 216000, 259200,
    ]),
  },
  health: { verdict: 'healthy', reasons: [] },
  worstIncidents: [],
  failedChanges: [],
  slaBreaches: [
    {
      record: makeReviewRecord({
        id: 'hr-1',
        number: 'HRC0000812',
        title: 'Onboarding for [redacted]: laptop not ready on day one',
        kind: 'request',
        priority: 2,
        openedAt: '2026-07-20T09:00:00.000Z',
        resolvedAt: '2026-08-03T16:00:00.000Z',
        durationSeconds: 1234800,
      }),
      sla: 'Onboarding ready by day one',
      kind: 'resolution',
      targetSeconds: 864000,
      breachAt: '2026-07-30T09:00:00.000Z',
    },
  ],
  openProblems: [],
  improvements: { due: [], overdue: [], completed: [] },
  hiddenRecordCount: 0,
  held: null,
};
