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

import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ItsmMappedProvider } from '@backstage-itsm/plugin-itsm-mapping-node';
import {
  ItsmMetric,
  itsmMetricsExtensionPoint,
  ItsmProviderRegistration,
  itsmProvidersExtensionPoint,
} from '@backstage-itsm/plugin-itsm-node';
import itsmModuleFacilities from '.';

const MAPPING = {
  externalId: 'WO Number',
  title: 'Description',
  state: 'Status',
  openedAt: 'Logged',
};

async function start(data: object) {
  const addProvider = jest.fn();
  const addMetric = jest.fn();
  await startTestBackend({
    extensionPoints: [
      [itsmProvidersExtensionPoint, { addProvider }],
      [itsmMetricsExtensionPoint, { addMetric }],
    ],
    features: [itsmModuleFacilities, mockServices.rootConfig.factory({ data })],
  });
  return {
    registrations: addProvider.mock.calls.flat() as ItsmProviderRegistration[],
    metrics: addMetric.mock.calls.flat() as ItsmMetric[],
  };
}

describe('itsmModuleFacilities', () => {
  it('registers one provider per source, and the on-time metric', async () => {
    const { registrations, metrics } = await start({
      itsm: {
        facilities: {
          sources: {
            cafm: {
              csv: { path: '/exports/wo.csv', delimiter: ';' },
              instantFormat: 'dd/MM/yyyy HH:mm',
              timeZone: 'Europe/London',
              mapping: MAPPING,
            },
            planon: {
              rest: {
                url: 'https://planon.example.com/api/workorders',
                pagination: { type: 'page', pageSize: 200 },
              },
              mapping: MAPPING,
              schedule: { frequency: { minutes: 15 }, timeout: { minutes: 5 } },
            },
          },
        },
      },
    });
    expect(registrations.map(r => r.provider.id)).toEqual([
      'facilities:cafm',
      'facilities:planon',
    ]);
    const cafm = registrations[0].provider as ItsmMappedProvider;
    expect(cafm).toMatchObject({
      department: 'facilities',
      kinds: ['request'],
    });
    expect(cafm.settings.mapping).toMatchObject({
      categoryTitlePrefix: false,
      categories: {
        building_access: { entityRef: 'component:default/building-access' },
        hvac: { entityRef: 'component:default/building-climate' },
        cleaning: { entityRef: 'system:default/workplace' },
        meeting_rooms: { entityRef: 'component:default/meeting-rooms' },
        desk_moves: { entityRef: 'component:default/desk-booking' },
      },
    });
    expect(cafm.settings.mapping.fields.openedAt?.format).toEqual({
      format: 'dd/MM/yyyy HH:mm',
      zone: 'Europe/London',
    });
    expect(registrations[1].schedule).toEqual(
      expect.objectContaining({ frequency: { minutes: 15 } }),
    );
    expect(metrics.map(m => m.id)).toEqual(['facilities_on_time_completion']);
  });

  it('adds the metric without any source', async () => {
    const { registrations, metrics } = await start({});
    expect(registrations).toEqual([]);
    expect(metrics).toHaveLength(1);
  });

  it('fails the start on a config error, naming the key', async () => {
    await expect(
      start({
        itsm: {
          facilities: {
            sources: {
              cafm: {
                csv: { path: 'wo.csv' },
                mapping: {
                  ...MAPPING,
                  category: { from: 'Type', values: { Plumbing: 'plumbing' } },
                },
              },
            },
          },
        },
      }),
    ).rejects.toThrow(
      `Invalid config at itsm.facilities.sources.cafm.mapping.category.values.Plumbing: "plumbing" is not a category`,
    );
  });
});
