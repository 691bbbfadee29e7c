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
import { ConfigReader } from '@backstage/config';
import { readFileProviderConfigs } from './config';

type ConfigData = ConstructorParameters<typeof ConfigReader>[0];

function read(file: unknown) {
  return readFileProviderConfigs(
    new ConfigReader({ itsm: { providers: { file } } } as ConfigData),
    { cwd: '/srv/backstage/packages/backend' },
  );
}

describe('readFileProviderConfigs', () => {
  it('reads nothing when no file provider is configured', () => {
    expect(readFileProviderConfigs(new ConfigReader({}))).toEqual([]);
  });

  it('reads providers with their defaults, resolving relative paths', () => {
    expect(
      read({
        demo: { path: '../../examples/itsm-data/it' },
        hr: {
          path: '/data/hr',
          department: 'hr',
          kinds: ['request', 'request'],
          fullExport: true,
          mapsOnAnnotations: [
            'servicenow.com/ci-sysid',
            'hr.example.com/case-queue',
            'servicenow.com/ci-sysid',
          ],
          schedule: { frequency: { minutes: 5 }, timeout: { minutes: 2 } },
        },
      }),
    ).toEqual([
      {
        key: 'demo',
        id: 'file:demo',
        path: path.resolve('/srv/backstage/examples/itsm-data/it'),
        department: 'it',
        kinds: ['incident', 'change', 'problem', 'request'],
        fullExport: false,
        mapsOnAnnotations: [],
        schedule: undefined,
      },
      {
        key: 'hr',
        id: 'file:hr',
        path: path.resolve('/data/hr'),
        department: 'hr',
        kinds: ['request'],
        fullExport: true,
        mapsOnAnnotations: [
          'servicenow.com/ci-sysid',
          'hr.example.com/case-queue',
        ],
        schedule: {
          frequency: { minutes: 5 },
          timeout: { minutes: 2 },
          initialDelay: undefined,
          scope: undefined,
        },
      },
    ]);
  });

  it.each([
    [{ demo: {} }, /itsm\.providers\.file\.demo\.path/],
    [{ demo: { path: 42 } }, /itsm\.providers\.file\.demo\.path/],
    [
      { demo: { path: ' ' } },
      /itsm\.providers\.file\.demo\.path: must not be empty/,
    ],
    [
      { demo: { path: 'x', department: 7 } },
      /itsm\.providers\.file\.demo\.department/,
    ],
    [
      { demo: { path: 'x', department: 'Human Resources' } },
      /itsm\.providers\.file\.demo\.department: 'Human Resources' is not a department id/,
    ],
    [
      { demo: { path: 'x', kinds: 'incident' } },
      /itsm\.providers\.file\.demo\.kinds/,
    ],
    [
      { demo: { path: 'x', kinds: [] } },
      /itsm\.providers\.file\.demo\.kinds: must list/,
    ],
    [
      { demo: { path: 'x', kinds: ['incident', 'incidnet'] } },
      /itsm\.providers\.file\.demo\.kinds\[1\]: unknown kind 'incidnet'/,
    ],
    [
      { demo: { path: 'x', schedule: { frequency: { minutes: 5 } } } },
      /Invalid config at itsm\.providers\.file\.demo\.schedule; caused by .*schedule\.timeout/,
    ],
    [
      { demo: { path: 'x', fullExport: 'sometimes' } },
      /itsm\.providers\.file\.demo\.fullExport/,
    ],
    [
      { demo: { path: 'x', mapsOnAnnotations: 'servicenow.com/ci-sysid' } },
      /itsm\.providers\.file\.demo\.mapsOnAnnotations/,
    ],
    [
      {
        demo: {
          path: 'x',
          mapsOnAnnotations: ['pagerduty.com/service-id', 'not an annotation'],
        },
      },
      /itsm\.providers\.file\.demo\.mapsOnAnnotations\[1\]: 'not an annotation' is not a catalog annotation key/,
    ],
    [{ demo: 'x' }, /itsm\.providers\.file\.demo/],
  ])('refuses %j, naming the key', (file, message) => {
    expect(() => read(file)).toThrow(message);
  });
});
