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
  itsmOwnershipSourcesExtensionPoint,
  ItsmProviderRegistration,
  itsmProvidersExtensionPoint,
} from '@backstage-itsm/plugin-itsm-node';
import itsmModuleServicenow, {
  ServiceNowItsmProvider,
  ServiceNowOwnershipSource,
} from '.';

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
    features: [itsmModuleServicenow, mockServices.rootConfig.factory({ data })],
  });
  return { backend, addProvider, addOwnershipSource };
}

describe('itsmModuleServicenow', () => {
  it('registers a provider and an ownership source per instance', async () => {
    const { backend, addProvider, addOwnershipSource } = start({
      itsm: {
        providers: {
          servicenow: {
            corp: {
              baseUrl: 'https://corp.service-now.com',
              auth: { type: 'basic', username: 'itsm', password: 'secret' },
              schedule: { frequency: { minutes: 5 }, timeout: { minutes: 10 } },
            },
            emea: {
              baseUrl: 'https://emea.service-now.com',
              auth: { type: 'oauth', clientId: 'id', clientSecret: 'cs' },
              tables: ['change_request'],
            },
          },
        },
      },
    });
    await backend;

    expect(addProvider).toHaveBeenCalledTimes(2);
    const [[corp], [emea]] = addProvider.mock.calls as Array<
      [ItsmProviderRegistration]
    >;
    expect(corp.provider).toBeInstanceOf(ServiceNowItsmProvider);
    expect(corp.provider).toMatchObject({
      id: 'servicenow:corp',
      department: 'it',
      kinds: ['incident', 'change', 'problem'],
    });
    expect(corp.schedule).toEqual(
      expect.objectContaining({
        frequency: { minutes: 5 },
        timeout: { minutes: 10 },
      }),
    );
    expect(emea.provider).toMatchObject({
      id: 'servicenow:emea',
      kinds: ['change'],
    });
    expect(emea.schedule).toBeUndefined();

    expect(addOwnershipSource).toHaveBeenCalledTimes(2);
    expect(addOwnershipSource.mock.calls[0][0]).toBeInstanceOf(
      ServiceNowOwnershipSource,
    );
    expect(addOwnershipSource.mock.calls.map(([s]) => s.id)).toEqual([
      'servicenow:corp',
      'servicenow:emea',
    ]);
  });

  it('registers nothing without config', async () => {
    const { backend, addProvider, addOwnershipSource } = start({});
    await backend;
    expect(addProvider).not.toHaveBeenCalled();
    expect(addOwnershipSource).not.toHaveBeenCalled();
  });

  it('fails the start on a config error, naming the key', async () => {
    const { backend } = start({
      itsm: {
        providers: {
          servicenow: {
            corp: {
              auth: { type: 'basic', username: 'itsm', password: 'secret' },
            },
          },
        },
      },
    });
    await expect(backend).rejects.toThrow(
      /itsm\.providers\.servicenow\.corp\.baseUrl/,
    );
  });
});
