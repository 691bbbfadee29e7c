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
import {
  ItsmProviderRegistration,
  itsmOwnershipSourcesExtensionPoint,
  itsmProvidersExtensionPoint,
} from '@backstage-itsm/plugin-itsm-node';
import itsmModulePagerduty from '.';
import { PagerDutyOwnershipSource } from './ownership';
import { PagerDutyItsmProvider } from './provider';

type ConfigData = NonNullable<
  Parameters<typeof mockServices.rootConfig.factory>[0]
>['data'];

function start(data: ConfigData) {
  const addProvider = jest.fn();
  const addOwnershipSource = jest.fn();
  const backend = startTestBackend({
    extensionPoints: [
      [itsmProvidersExtensionPoint, { addProvider }],
      [itsmOwnershipSourcesExtensionPoint, { addOwnershipSource }],
    ],
    features: [itsmModulePagerduty, mockServices.rootConfig.factory({ data })],
  });
  return { backend, addProvider, addOwnershipSource };
}

describe('itsmModulePagerduty', () => {
  it('registers a provider and an ownership source per account', async () => {
    const { backend, addProvider, addOwnershipSource } = start({
      itsm: {
        providers: {
          pagerduty: {
            main: { token: 'secret-1' },
            eu: {
              token: 'secret-2',
              baseUrl: 'https://api.eu.pagerduty.com',
              schedule: {
                frequency: { minutes: 10 },
                timeout: { minutes: 8 },
              },
            },
          },
        },
      },
    });
    await backend;

    expect(addProvider).toHaveBeenCalledTimes(2);
    const [[main], [eu]] = addProvider.mock.calls as Array<
      [ItsmProviderRegistration]
    >;
    expect(main.schedule).toBeUndefined();
    expect(main.provider).toBeInstanceOf(PagerDutyItsmProvider);
    expect(main.provider).toMatchObject({
      id: 'pagerduty:main',
      department: 'it',
      kinds: ['incident', 'change'],
    });
    expect(eu.provider.id).toBe('pagerduty:eu');
    expect(eu.schedule).toEqual(
      expect.objectContaining({
        frequency: { minutes: 10 },
        timeout: { minutes: 8 },
      }),
    );

    expect(addOwnershipSource).toHaveBeenCalledTimes(2);
    const sources = addOwnershipSource.mock.calls.map(([s]) => s);
    expect(sources[0]).toBeInstanceOf(PagerDutyOwnershipSource);
    expect(sources.map(s => s.id)).toEqual(['pagerduty:main', 'pagerduty:eu']);
  });

  it('gives each provider the metric notes of its own config', async () => {
    const { backend, addProvider } = start({
      itsm: {
        providers: {
          pagerduty: {
            main: { token: 'secret-1' },
            pages: {
              token: 'secret-2',
              urgencyPriority: { high: 2, low: 'none' },
              causedByChange: { reasons: ['intelligent'] },
            },
            off: { token: 'secret-3', causedByChange: { maxPriority: 0 } },
          },
        },
      },
    });
    await backend;
    const [[main], [pages], [off]] = addProvider.mock.calls as Array<
      [ItsmProviderRegistration]
    >;
    expect(main.provider.mapsOnAnnotations).toEqual([
      'pagerduty.com/service-id',
    ]);
    expect(main.provider.metricNotes?.availability).toContain(
      'urgencyPriority: high to P3, low to P4',
    );
    expect(main.provider.metricNotes?.change_failure_rate).toContain(
      'intelligent (machine learning), most_recent',
    );
    expect(pages.provider.metricNotes?.availability).toContain(
      'urgencyPriority: high to P2, low to no priority',
    );
    expect(pages.provider.metricNotes?.change_failure_rate).not.toContain(
      'most_recent',
    );
    expect(off.provider.unmeasurable?.change_failure_rate).toMatch(
      /turned off/,
    );
    expect(main.provider.unmeasurable?.change_failure_rate).toBeUndefined();
  });

  it('fails the start on an invalid urgencyPriority, naming the key', async () => {
    const { backend } = start({
      itsm: {
        providers: {
          pagerduty: { main: { token: 't', urgencyPriority: { high: 7 } } },
        },
      },
    });
    await expect(backend).rejects.toThrow(
      /itsm\.providers\.pagerduty\.main\.urgencyPriority\.high/,
    );
  });

  it('registers nothing without config', async () => {
    const { backend, addProvider, addOwnershipSource } = start({});
    await backend;
    expect(addProvider).not.toHaveBeenCalled();
    expect(addOwnershipSource).not.toHaveBeenCalled();
  });

  it('fails the start on a missing token, naming the key', async () => {
    const { backend } = start({
      itsm: { providers: { pagerduty: { main: { baseUrl: 'https://x' } } } },
    });
    await expect(backend).rejects.toThrow(
      /itsm\.providers\.pagerduty\.main\.token/,
    );
  });
});
