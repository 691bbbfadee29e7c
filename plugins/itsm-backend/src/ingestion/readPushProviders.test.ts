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
  DEFAULT_PUSH_BODY_LIMIT,
  PushProvider,
  readPushBodyLimit,
  readPushProviders,
} from './readPushProviders';

function config(itsm: object) {
  return new ConfigReader({ itsm });
}

describe('readPushProviders', () => {
  it('reads push:<id> providers with their department and kinds', () => {
    const providers = readPushProviders(
      config({
        providers: {
          push: {
            tools: {},
            'hr-desk': { department: 'hr', kinds: ['request'] },
            monitoring: {
              mapsOnAnnotations: [
                'pagerduty.com/service-id',
                'pagerduty.com/service-id',
              ],
            },
          },
        },
      }),
    );
    expect(
      providers.map(p => [
        p.id,
        p.department,
        p.kinds,
        p instanceof PushProvider,
        p.mapsOnAnnotations,
      ]),
    ).toEqual([
      [
        'push:tools',
        'it',
        ['incident', 'change', 'problem', 'request'],
        true,
        undefined,
      ],
      ['push:hr-desk', 'hr', ['request'], true, undefined],
      [
        'push:monitoring',
        'it',
        ['incident', 'change', 'problem', 'request'],
        true,
        ['pagerduty.com/service-id'],
      ],
    ]);
    expect(readPushProviders(config({}))).toEqual([]);
  });

  it.each([
    [{ kinds: ['incidents'] }, /push\.tools\.kinds: unknown kind 'incidents'/],
    [
      { kinds: [] },
      /push\.tools\.kinds: a push provider needs at least one kind/,
    ],
    [
      { mapsOnAnnotations: ['servicenow.com/ci-sysid', 'ci sysid'] },
      /push\.tools\.mapsOnAnnotations\[1\]: 'ci sysid' is not a catalog annotation key/,
    ],
  ])('refuses %j', (tools, message) => {
    expect(() =>
      readPushProviders(config({ providers: { push: { tools } } })),
    ).toThrow(message);
  });
});

describe('PushProvider.refusals', () => {
  const provider = new PushProvider('push:tools', 'it', ['incident']);

  it('names each record of an undeclared kind or another department', () => {
    expect(
      provider.refusals([
        { kind: 'incident' },
        { kind: 'change', department: 'it' },
        { kind: 'incident', department: 'hr' },
        { kind: 'incident', department: { huge: 'x'.repeat(1000) } },
      ]),
    ).toEqual([
      'records.1.kind: push:tools accepts incident, not change',
      "records.2.department: records of push:tools belong to department 'it'; leave it out",
      "records.3.department: records of push:tools belong to department 'it'; leave it out",
    ]);
  });

  it('leaves what is not a kind at all to validation, which dead-letters it', () => {
    expect(
      provider.refusals([null, 'x', {}, { kind: 'incidents' }, { kind: 7 }]),
    ).toEqual([]);
  });
});

describe('readPushBodyLimit', () => {
  it.each([
    [undefined, DEFAULT_PUSH_BODY_LIMIT],
    [1234, 1234],
    ['512kb', 512 * 1024],
    ['10MB', 10 * 1024 * 1024],
    [' 1.5 mb ', 1.5 * 1024 * 1024],
    ['100b', 100],
  ])('reads %j as %d bytes', (value, bytes) => {
    expect(
      readPushBodyLimit(
        config(
          value === undefined ? {} : { ingestion: { pushBodyLimit: value } },
        ),
      ),
    ).toBe(bytes);
  });

  it.each([0, -1, 1.5, 'lots', '10 MiB', '', '1e9'])('refuses %j', value => {
    expect(() =>
      readPushBodyLimit(config({ ingestion: { pushBodyLimit: value } })),
    ).toThrow(
      'Invalid config at itsm.ingestion.pushBodyLimit: expected a size such as 10mb or 512kb, or a positive number of bytes',
    );
  });
});
