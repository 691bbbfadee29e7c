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
  itsmProvidersExtensionPoint,
} from '@backstage-itsm/plugin-itsm-node';
import * as path from 'node:path';
import itsmModuleFile from '.';
import { FileItsmProvider } from './provider';

describe('itsmModuleFile', () => {
  it('registers one provider per config entry through the extension point', async () => {
    const addProvider = jest.fn();
    await startTestBackend({
      extensionPoints: [[itsmProvidersExtensionPoint, { addProvider }]],
      features: [
        itsmModuleFile,
        mockServices.rootConfig.factory({
          data: {
            itsm: {
              providers: {
                file: {
                  it: { path: 'data/it' },
                  hr: {
                    path: '/data/hr',
                    department: 'hr',
                    kinds: ['request'],
                    fullExport: true,
                    mapsOnAnnotations: ['hr.example.com/case-queue'],
                    schedule: {
                      frequency: { cron: '*/10 * * * *' },
                      timeout: { minutes: 5 },
                    },
                  },
                },
              },
            },
          },
        }),
      ],
    });

    expect(addProvider).toHaveBeenCalledTimes(2);
    const [[it], [hr]] = addProvider.mock.calls as Array<
      [ItsmProviderRegistration]
    >;
    expect(it.schedule).toBeUndefined();
    expect(it.provider).toBeInstanceOf(FileItsmProvider);
    // Without mapsOnAnnotations it covers entities through its records only.
    expect(it.provider.mapsOnAnnotations).toBeUndefined();
    expect(it.provider).toMatchObject({
      id: 'file:it',
      department: 'it',
      kinds: ['incident', 'change', 'problem', 'request'],
      path: path.resolve(process.cwd(), 'data/it'),
      fullExport: false,
    });
    expect(hr.provider).toMatchObject({
      id: 'file:hr',
      department: 'hr',
      kinds: ['request'],
      path: path.resolve('/data/hr'),
      fullExport: true,
      mapsOnAnnotations: ['hr.example.com/case-queue'],
    });
    expect(hr.schedule).toEqual(
      expect.objectContaining({
        frequency: { cron: '*/10 * * * *' },
        timeout: { minutes: 5 },
      }),
    );
  });

  it('registers nothing without config', async () => {
    const addProvider = jest.fn();
    await startTestBackend({
      extensionPoints: [[itsmProvidersExtensionPoint, { addProvider }]],
      features: [itsmModuleFile, mockServices.rootConfig.factory({ data: {} })],
    });
    expect(addProvider).not.toHaveBeenCalled();
  });

  it('fails the start on a config error, naming the key', async () => {
    await expect(
      startTestBackend({
        extensionPoints: [
          [itsmProvidersExtensionPoint, { addProvider: jest.fn() }],
        ],
        features: [
          itsmModuleFile,
          mockServices.rootConfig.factory({
            data: {
              itsm: { providers: { file: { demo: { department: 'it' } } } },
            },
          }),
        ],
      }),
    ).rejects.toThrow(/itsm\.providers\.file\.demo\.path/);
  });
});
