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

import * as path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ItsmMappedProvider } from '@backstage-itsm/plugin-itsm-mapping-node';
import {
  ItsmMetric,
  itsmMetricsExtensionPoint,
  ItsmProviderRegistration,
  itsmProvidersExtensionPoint,
} from '@backstage-itsm/plugin-itsm-node';
import itsmModuleHr from '.';

const MAPPING = {
  externalId: 'Case ID',
  title: '{Subject}',
  state: 'Status',
  openedAt: 'Created',
};

async function start(data: object) {
  const addProvider = jest.fn();
  const addMetric = jest.fn();
  await startTestBackend({
    extensionPoints: [
      [itsmProvidersExtensionPoint, { addProvider }],
      [itsmMetricsExtensionPoint, { addMetric }],
    ],
    features: [itsmModuleHr, mockServices.rootConfig.factory({ data })],
  });
  return {
    registrations: addProvider.mock.calls.flat() as ItsmProviderRegistration[],
    metrics: addMetric.mock.calls.flat() as ItsmMetric[],
  };
}

describe('itsmModuleHr', () => {
  it('registers one provider per source, and the HR metrics', async () => {
    const { registrations, metrics } = await start({
      itsm: {
        hr: {
          sources: {
            bamboohr: {
              csv: { path: 'exports/hr' },
              mapping: MAPPING,
              schedule: {
                frequency: { cron: '*/10 * * * *' },
                timeout: { minutes: 5 },
              },
            },
            workday: {
              rest: {
                url: 'https://wd.example.com/ccx/service/customreport2/acme/HR_Cases?format=json',
                auth: { value: 'Bearer secret' },
                itemsPath: 'Report_Entry',
              },
              mapping: MAPPING,
            },
          },
        },
      },
    });

    expect(registrations).toHaveLength(2);
    const [bamboo, workday] = registrations;
    expect(bamboo.provider).toBeInstanceOf(ItsmMappedProvider);
    expect(bamboo.provider).toMatchObject({
      id: 'hr:bamboohr',
      department: 'hr',
      kinds: ['request'],
    });
    expect((bamboo.provider as ItsmMappedProvider).settings.source).toEqual({
      type: 'csv',
      path: path.resolve(process.cwd(), 'exports/hr'),
      delimiter: ',',
      fullExport: false,
    });
    expect(bamboo.schedule).toEqual(
      expect.objectContaining({
        frequency: { cron: '*/10 * * * *' },
        timeout: { minutes: 5 },
      }),
    );
    expect(workday.provider.id).toBe('hr:workday');
    expect(workday.schedule).toBeUndefined();
    // Module defaults: the HR categories and their entities, titles prefixed.
    expect(
      (workday.provider as ItsmMappedProvider).settings.mapping,
    ).toMatchObject({
      categoryTitlePrefix: true,
      categories: {
        onboarding: { entityRef: 'component:default/employee-onboarding' },
        offboarding: { entityRef: 'component:default/employee-offboarding' },
        payroll_query: { entityRef: 'component:default/payroll' },
        leave_request: { entityRef: 'component:default/leave-management' },
        policy_question: { entityRef: 'system:default/hr-services' },
      },
    });
    expect(metrics.map(m => m.id)).toEqual([
      'hr_first_response_time',
      'hr_onboarding_completion_time',
    ]);
  });

  it('adds the metrics without any source', async () => {
    const { registrations, metrics } = await start({});
    expect(registrations).toEqual([]);
    expect(metrics).toHaveLength(2);
  });

  it('fails the start on a config error, naming the key', async () => {
    await expect(
      start({
        itsm: {
          hr: {
            sources: {
              workday: {
                rest: { url: 'https://wd.example.com/cases' },
                mapping: { ...MAPPING, openedAt: undefined },
              },
            },
          },
        },
      }),
    ).rejects.toThrow(
      "Missing required config value at 'itsm.hr.sources.workday.mapping.openedAt'",
    );
  });
});
