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

import { ConfigReader } from '@backstage/config';
import {
  ItsmRecordMapper,
  readItsmMappedSourceConfigs,
} from '@backstage-itsm/plugin-itsm-mapping-node';
import { createInMemoryItsmMetricContext } from '@backstage-itsm/plugin-itsm-node/testUtils';
import { FACILITIES_SOURCE_OPTIONS } from './categories';
import {
  ANNOTATION_FACILITIES_ON_TIME_COMPLETION_TARGET,
  facilitiesOnTimeCompletionMetric,
} from './metrics';

const window = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };

const workOrder = (
  id: string,
  resolvedAt: string,
  plannedEnd: string | null,
  extra: object = {},
) => ({
  id,
  department: 'facilities',
  openedAt: '2026-02-20T00:00:00Z',
  resolvedAt,
  plannedEnd,
  ...extra,
});

describe('facilities_on_time_completion', () => {
  it('is the share of work orders resolved in the window by their promised time', async () => {
    const result = await facilitiesOnTimeCompletionMetric.compute(
      createInMemoryItsmMetricContext({
        window,
        records: [
          workOrder('early', '2026-03-02T10:00:00Z', '2026-03-02T12:00:00Z'),
          workOrder('exact', '2026-03-03T10:00:00Z', '2026-03-03T10:00:00Z'),
          workOrder('late', '2026-03-04T10:00:00Z', '2026-03-04T09:59:00Z'),
          // Without a promise: not counted.
          workOrder('no-promise', '2026-03-05T10:00:00Z', null),
          // Resolved before the window.
          workOrder('before', '2026-02-28T10:00:00Z', '2026-03-01T00:00:00Z'),
          // Another desk, and a cancelled one.
          workOrder('hr', '2026-03-06T10:00:00Z', '2026-03-07T00:00:00Z', {
            department: 'hr',
          }),
          workOrder(
            'cancelled',
            '2026-03-06T10:00:00Z',
            '2026-03-07T00:00:00Z',
            {
              state: 'cancelled',
            },
          ),
        ],
      }),
    );
    expect(result).toEqual({ value: 2 / 3, n: 3 });
  });

  it('is null with n 0 when no work order with a promise was resolved', async () => {
    const result = await facilitiesOnTimeCompletionMetric.compute(
      createInMemoryItsmMetricContext({
        window,
        records: [workOrder('no-promise', '2026-03-05T10:00:00Z', null)],
      }),
    );
    expect(result).toEqual({ value: null, n: 0 });
  });

  it('reads the promise the mapping sets: the due time, else the resolution SLA', async () => {
    const [settings] = readItsmMappedSourceConfigs(
      new ConfigReader({
        itsm: {
          facilities: {
            sources: {
              cafm: {
                csv: { path: 'wo.csv' },
                mapping: {
                  externalId: 'WO',
                  title: 'Description',
                  state: 'Status',
                  openedAt: 'Logged',
                  resolvedAt: 'Completed',
                  dueAt: 'Target',
                },
                slas: {
                  promised: {
                    kind: 'resolution',
                    stage: 'SLA Status',
                    target: 'SLA Hours',
                    unit: 'hours',
                  },
                },
              },
            },
          },
        },
      }),
      FACILITIES_SOURCE_OPTIONS,
    );
    const mapper = new ItsmRecordMapper(settings.mapping);
    const row = (wo: string, completed: string, target: string) =>
      mapper.map({
        WO: wo,
        Description: 'Meeting room 3.04: screen will not connect',
        Status: 'resolved',
        Logged: '2026-03-02T09:00:00Z',
        Completed: completed,
        Target: target,
        'SLA Status': 'completed',
        'SLA Hours': '8',
      }).record;
    const records = [
      // Due at 12:00, done at 11:00: on time.
      row('w1', '2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z'),
      // Due at 10:00, done at 11:00: late.
      row('w2', '2026-03-02T11:00:00Z', '2026-03-02T10:00:00Z'),
      // No due time: the SLA promises 17:00; done at 16:00.
      row('w3', '2026-03-02T16:00:00Z', ''),
      // No due time: the SLA promises 17:00; done at 18:00.
      row('w4', '2026-03-02T18:00:00Z', ''),
    ];
    const result = await facilitiesOnTimeCompletionMetric.compute(
      createInMemoryItsmMetricContext({
        window,
        records: records.map(r => ({
          ...(r as object),
          id: r.externalId as string,
          department: 'facilities',
        })),
      }),
    );
    expect(result).toEqual({ value: 0.5, n: 4 });
  });

  it('is defined for the API and the cards', () => {
    expect(facilitiesOnTimeCompletionMetric).toMatchObject({
      id: 'facilities_on_time_completion',
      unit: 'ratio',
      statistic: 'share',
      direction: 'higher_is_better',
    });
    expect(ANNOTATION_FACILITIES_ON_TIME_COMPLETION_TARGET).toBe(
      'backstage-itsm.io/facilities-on-time-completion-target',
    );
  });
});
