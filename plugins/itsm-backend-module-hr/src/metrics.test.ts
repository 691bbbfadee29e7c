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

import { createInMemoryItsmMetricContext } from '@backstage-itsm/plugin-itsm-node/testUtils';
import {
  ANNOTATION_HR_FIRST_RESPONSE_TIME_TARGET,
  ANNOTATION_HR_ONBOARDING_COMPLETION_TIME_TARGET,
  hrOnboardingCompletionTimeMetric,
  hrFirstResponseTimeMetric,
} from './metrics';

const window = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };

/** HR requests (unless said otherwise), resolved unless said otherwise. */
const records = [
  // Onboarding, first response after 600 s, resolved after 2 days.
  {
    id: 'a',
    category: 'onboarding',
    department: 'hr',
    title: 'Onboarding: new starter in Finance ([redacted])',
    openedAt: '2026-03-02T09:00:00Z',
    acknowledgedAt: '2026-03-02T09:10:00Z',
    resolvedAt: '2026-03-04T09:00:00Z',
  },
  // Payroll: 3600 s to respond; not onboarding.
  {
    id: 'b',
    category: 'payroll_query',
    department: 'hr',
    title: 'Payroll: change of bank details',
    openedAt: '2026-03-05T10:00:00Z',
    acknowledgedAt: '2026-03-05T11:00:00Z',
    resolvedAt: '2026-03-05T12:00:00Z',
  },
  // Onboarding: 1800 s, 1 day.
  {
    id: 'c',
    category: 'onboarding',
    department: 'hr',
    title: 'ONBOARDING: laptop',
    openedAt: '2026-03-10T08:00:00Z',
    acknowledgedAt: '2026-03-10T08:30:00Z',
    resolvedAt: '2026-03-11T08:00:00Z',
  },
  // Opened before the window, resolved in it after 6 days.
  {
    id: 'd',
    category: 'onboarding',
    department: 'hr',
    title: 'Onboarding: contract check',
    openedAt: '2026-02-25T00:00:00Z',
    acknowledgedAt: '2026-02-25T00:05:00Z',
    resolvedAt: '2026-03-03T00:00:00Z',
  },
  // Cancelled: never counted.
  {
    id: 'e',
    category: 'onboarding',
    department: 'hr',
    state: 'cancelled' as const,
    title: 'Onboarding: withdrawn offer',
    openedAt: '2026-03-06T00:00:00Z',
    acknowledgedAt: '2026-03-06T00:01:00Z',
    resolvedAt: '2026-03-06T01:00:00Z',
  },
  // Another desk.
  {
    id: 'f',
    category: 'onboarding',
    department: 'it',
    title: 'Onboarding: laptop imaging',
    openedAt: '2026-03-03T00:00:00Z',
    acknowledgedAt: '2026-03-03T00:01:00Z',
    resolvedAt: '2026-03-03T01:00:00Z',
  },
  // No first response yet.
  {
    id: 'g',
    category: 'leave_request',
    department: 'hr',
    state: 'new' as const,
    title: 'Leave: parental leave',
    openedAt: '2026-03-12T00:00:00Z',
  },
  // Resolved before it was opened (bad data): first response 1200 s.
  {
    id: 'h',
    category: 'onboarding',
    department: 'hr',
    title: 'Onboarding: badge',
    openedAt: '2026-03-20T00:00:00Z',
    acknowledgedAt: '2026-03-20T00:20:00Z',
    resolvedAt: '2026-03-19T00:00:00Z',
  },
  // Resolved after the window.
  {
    id: 'i',
    category: 'onboarding',
    department: 'hr',
    title: 'Onboarding: late one',
    openedAt: '2026-02-01T00:00:00Z',
    resolvedAt: '2026-04-02T00:00:00Z',
  },
];

const DAY = 86400;

describe('hr_first_response_time', () => {
  it('is the mean time to first response of HR cases opened in the window, with p50 and p90', async () => {
    const result = await hrFirstResponseTimeMetric.compute(
      createInMemoryItsmMetricContext({ records, window }),
    );
    // a 600, b 3600, c 1800, h 1200 (d opened before the window, g unanswered).
    expect(result).toEqual({
      value: 1800,
      n: 4,
      mean: 1800,
      p50: 1500,
      p90: 3060,
      dataQuality: { negativeDurations: 0 },
    });
  });

  it('is null with n 0 when no case was answered', async () => {
    const result = await hrFirstResponseTimeMetric.compute(
      createInMemoryItsmMetricContext({ records: [records[6]], window }),
    );
    expect(result).toMatchObject({ value: null, n: 0 });
  });

  it('is defined for the API and the cards', () => {
    expect(hrFirstResponseTimeMetric).toMatchObject({
      id: 'hr_first_response_time',
      unit: 'seconds',
      direction: 'lower_is_better',
      startEvent: 'opened_at',
      clock: 'calendar',
    });
    expect(ANNOTATION_HR_FIRST_RESPONSE_TIME_TARGET).toBe(
      'backstage-itsm.io/hr-first-response-time-target',
    );
  });
});

describe('hr_onboarding_completion_time', () => {
  const metric = hrOnboardingCompletionTimeMetric;

  it('is the mean time from opening to resolution of onboarding cases resolved in the window', async () => {
    const result = await metric.compute(
      createInMemoryItsmMetricContext({ records, window }),
    );
    // a 2 d, c 1 d, d 6 d; h is negative and left out.
    expect(result).toEqual({
      value: 3 * DAY,
      n: 3,
      mean: 3 * DAY,
      p50: 2 * DAY,
      p90: 2 * DAY + 0.8 * 4 * DAY,
      dataQuality: { negativeDurations: 1 },
    });
  });

  it('asks the database for the onboarding category only, by the category the source mapping stored', async () => {
    const context = createInMemoryItsmMetricContext({
      window,
      records: [
        {
          id: 'x',
          category: 'onboarding',
          department: 'hr',
          title: 'New hire: Finance',
          openedAt: '2026-03-02T00:00:00Z',
          resolvedAt: '2026-03-02T01:00:00Z',
        },
        {
          id: 'y',
          category: 'policy_question',
          department: 'hr',
          title: 'Onboarding: is it paid?',
          openedAt: '2026-03-02T00:00:00Z',
          resolvedAt: '2026-03-02T05:00:00Z',
        },
      ],
    });
    const result = await metric.compute(context);
    expect(result).toMatchObject({ value: 3600, n: 1 });
    expect(context.queries).toEqual([
      expect.objectContaining({ categories: ['onboarding'] }),
    ]);
  });

  it('is defined for the API and the cards', () => {
    expect(metric).toMatchObject({
      id: 'hr_onboarding_completion_time',
      unit: 'seconds',
      direction: 'lower_is_better',
      startEvent: 'opened_at',
      endEvent: 'resolved_at',
    });
    expect(ANNOTATION_HR_ONBOARDING_COMPLETION_TIME_TARGET).toBe(
      'backstage-itsm.io/hr-onboarding-completion-time-target',
    );
  });
});
