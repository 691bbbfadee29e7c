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

import { TestDatabases } from '@backstage/backend-test-utils';
import {
  itsmRecordInputSchema,
  ItsmMetricsResponse,
} from '@backstage-itsm/plugin-itsm-common';
import {
  A,
  B,
  ComputeOptions,
  DAY,
  FeedbackSpec,
  HOUR,
  MetricsHarness,
  MINUTE,
  NOW,
  RecordSpec,
  T0,
  W,
} from '../__testUtils__/metricsHarness';
import type { MetricWindow } from './types';

jest.setTimeout(120_000);

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...databaseIds] });
const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('metrics on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}

const close = (value: number) => expect.closeTo(value, 9);
const SYSTEM = 'system:default/payments';

interface MetricCase {
  name: string;
  records?: RecordSpec[];
  feedback?: FeedbackSpec[];
  options?: ComputeOptions;
  /** Partial expectations per metric, hand-computed. */
  expected: Record<string, object>;
  /** Other expectations on the whole response. */
  also?: (response: ItsmMetricsResponse) => void;
}

/*
 * Every case is computed on every database; the window is W = [T0, T0 + 30d)
 * unless the case says otherwise, and the previous window [T0 - 30d, T0).
 */
const cases: MetricCase[] = [
  {
    name: 'incident_count: opened in the window, by priority; cancelled, other entities and the end instant excluded',
    records: [
      { id: 'a', priority: 1, opened: T0 + HOUR },
      { id: 'b', priority: 2, opened: T0 + 2 * HOUR },
      { id: 'c', priority: 2, opened: T0 + 3 * HOUR },
      { id: 'd', priority: null, opened: T0 + 4 * HOUR },
      { id: 'e', priority: 1, opened: T0 - HOUR },
      { id: 'f', priority: 3, opened: W.to },
      { id: 'g', priority: 1, opened: T0 + 5 * HOUR, state: 'cancelled' },
      { id: 'h', priority: 1, opened: T0 + 6 * HOUR, entities: [B] },
    ],
    options: { metrics: ['incident_count'] },
    expected: {
      incident_count: {
        value: 4,
        n: 4,
        unit: 'count',
        byKey: {
          '1': { value: 1, n: 1 },
          '2': { value: 2, n: 2 },
          none: { value: 1, n: 1 },
        },
        previous: { value: 1, n: 1 },
      },
    },
  },
  {
    name: 'mtta: opened in the window and acknowledged; negative durations counted as data quality',
    records: [
      { id: 'a', opened: T0 + HOUR, ack: T0 + HOUR + 10 * MINUTE },
      { id: 'b', opened: T0 + 2 * HOUR, ack: T0 + 2 * HOUR + 20 * MINUTE },
      { id: 'c', opened: T0 + 3 * HOUR, ack: T0 + 4 * HOUR },
      { id: 'd', opened: T0 + 4 * HOUR },
      { id: 'e', opened: T0 + 5 * HOUR, ack: T0 + 5 * HOUR - MINUTE },
      {
        id: 'f',
        opened: T0 + 6 * HOUR,
        ack: T0 + 6 * HOUR + 5 * MINUTE,
        state: 'cancelled',
      },
      { id: 'g', opened: T0 - 2 * HOUR, ack: T0 - 2 * HOUR + 5 * MINUTE },
    ],
    options: { metrics: ['mtta'] },
    expected: {
      mtta: {
        // 600, 1200, 3600 s
        value: 1800,
        n: 3,
        unit: 'seconds',
        mean: 1800,
        p50: 1200,
        p90: close(3120),
        dataQuality: { negativeDurations: 1 },
        previous: { value: 300, n: 1 },
      },
    },
  },
  {
    name: 'mttr: resolved in the window, also when opened before it; open, later and cancelled ones excluded',
    records: [
      { id: 'a', opened: T0 + HOUR, resolved: T0 + 3 * HOUR },
      { id: 'b', opened: T0 - 5 * HOUR, resolved: T0 + HOUR },
      { id: 'c', opened: T0 + 10 * HOUR, closed: T0 + 14 * HOUR },
      { id: 'd', opened: T0 + 29 * DAY + 12 * HOUR },
      { id: 'e', opened: T0 + 29 * DAY, resolved: W.to + HOUR },
      {
        id: 'f',
        opened: T0 + 2 * HOUR,
        resolved: T0 + 3 * HOUR,
        state: 'cancelled',
      },
      { id: 'g', opened: T0 + 5 * HOUR, resolved: T0 + 4 * HOUR },
      { id: 'h', opened: T0 - 3 * DAY, resolved: T0 - 2 * DAY },
      {
        id: 'i',
        opened: T0 + 20 * HOUR,
        resolved: T0 + 21 * HOUR,
        closed: T0 + 25 * HOUR,
        state: 'closed',
      },
    ],
    options: { metrics: ['mttr'] },
    expected: {
      mttr: {
        // 3600, 7200, 14400, 21600 s
        value: 11700,
        n: 4,
        mean: 11700,
        p50: 10800,
        p90: close(19440),
        dataQuality: { negativeDurations: 1 },
        previous: { value: 86400, n: 1 },
      },
    },
  },
  {
    name: 'fulfilment_time: like mttr, for requests',
    records: [
      {
        id: 'a',
        kind: 'request',
        opened: T0 + HOUR,
        resolved: T0 + DAY + HOUR,
      },
      {
        id: 'b',
        kind: 'request',
        opened: T0 + 2 * HOUR,
        resolved: T0 + 2 * DAY + 2 * HOUR,
      },
      { id: 'c', opened: T0 + HOUR, resolved: T0 + 2 * HOUR },
    ],
    options: { metrics: ['fulfilment_time', 'mttr'] },
    expected: {
      fulfilment_time: {
        value: 129600,
        n: 2,
        p50: 129600,
        p90: close(164160),
        previous: { value: null, n: 0 },
      },
      mttr: { value: 3600, n: 1 },
    },
  },
  {
    name: 'reopen_rate: of the incidents resolved in the window',
    records: [
      { id: 'a', opened: T0 + HOUR, resolved: T0 + 2 * HOUR },
      { id: 'b', opened: T0 + HOUR, resolved: T0 + 2 * HOUR, reopen: 2 },
      { id: 'c', opened: T0 + HOUR, resolved: T0 + 2 * HOUR, reopen: 1 },
      { id: 'd', opened: T0 - HOUR, resolved: T0 + 2 * HOUR },
      {
        id: 'e',
        opened: T0 + HOUR,
        resolved: T0 + 2 * HOUR,
        reopen: 1,
        state: 'cancelled',
      },
      { id: 'f', opened: T0 - 3 * HOUR, resolved: T0 - 2 * HOUR, reopen: 1 },
    ],
    options: { metrics: ['reopen_rate'] },
    expected: {
      reopen_rate: { value: 0.5, n: 4, previous: { value: 1, n: 1 } },
    },
  },
  {
    name: 'availability and mtbf: union of overlapping outages, clipped to the window; open ones end at the window end',
    records: [
      {
        id: 'a',
        priority: 1,
        opened: T0 + 10 * HOUR,
        resolved: T0 + 12 * HOUR,
      },
      {
        id: 'b',
        priority: 2,
        opened: T0 + 24 * HOUR,
        resolved: T0 + 28 * HOUR,
      },
      {
        id: 'c',
        priority: 1,
        opened: T0 + 26 * HOUR + 30 * MINUTE,
        impactStart: T0 + 26 * HOUR,
        impactEnd: T0 + 30 * HOUR,
        resolved: T0 + 31 * HOUR,
      },
      {
        id: 'd',
        priority: 3,
        opened: T0 + 50 * HOUR,
        resolved: T0 + 60 * HOUR,
      },
      { id: 'e', priority: 2, opened: T0 - 10 * HOUR, resolved: T0 + 2 * HOUR },
      { id: 'f', priority: 2, opened: T0 + 696 * HOUR },
      {
        id: 'g',
        priority: 1,
        opened: T0 + 100 * HOUR,
        resolved: T0 + 110 * HOUR,
        state: 'cancelled',
      },
      {
        id: 'h',
        priority: 1,
        opened: T0 + 200 * HOUR,
        resolved: T0 + 199 * HOUR,
      },
      {
        id: 'i',
        priority: 1,
        opened: T0 + 10 * HOUR + 30 * MINUTE,
        resolved: T0 + 11 * HOUR,
      },
    ],
    options: { metrics: ['availability', 'mtbf'] },
    expected: {
      // Down: a 2h + (b ∪ c) 6h (not 8h) + e clipped 2h + f 24h = 34h of 720h.
      availability: {
        value: close(1 - 34 / 720),
        n: 6,
        unit: 'ratio',
        dataQuality: { negativeDurations: 1 },
        // e: 10h of the previous window.
        previous: { value: close(1 - 10 / 720), n: 1 },
      },
      // Opened in the window: a, b, c, f, i.
      mtbf: {
        value: close(((720 - 34) * 3600) / 5),
        n: 5,
        previous: { value: close((720 - 10) * 3600), n: 1 },
      },
    },
  },
  {
    name: 'availability: the entity threshold annotation narrows outages to P1',
    records: [
      {
        id: 'a',
        priority: 1,
        opened: T0 + 10 * HOUR,
        resolved: T0 + 12 * HOUR,
      },
      {
        id: 'b',
        priority: 2,
        opened: T0 + 24 * HOUR,
        resolved: T0 + 28 * HOUR,
      },
      {
        id: 'c',
        priority: 1,
        opened: T0 + 26 * HOUR,
        impactEnd: T0 + 30 * HOUR,
        resolved: T0 + 31 * HOUR,
      },
    ],
    options: {
      metrics: ['availability'],
      annotations: { 'backstage-itsm.io/outage-priority-threshold': '1' },
    },
    expected: {
      availability: { value: close(1 - 6 / 720), n: 2 },
    },
  },
  {
    name: 'availability: 1.0 with n 0 when a source maps but no outage overlaps',
    records: [
      { id: 'a', priority: 3, opened: T0 + HOUR, resolved: T0 + 2 * HOUR },
      { id: 'b', priority: 1, opened: T0 - 5 * DAY, resolved: T0 - 4 * DAY },
    ],
    options: { metrics: ['availability', 'mtbf'] },
    expected: {
      availability: { value: 1, n: 0 },
      mtbf: { value: null, n: 0 },
    },
  },
  {
    name: 'every metric is null with n 0, and says no source is connected, when nothing maps to the entity',
    records: [{ id: 'a', priority: 1, opened: T0 + HOUR, entities: [B] }],
    expected: Object.fromEntries(
      [
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
      ].map(id => [
        id,
        {
          value: null,
          n: 0,
          previous: { value: null, n: 0 },
          unknownReason: 'No source connected',
        },
      ]),
    ),
  },
  {
    name: 'change metrics: failed outcomes and caused incidents, each change once; cancelled causes and other providers do not count',
    records: [
      { id: 'c1', kind: 'change', opened: T0, actualEnd: T0 + HOUR },
      {
        id: 'c2',
        kind: 'change',
        opened: T0,
        actualEnd: T0 + 2 * HOUR,
        outcome: 'failed',
      },
      {
        id: 'c3',
        kind: 'change',
        changeType: 'standard',
        opened: T0,
        actualEnd: T0 + 3 * HOUR,
      },
      // Caused by c3; mapped elsewhere, still counts.
      { id: 'i3', opened: T0 + 4 * HOUR, causedBy: 'c3', entities: [B] },
      {
        id: 'c4',
        kind: 'change',
        changeType: 'emergency',
        opened: T0,
        actualEnd: T0 + 4 * HOUR,
      },
      {
        id: 'i4',
        opened: T0 + 5 * HOUR,
        causedBy: 'c4',
        state: 'cancelled',
      },
      {
        id: 'c5',
        kind: 'change',
        changeType: 'emergency',
        opened: T0,
        closed: T0 + 5 * HOUR,
        outcome: 'successful_with_issues',
      },
      {
        id: 'c6',
        kind: 'change',
        opened: T0,
        actualEnd: T0 + 6 * HOUR,
        outcome: 'cancelled',
      },
      {
        id: 'c7',
        kind: 'change',
        opened: T0,
        actualEnd: T0 + 7 * HOUR,
        state: 'cancelled',
      },
      { id: 'c8', kind: 'change', opened: T0, actualEnd: T0 + 8 * HOUR },
      { id: 'i8a', opened: T0 + 9 * HOUR, causedBy: 'c8' },
      { id: 'i8b', opened: T0 + 10 * HOUR, causedBy: 'c8' },
      {
        id: 'c9',
        kind: 'change',
        opened: T0 - 2 * DAY,
        actualEnd: T0 - DAY,
        outcome: 'failed',
      },
      { id: 'c10', kind: 'change', opened: T0, actualEnd: T0 + 11 * HOUR },
      // Same external id in another provider: not a link.
      {
        id: 'i10',
        opened: T0 + 12 * HOUR,
        causedBy: 'c10',
        provider: 'pd:main',
      },
    ],
    options: {
      metrics: [
        'change_count',
        'change_failure_rate',
        'emergency_change_ratio',
      ],
    },
    expected: {
      change_count: {
        value: 7,
        n: 7,
        byKey: {
          emergency: { value: 2, n: 2 },
          normal: { value: 4, n: 4 },
          standard: { value: 1, n: 1 },
        },
        previous: { value: 1, n: 1 },
      },
      change_failure_rate: {
        // c2 (failed), c3 (caused i3), c5 (with issues), c8 (two incidents, once)
        value: close(4 / 7),
        n: 7,
        byKey: {
          emergency: { value: 0.5, n: 2 },
          normal: { value: 0.5, n: 4 },
          standard: { value: 1, n: 1 },
        },
        previous: { value: 1, n: 1 },
      },
      emergency_change_ratio: {
        value: close(2 / 7),
        n: 7,
        previous: { value: 0, n: 1 },
      },
    },
  },
  {
    name: "sla_attainment: the source's breached flag per kind; paused, running and cancelled SLAs excluded; breaching now beside it",
    records: [
      {
        id: 'r1',
        opened: T0,
        slas: [
          {
            kind: 'response',
            stage: 'completed',
            breached: false,
            end: T0 + HOUR,
          },
          {
            kind: 'resolution',
            stage: 'completed',
            breached: false,
            end: T0 + 5 * HOUR,
          },
        ],
      },
      {
        id: 'r2',
        opened: T0,
        slas: [
          {
            kind: 'response',
            stage: 'breached',
            breached: true,
            end: T0 + 2 * HOUR,
          },
          // Stage completed but the source says breached: the flag wins.
          {
            kind: 'resolution',
            stage: 'completed',
            breached: true,
            end: T0 + 6 * HOUR,
          },
        ],
      },
      {
        id: 'r3',
        opened: T0,
        slas: [
          { kind: 'response', stage: 'paused', breached: false },
          {
            kind: 'resolution',
            stage: 'cancelled',
            breached: false,
            end: T0 + 3 * HOUR,
          },
        ],
      },
      {
        id: 'r4',
        opened: T0,
        slas: [
          {
            kind: 'resolution',
            stage: 'in_progress',
            breached: false,
            breachAt: T0 + 31 * DAY,
          },
          {
            kind: 'response',
            stage: 'in_progress',
            breached: false,
            breachAt: NOW + DAY,
          },
        ],
      },
      {
        id: 'r5',
        opened: T0 - 2 * HOUR,
        slas: [
          {
            kind: 'response',
            stage: 'completed',
            breached: false,
            end: T0 - HOUR,
          },
        ],
      },
      {
        id: 'r6',
        opened: T0,
        slas: [{ kind: 'resolution', stage: 'in_progress', breached: true }],
      },
    ],
    options: { metrics: ['sla_attainment'] },
    expected: {
      sla_attainment: {
        value: 0.5,
        n: 4,
        byKey: {
          resolution: { value: 0.5, n: 2 },
          response: { value: 0.5, n: 2 },
        },
        breachingNow: { n: 2, byKey: { resolution: 2 } },
        previous: { value: 1, n: 1 },
      },
    },
    also: response =>
      expect(response.health.reasons).toContain(
        '2 SLAs are running past the breach time',
      ),
  },
  {
    name: 'backlog: open at the end of the window, with median age; closed-before-resolved and instant-less closed ones handled',
    records: [
      { id: 'a', priority: 1, opened: T0 + DAY },
      { id: 'b', priority: 2, opened: T0 - 10 * DAY, resolved: W.to + DAY },
      { id: 'c', opened: T0 + 2 * DAY, resolved: T0 + 3 * DAY },
      { id: 'd', opened: T0 + 29 * DAY, closed: T0 + 29 * DAY + 12 * HOUR },
      { id: 'e', priority: 1, opened: T0 + DAY, state: 'cancelled' },
      { id: 'f', opened: W.to },
      { id: 'g', opened: T0 + DAY, state: 'closed' },
      {
        id: 'h',
        priority: 4,
        opened: T0 + 20 * DAY,
        closed: T0 + 25 * DAY,
        resolved: T0 + 35 * DAY,
      },
      { id: 'i', priority: 2, opened: T0 + 5 * DAY },
      { id: 'p', kind: 'problem', opened: T0 + DAY },
      {
        id: 'q',
        kind: 'problem',
        opened: T0 + DAY,
        resolved: T0 + 2 * DAY,
      },
    ],
    options: { metrics: ['backlog', 'problem_backlog'] },
    expected: {
      backlog: {
        // a (29d), b (40d), i (25d)
        value: 3,
        n: 3,
        p50: 29 * 86400,
        byKey: { '1': { value: 1, n: 1 }, '2': { value: 2, n: 2 } },
        dataQuality: { negativeDurations: 0, missingEndInstants: 1 },
        previous: { value: 1, n: 1 },
      },
      problem_backlog: { value: 1, n: 1, p50: 29 * 86400 },
    },
    also: response => {
      expect(response.health.verdict).toBe('degraded');
      expect(response.health.reasons).toContain('3 P1/P2 incidents are open');
    },
  },
  {
    name: 'csat and nps: answers about the entity or its records, each once, on both scales',
    records: [
      { id: 'r1', opened: T0 },
      { id: 'r2', opened: T0, entities: [B] },
    ],
    feedback: [
      { id: 'f1', scale: 'csat5', score: 5, at: T0 + HOUR, entityRef: A },
      { id: 'f2', scale: 'csat5', score: 4, at: T0 + HOUR, record: 'r1' },
      { id: 'f3', scale: 'csat5', score: 2, at: T0 + HOUR, record: 'r1' },
      { id: 'f4', scale: 'csat5', score: 3, at: T0 + HOUR, entityRef: B },
      { id: 'f5', scale: 'csat5', score: 5, at: T0 + HOUR, record: 'r2' },
      {
        id: 'f6',
        scale: 'csat5',
        score: 5,
        at: T0 + HOUR,
        entityRef: A,
        record: 'r1',
      },
      { id: 'f7', scale: 'csat5', score: 5, at: T0 - HOUR, entityRef: A },
      { id: 'g1', scale: 'nps10', score: 10, at: T0 + HOUR, entityRef: A },
      { id: 'g2', scale: 'nps10', score: 9, at: T0 + HOUR, record: 'r1' },
      { id: 'g3', scale: 'nps10', score: 8, at: T0 + HOUR, entityRef: A },
      { id: 'g4', scale: 'nps10', score: 6, at: T0 + HOUR, entityRef: A },
      { id: 'g5', scale: 'nps10', score: 0, at: T0 + HOUR, record: 'r1' },
      { id: 'g6', scale: 'nps10', score: 9, at: T0 + HOUR, entityRef: A },
    ],
    options: { metrics: ['csat', 'nps'] },
    expected: {
      csat: {
        value: 0.75,
        n: 4,
        byKey: {
          '2': { value: 1, n: 1 },
          '4': { value: 1, n: 1 },
          '5': { value: 2, n: 2 },
        },
        previous: { value: 1, n: 1 },
      },
      nps: {
        // 3 promoters, 1 passive, 2 detractors of 6
        value: close(100 / 6),
        n: 6,
        unit: 'score',
        byKey: {
          promoters: { value: 3, n: 3 },
          passives: { value: 1, n: 1 },
          detractors: { value: 2, n: 2 },
        },
      },
    },
  },
  {
    name: 'permission filter: records the caller may not read do not count, nor answers about them, nor incidents they caused',
    records: [
      { id: 'a', priority: 1, opened: T0 + HOUR, resolved: T0 + 2 * HOUR },
      {
        id: 'hr1',
        priority: 1,
        opened: T0 + HOUR,
        resolved: T0 + 5 * HOUR,
        provider: 'hr:desk',
      },
      { id: 'c1', kind: 'change', opened: T0, actualEnd: T0 + HOUR },
      {
        id: 'hr2',
        kind: 'change',
        opened: T0,
        actualEnd: T0 + HOUR,
        provider: 'hr:desk',
      },
      {
        id: 'hr3',
        opened: T0 + 2 * HOUR,
        causedBy: 'hr2',
        provider: 'hr:desk',
      },
    ],
    feedback: [
      { id: 'f1', scale: 'csat5', score: 5, at: T0 + HOUR, record: 'a' },
      {
        id: 'f2',
        scale: 'csat5',
        score: 1,
        at: T0 + HOUR,
        record: 'hr1',
        provider: 'hr:desk',
      },
      {
        id: 'f3',
        scale: 'csat5',
        score: 1,
        at: T0 + HOUR,
        entityRef: A,
        provider: 'hr:desk',
      },
    ],
    options: {
      metrics: ['incident_count', 'mttr', 'change_failure_rate', 'csat'],
      filter: { not: { key: 'department', values: ['hr'] } },
    },
    expected: {
      incident_count: { value: 1, n: 1 },
      mttr: { value: 3600, n: 1 },
      change_failure_rate: { value: 0, n: 1 },
      csat: { value: 1, n: 1 },
    },
  },
  {
    name: 'rollup: a record mapped to two components of a system counts once',
    records: [
      {
        id: 'shared',
        priority: 1,
        opened: T0 + HOUR,
        resolved: T0 + 2 * HOUR,
        entities: [A, B],
      },
      { id: 'onlyB', priority: 2, opened: T0 + HOUR, entities: [B] },
    ],
    options: {
      metrics: ['incident_count', 'mttr'],
      entityRefs: [SYSTEM, A, B],
    },
    expected: {
      incident_count: { value: 2, n: 2 },
      mttr: { value: 3600, n: 1 },
    },
  },
  {
    name: 'targets: status per metric and an unhealthy verdict; invalid annotations are reported',
    records: [
      { id: 'a', priority: 1, opened: T0 + HOUR, resolved: T0 + 6 * HOUR },
      { id: 'b', priority: 3, opened: T0 + HOUR, resolved: T0 + 2 * HOUR },
    ],
    options: {
      metrics: ['mttr', 'mtta', 'availability', 'reopen_rate', 'csat'],
      annotations: {
        'backstage-itsm.io/mttr-target': '4h',
        // 5h of 720h down: 99.3056%
        'backstage-itsm.io/availability-target': '99.9',
        'backstage-itsm.io/reopen-rate-target': '5%',
        'backstage-itsm.io/csat-target': '80',
        'backstage-itsm.io/mtta-target': 'soon',
      },
    },
    expected: {
      mttr: { value: 10800, target: 14400, status: 'met' },
      availability: { target: close(0.999), status: 'breached' },
      reopen_rate: { value: 0, status: 'met' },
      csat: { value: null, target: 0.8, status: 'no_data' },
      mtta: { status: 'no_target' },
    },
    also: response => {
      expect(response.health.verdict).toBe('unhealthy');
      expect(response.health.reasons[0]).toMatch(
        /^Availability 99\.306% breaches its target 99\.9%$/,
      );
      expect(response.warnings).toEqual([
        expect.stringMatching(
          /^Ignored annotation backstage-itsm\.io\/mtta-target: 'soon' is not a duration/,
        ),
      ]);
    },
  },
  {
    name: 'series: weekly buckets tile the window (clipped at its ends) and sum to it; an empty week of a covered entity counts 0',
    records: [
      { id: 'a', opened: T0 + HOUR },
      { id: 'b', opened: T0 + 3 * DAY },
      { id: 'c', opened: T0 + 10 * DAY },
      { id: 'd', opened: T0 + 29 * DAY },
    ],
    options: { metrics: ['incident_count'], bucket: 'week' },
    expected: { incident_count: { value: 4 } },
    also: response => {
      // 2026-03-01 is a Sunday: the first ISO week is clipped to one day.
      expect(response.series!.incident_count).toEqual([
        {
          start: '2026-03-01T00:00:00.000Z',
          end: '2026-03-02T00:00:00.000Z',
          value: 1,
          n: 1,
        },
        {
          start: '2026-03-02T00:00:00.000Z',
          end: '2026-03-09T00:00:00.000Z',
          value: 1,
          n: 1,
        },
        {
          start: '2026-03-09T00:00:00.000Z',
          end: '2026-03-16T00:00:00.000Z',
          value: 1,
          n: 1,
        },
        // Records map to the entity, so a source covers it: an empty week
        // counts 0 incidents, not unknown.
        {
          start: '2026-03-16T00:00:00.000Z',
          end: '2026-03-23T00:00:00.000Z',
          value: 0,
          n: 0,
        },
        {
          start: '2026-03-23T00:00:00.000Z',
          end: '2026-03-30T00:00:00.000Z',
          value: 0,
          n: 0,
        },
        {
          start: '2026-03-30T00:00:00.000Z',
          end: '2026-03-31T00:00:00.000Z',
          value: 1,
          n: 1,
        },
      ]);
    },
  },
  {
    name: 'explain: the records behind mttr, with the ones excluded for data quality',
    records: [
      { id: 'a', opened: T0 + HOUR, resolved: T0 + 2 * HOUR },
      { id: 'b', opened: T0 + HOUR, resolved: T0 + 3 * HOUR },
      { id: 'neg', opened: T0 + 5 * HOUR, resolved: T0 + 4 * HOUR },
      { id: 'late', opened: T0 + HOUR, resolved: W.to + HOUR },
    ],
    options: { metrics: ['mttr'], explain: 'mttr' },
    expected: { mttr: { n: 2 } },
    also: response => {
      expect(response.explain).toMatchObject({
        metricId: 'mttr',
        truncated: false,
      });
      expect(response.explain!.recordIds).toHaveLength(2);
      expect(response.explain!.excludedRecordIds).toHaveLength(1);
    },
  },
];

/**
 * Sixty days of varied records (every 3 days an incident, every 5th an
 * outage of priority 1, some resolved before opened; a change every 4 days,
 * every 3rd failed; SLAs and answers): enough for a daily series of many
 * slices on SQLite, where the engine runs it as short statements.
 */
const LONG_SERIES: MetricWindow = { from: T0, to: T0 + 60 * DAY };
const longSeriesRecords: RecordSpec[] = [
  ...Array.from({ length: 20 }, (_, k): RecordSpec => {
    const opened = T0 + k * 3 * DAY + (k % 5) * HOUR;
    return {
      id: `inc-${k}`,
      priority: k % 5 === 0 ? 1 : 3,
      opened,
      ack: opened + (10 + k) * MINUTE,
      resolved: k % 7 === 6 ? opened - HOUR : opened + (2 + (k % 4)) * HOUR,
      impactStart: k % 5 === 0 ? opened : undefined,
      impactEnd: k % 5 === 0 ? opened + (1 + (k % 3)) * HOUR : undefined,
      reopen: k % 6 === 0 ? 1 : 0,
      entities: k % 2 === 0 ? [A] : [A, B],
      slas: [
        {
          kind: 'resolution',
          stage: k % 4 === 0 ? 'breached' : 'completed',
          breached: k % 4 === 0,
          end: opened + 3 * HOUR,
        },
      ],
    };
  }),
  ...Array.from(
    { length: 15 },
    (_, k): RecordSpec => ({
      id: `chg-${k}`,
      kind: 'change',
      opened: T0 + k * 4 * DAY,
      actualEnd: T0 + k * 4 * DAY + 2 * HOUR,
      changeType: k % 5 === 0 ? 'emergency' : 'normal',
      outcome: k % 3 === 0 ? 'failed' : 'successful',
    }),
  ),
  { id: 'open-old', opened: T0 - 10 * DAY },
  { id: 'prb', kind: 'problem', opened: T0 + 20 * DAY },
];
const longSeriesFeedback: FeedbackSpec[] = Array.from(
  { length: 12 },
  (_, k) => ({
    id: `fb-${k}`,
    scale: k % 2 === 0 ? 'csat5' : 'nps10',
    score: k % 2 === 0 ? 1 + (k % 5) : k % 11,
    at: T0 + k * 5 * DAY + HOUR,
    record: `inc-${k}`,
  }),
);

cases.push({
  name: 'series: a daily series of 60 days, every metric',
  records: longSeriesRecords,
  feedback: longSeriesFeedback,
  options: { bucket: 'day', window: LONG_SERIES },
  expected: {
    incident_count: { value: 20 },
    change_count: { value: 15 },
  },
  also: response => {
    expect(response.series!.incident_count).toHaveLength(60);
    const sum = (id: string) =>
      response.series![id].reduce((total, point) => total + point.n, 0);
    expect(sum('incident_count')).toBe(20);
    expect(sum('change_count')).toBe(15);
    expect(sum('sla_attainment')).toBe(response.metrics.sla_attainment.n);
  },
});

/** The numbers of each case on each database, compared at the end. */
const seen = new Map<string, Map<string, unknown>>();

describe.each(databases.eachSupportedId())('metrics on %s', databaseId => {
  let harness: MetricsHarness;

  beforeAll(async () => {
    harness = await MetricsHarness.create(await databases.init(databaseId));
  });

  afterEach(async () => {
    await harness.clear();
  });

  it.each(cases.map(c => [c.name, c] as const))('%s', async (_name, c) => {
    await harness.seed(c.records ?? [], c.feedback ?? []);
    const response = await harness.compute(c.options);
    expect(response.metrics).toMatchObject(c.expected);
    c.also?.(response);
    const numbers = seen.get(c.name) ?? new Map();
    numbers.set(databaseId, {
      metrics: Object.fromEntries(
        Object.entries(response.metrics).map(([id, m]) => [
          id,
          { ...m, definition: undefined },
        ]),
      ),
      series: response.series,
      health: response.health,
    });
    seen.set(c.name, numbers);
  });

  it('computes every bucket of a long series as that window asked alone', async () => {
    await harness.seed(longSeriesRecords, longSeriesFeedback);
    const series = await harness.compute({
      bucket: 'day',
      window: LONG_SERIES,
    });
    // A few buckets from different slices of the series (12 per slice).
    for (const day of [0, 6, 13, 30, 45, 57]) {
      const window = { from: T0 + day * DAY, to: T0 + (day + 1) * DAY };
      const alone = await harness.compute({ window });
      for (const [id, points] of Object.entries(series.series!)) {
        const { value, n } = alone.metrics[id];
        expect({ id, day, value: points[day].value, n: points[day].n }).toEqual(
          { id, day, value, n },
        );
      }
    }
  });

  it('takes instants given with offsets as the same UTC instants', async () => {
    await harness.seed([{ id: 'a', opened: T0 + HOUR }]);
    // 01:30 at +02:00 on 1 March is 23:30 UTC on 28 February: previous window.
    await harness.store.commitBatch({
      providerId: 'sn:corp',
      department: 'it',
      records: [
        {
          record: itsmRecordInputSchema.parse({
            externalId: 'tz',
            kind: 'incident',
            title: 'Opened just after midnight in Helsinki',
            state: 'new',
            openedAt: '2026-03-01T01:30:00+02:00',
            sourceUpdatedAt: '2026-03-01T01:30:00+02:00',
          }),
          entities: [{ entityRef: A, via: 'provider', ownerRef: null }],
        },
      ],
      feedback: [],
      deadLetters: [],
    });
    const response = await harness.compute({
      metrics: ['incident_count'],
      window: { from: Date.parse('2026-03-01T01:00:00+01:00'), to: W.to },
    });
    expect(response.from).toBe('2026-03-01T00:00:00.000Z');
    expect(response.metrics.incident_count).toMatchObject({
      value: 1,
      previous: { value: 1, n: 1 },
    });
  });
});

describe('both databases', () => {
  it('give identical numbers for every case', () => {
    const compared = [...seen.values()].filter(byDb => byDb.size === 2);
    if (databases.eachSupportedId().length < 2) {
      return;
    }
    expect(compared).toHaveLength(cases.length);
    for (const byDb of compared) {
      const [first, second] = [...byDb.values()];
      expect(second).toEqual(first);
    }
  });
});
