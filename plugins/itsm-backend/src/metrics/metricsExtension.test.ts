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

import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ItsmMetric,
  itsmMetricsExtensionPoint,
} from '@backstage-itsm/plugin-itsm-node';
import request from 'supertest';
import { fixtureEntities } from '../__testUtils__/records';
import { itsmPlugin } from '../plugin';
import { MetricsEngine } from './MetricsEngine';

jest.setTimeout(60_000);

/** What an HR module would add: days from an onboarding case to its resolution. */
const timeToOnboard: ItsmMetric = {
  id: 'hr_time_to_onboard',
  title: 'Time to onboard',
  unit: 'seconds',
  description:
    'HR onboarding cases resolved in the window: time from opening to resolution.',
  startEvent: 'opened_at',
  endEvent: 'resolved_at',
  clock: 'calendar',
  statistic: 'mean',
  direction: 'lower_is_better',
  async compute(context) {
    const stats = await context
      .records({
        kinds: ['request'],
        departments: ['hr'],
        within: 'resolvedAt',
      })
      .durations('openedAt', 'resolvedAt');
    return {
      value: stats.mean,
      n: stats.n,
      mean: stats.mean,
      p50: stats.p50,
      p90: stats.p90,
      dataQuality: { negativeDurations: stats.negative },
    };
  },
};

describe('itsmMetricsExtensionPoint', () => {
  it('serves a metric a module adds like the built-in ones', async () => {
    const { server } = await startTestBackend({
      features: [
        itsmPlugin,
        createBackendModule({
          pluginId: 'itsm',
          moduleId: 'hr-metrics',
          register(reg) {
            reg.registerInit({
              deps: { metrics: itsmMetricsExtensionPoint },
              async init({ metrics }) {
                metrics.addMetric(timeToOnboard);
              },
            });
          },
        }),
        catalogServiceMock.factory({ entities: fixtureEntities }),
        mockServices.rootConfig.factory({
          data: {
            itsm: { providers: { push: { hr: { department: 'hr' } } } },
          },
        }),
      ],
    });
    const service = { Authorization: mockCredentials.service.header() };
    const day = 24 * 3600_000;
    // Whole minutes, so the durations are exact whatever the clock says.
    const base = Math.floor(Date.now() / 60_000) * 60_000;
    const at = (daysAgo: number) =>
      new Date(base - daysAgo * day).toISOString();
    const onboarding = (
      externalId: string,
      opened: number,
      resolved: number,
    ) => ({
      externalId,
      kind: 'request',
      title: `Onboard ${externalId}`,
      state: 'resolved',
      openedAt: at(opened),
      resolvedAt: at(resolved),
      sourceUpdatedAt: at(resolved),
      entityRefs: ['component:default/employee-onboarding'],
    });
    await request(server)
      .post('/api/itsm/ingest/push:hr')
      .set(service)
      .send({
        records: [
          onboarding('hr-1', 5, 3),
          onboarding('hr-2', 10, 9),
          onboarding('hr-old', 50, 45),
        ],
      })
      .expect(200);

    const res = await request(server)
      .get(
        '/api/itsm/metrics?entityRef=component:default/employee-onboarding&metrics=hr_time_to_onboard,fulfilment_time&explain=hr_time_to_onboard',
      )
      .set(service);
    expect(res.status).toBe(200);
    expect(res.body.metrics.hr_time_to_onboard).toMatchObject({
      value: expect.closeTo(1.5 * 86400, 3),
      n: 2,
      unit: 'seconds',
      status: 'no_target',
      previous: { value: expect.closeTo(5 * 86400, 3), n: 1 },
      definition: {
        id: 'hr_time_to_onboard',
        title: 'Time to onboard',
        startEvent: 'opened_at',
        endEvent: 'resolved_at',
        targetAnnotation: 'backstage-itsm.io/hr-time-to-onboard-target',
      },
    });
    // The built-in fulfilment time sees the same requests.
    expect(res.body.metrics.fulfilment_time.value).toBeCloseTo(1.5 * 86400, 3);
    expect(res.body.explain).toMatchObject({
      metricId: 'hr_time_to_onboard',
      truncated: false,
    });
    expect(res.body.explain.recordIds).toHaveLength(2);
  });

  it('refuses metric ids that are invalid or taken', () => {
    const db = {} as any;
    expect(
      () =>
        new MetricsEngine({ db, metrics: [{ ...timeToOnboard, id: 'mttr' }] }),
    ).toThrow("ITSM metric id 'mttr' is already taken");
    expect(
      () =>
        new MetricsEngine({
          db,
          metrics: [timeToOnboard, { ...timeToOnboard }],
        }),
    ).toThrow(/already taken/);
    expect(
      () =>
        new MetricsEngine({
          db,
          metrics: [{ ...timeToOnboard, id: 'Bad-Id' }],
        }),
    ).toThrow(/Invalid ITSM metric id 'Bad-Id'/);
  });
});
