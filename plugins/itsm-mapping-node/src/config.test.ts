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
import { ConfigReader, JsonObject } from '@backstage/config';
import { readItsmMappedSourceConfigs } from './config';
import {
  MAPPING,
  MODULE,
  readSource,
  sourceConfig,
} from './testUtils/fixtures';

const KEY = 'itsm.test.sources.demo';

function read(source: JsonObject) {
  return () => readSource(source);
}

function withMapping(fields: Record<string, unknown>): JsonObject {
  const mapping: Record<string, unknown> = { ...MAPPING, ...fields };
  for (const [k, v] of Object.entries(mapping)) {
    if (v === undefined) delete mapping[k];
  }
  return sourceConfig({ mapping: mapping as JsonObject });
}

const REST = { url: 'https://wd.example.com/api/cases' };

describe('readItsmMappedSourceConfigs', () => {
  it('reads nothing without config', () => {
    expect(readItsmMappedSourceConfigs(new ConfigReader({}), MODULE)).toEqual(
      [],
    );
  });

  it('reads a CSV source with defaults', () => {
    const settings = readSource(
      sourceConfig({ csv: { path: 'exports/cases.csv' } }),
      { cwd: '/srv/backstage' },
    );
    expect(settings).toMatchObject({
      key: 'demo',
      configKey: KEY,
      id: 'test:demo',
      department: 'hr',
      source: {
        type: 'csv',
        path: path.resolve('/srv/backstage/exports/cases.csv'),
        delimiter: ',',
      },
      overlapMs: 300_000,
      batchSize: 500,
      schedule: undefined,
      mapping: {
        kind: 'request',
        personalFields: [
          'Employee ID',
          'Employee Name',
          'Employee Email',
          'Manager',
        ],
        categoryTitlePrefix: true,
        defaultEntityRef: undefined,
      },
    });
    expect(Object.keys(settings.mapping.fields).sort()).toEqual(
      Object.keys(MAPPING).sort(),
    );
    expect(settings.fingerprint).toMatch(/^[0-9a-f]{40}$/);
  });

  it('reads a REST source: auth apart from other headers, pagination, timeout, retry budget, rate', () => {
    const settings = readSource(
      sourceConfig({
        csv: undefined as any,
        rest: {
          ...REST,
          headers: { Accept: 'application/json', 'X-Tenant': 'northwind' },
          auth: { value: 'Bearer secret-token' },
          query: { format: 'json' },
          itemsPath: 'Report_Entry',
          pagination: { type: 'offset', pageSize: 50 },
          updatedSinceParam: 'Updated_Since',
          timeout: '10s',
          retryBudget: { minutes: 2 },
          maxRequestsPerSecond: 2.5,
        },
      }),
    );
    expect(settings.source).toEqual({
      type: 'rest',
      url: 'https://wd.example.com/api/cases',
      headers: {
        Accept: 'application/json',
        'X-Tenant': 'northwind',
      },
      // Sent only to the origin of the URL.
      credentials: { Authorization: 'Bearer secret-token' },
      query: { format: 'json' },
      itemsPath: 'Report_Entry',
      pagination: {
        type: 'offset',
        pageSize: 50,
        limitParam: 'limit',
        offsetParam: 'offset',
      },
      updatedSinceParam: 'Updated_Since',
      updatedSinceFormat: { format: 'iso', zone: 'UTC' },
      timeoutMs: 10_000,
      retryBudgetMs: 120_000,
      maxRequestsPerSecond: 2.5,
    });
    const basic = readSource({
      ...sourceConfig(),
      csv: undefined as any,
      rest: {
        ...REST,
        auth: { header: 'X-Auth', username: 'api', password: 'x' },
      },
    });
    expect(basic.source).toMatchObject({
      headers: {},
      credentials: {
        'X-Auth': `Basic ${Buffer.from('api:x').toString('base64')}`,
      },
      timeoutMs: 30_000,
      retryBudgetMs: 300_000,
    });
    expect(basic.source).not.toHaveProperty('maxRequestsPerSecond');
  });

  it('reads whether a CSV source is a full export', () => {
    expect(readSource(sourceConfig()).source).toMatchObject({
      fullExport: false,
    });
    expect(
      readSource(sourceConfig({ csv: { path: 'x.csv', fullExport: true } }))
        .source,
    ).toMatchObject({ fullExport: true });
  });

  it('changes the fingerprint with the mapping but not with credentials or schedule', () => {
    const base = readSource(sourceConfig()).fingerprint;
    expect(
      readSource(
        sourceConfig({
          schedule: { frequency: { minutes: 5 }, timeout: { minutes: 3 } },
          batchSize: 10,
        }),
      ).fingerprint,
    ).toBe(base);
    expect(readSource(withMapping({ number: undefined })).fingerprint).not.toBe(
      base,
    );
    const rest = (auth: JsonObject) =>
      readSource({
        ...sourceConfig(),
        csv: undefined as any,
        rest: { ...REST, auth },
      }).fingerprint;
    expect(rest({ value: 'a' })).toBe(rest({ value: 'b' }));
    // How requests are retried and paced, or whether deletions are looked
    // for, does not change which records come out.
    const restWith = (extra: JsonObject) =>
      readSource({
        ...sourceConfig(),
        csv: undefined as any,
        rest: { ...REST, ...extra },
      }).fingerprint;
    expect(
      restWith({ retryBudget: '1m', maxRequestsPerSecond: 3, timeout: '5s' }),
    ).toBe(restWith({}));
    expect(
      readSource(sourceConfig({ csv: { path: 'x.csv', fullExport: true } }))
        .fingerprint,
    ).toBe(readSource(sourceConfig({ csv: { path: 'x.csv' } })).fingerprint);
  });

  it('reads an overlap and a retry budget of zero', () => {
    const settings = readSource({
      ...sourceConfig({ overlap: '0s' }),
      csv: undefined as any,
      rest: { ...REST, retryBudget: { seconds: 0 } },
    });
    expect(settings.overlapMs).toBe(0);
    expect(settings.source).toMatchObject({ retryBudgetMs: 0 });
  });

  describe('fails the start, naming the full key, on', () => {
    it.each<[string, JsonObject, string | RegExp]>([
      [
        'an unknown normalised field',
        withMapping({ openedOn: 'Created' }),
        `Invalid config at ${KEY}.mapping.openedOn: unknown key`,
      ],
      ...(['externalId', 'title', 'state', 'openedAt'] as const).map(
        field =>
          [
            `a missing required mapping (${field})`,
            withMapping({ [field]: undefined }),
            `Missing required config value at '${KEY}.mapping.${field}'`,
          ] as [string, JsonObject, string],
      ),
      ['no mapping at all', { csv: { path: 'x.csv' } }, `'${KEY}.mapping'`],
      [
        'a value map to an invalid state',
        withMapping({
          state: { from: 'Status', values: { Completed: 'done' } },
        }),
        `Invalid config at ${KEY}.mapping.state.values.Completed: "done" is not a record state`,
      ],
      [
        'a value map to an invalid priority',
        withMapping({ priority: { from: 'Priority', values: { Urgent: 0 } } }),
        `${KEY}.mapping.priority.values.Urgent: 0 is not a priority`,
      ],
      [
        'a value map to an unknown category',
        withMapping({
          category: { from: 'Category', values: { Visa: 'visa' } },
        }),
        `${KEY}.mapping.category.values.Visa: "visa" is not a category`,
      ],
      [
        'a value map on an instant',
        withMapping({ openedAt: { from: 'Created', values: { x: 'y' } } }),
        `${KEY}.mapping.openedAt.values.x: value maps do not apply to instant fields`,
      ],
      [
        'a template on a state',
        withMapping({ state: '{Status}' }),
        `${KEY}.mapping.state: templates apply to text fields only`,
      ],
      [
        'a broken template',
        withMapping({ title: '{Subject' }),
        `${KEY}.mapping.title: template '{Subject': placeholder at position 1 is not closed`,
      ],
      [
        'both from and template',
        withMapping({ title: { from: 'Subject', template: '{Subject}' } }),
        `${KEY}.mapping.title: set exactly one of 'from', 'template' and 'value'`,
      ],
      [
        'a format on a text field',
        withMapping({ title: { from: 'Subject', format: 'iso' } }),
        `${KEY}.mapping.title.format: applies to instant fields only`,
      ],
      [
        'an unknown field option',
        withMapping({ title: { from: 'Subject', default: 'x' } }),
        `${KEY}.mapping.title.default: unknown key`,
      ],
      [
        'a bad time zone',
        sourceConfig({ timeZone: 'Mars/Olympus' }),
        `${KEY}.timeZone: 'Mars/Olympus' is not a time zone`,
      ],
      [
        'a format that reads nothing',
        withMapping({ openedAt: { from: 'Created', format: 'nonsense' } }),
        `${KEY}.mapping.openedAt.format: 'nonsense' is neither a luxon format`,
      ],
      [
        'a bad URL',
        {
          ...sourceConfig(),
          csv: undefined as any,
          rest: { url: 'wd.example.com/cases' },
        },
        `Invalid config at ${KEY}.rest.url: 'wd.example.com/cases' is not an absolute URL`,
      ],
      [
        'a URL that is not http',
        {
          ...sourceConfig(),
          csv: undefined as any,
          rest: { url: 'ftp://wd.example.com/x' },
        },
        `${KEY}.rest.url: 'ftp://wd.example.com/x' must be an http or https URL`,
      ],
      [
        'both csv and rest',
        sourceConfig({ rest: REST }),
        `Invalid config at ${KEY}.rest: a source reads either csv or rest, not both`,
      ],
      [
        'neither csv nor rest',
        { ...sourceConfig(), csv: undefined as any },
        `'${KEY}.csv' or '${KEY}.rest'`,
      ],
      [
        'an unknown pagination',
        {
          ...sourceConfig(),
          csv: undefined as any,
          rest: { ...REST, pagination: { type: 'cursor' } },
        },
        `Invalid config at ${KEY}.rest.pagination.type: unknown pagination 'cursor'`,
      ],
      [
        'next pagination without nextPath',
        {
          ...sourceConfig(),
          csv: undefined as any,
          rest: { ...REST, pagination: { type: 'next' } },
        },
        `'${KEY}.rest.pagination.nextPath'`,
      ],
      [
        'an option of another pagination',
        {
          ...sourceConfig(),
          csv: undefined as any,
          rest: { ...REST, pagination: { type: 'offset', nextPath: 'next' } },
        },
        `${KEY}.rest.pagination.nextPath: unknown key`,
      ],
      [
        'auth with both a value and a password',
        {
          ...sourceConfig(),
          csv: undefined as any,
          rest: { ...REST, auth: { value: 'x', username: 'u', password: 'p' } },
        },
        `${KEY}.rest.auth: set either value, or username and password`,
      ],
      [
        'maxAttempts, replaced by retryBudget',
        {
          ...sourceConfig(),
          csv: undefined as any,
          rest: { ...REST, maxAttempts: 5 },
        },
        `Invalid config at ${KEY}.rest.maxAttempts: no longer supported: a request is retried for a time, not a number of times; remove it and set ${KEY}.rest.retryBudget`,
      ],
      [
        'a request rate of 0',
        {
          ...sourceConfig(),
          csv: undefined as any,
          rest: { ...REST, maxRequestsPerSecond: 0 },
        },
        `Invalid config at ${KEY}.rest.maxRequestsPerSecond: must be a number above 0`,
      ],
      [
        'a retry budget that is not a duration',
        {
          ...sourceConfig(),
          csv: undefined as any,
          rest: { ...REST, retryBudget: 'soon' },
        },
        `Invalid config at ${KEY}.rest.retryBudget`,
      ],
      [
        'a full export that is not a boolean',
        sourceConfig({ csv: { path: 'x.csv', fullExport: 'sometimes' } }),
        `${KEY}.csv.fullExport`,
      ],
      [
        'a bad entity ref',
        sourceConfig({
          categories: { onboarding: { entityRef: 'employee-onboarding' } },
        }),
        `${KEY}.categories.onboarding.entityRef: 'employee-onboarding' is not an entity ref`,
      ],
      [
        'a bad default entity ref',
        sourceConfig({ defaultEntityRef: 'not a ref' }),
        `${KEY}.defaultEntityRef:`,
      ],
      [
        'a bad category id',
        sourceConfig({
          categories: { 'Visa-Help': { entityRef: 'component:default/x' } },
        }),
        `${KEY}.categories.Visa-Help: 'Visa-Help' is not a category id`,
      ],
      [
        'a typo at source level',
        sourceConfig({ personalField: ['Manager'] }),
        `Invalid config at ${KEY}.personalField: unknown key`,
      ],
      [
        'an empty personal field',
        sourceConfig({ personalFields: ['Manager', ' '] }),
        `${KEY}.personalFields[1]: must not be empty`,
      ],
      [
        'an SLA stage mapped to an unknown stage',
        sourceConfig({
          slas: {
            resolution: {
              kind: 'resolution',
              stage: { from: 'S', values: { Met: 'met' } },
            },
          },
        }),
        `${KEY}.slas.resolution.stage.values.Met: "met" is not an SLA stage`,
      ],
      [
        'an SLA without kind',
        sourceConfig({ slas: { resolution: { stage: 'S' } } }),
        `'${KEY}.slas.resolution.kind'`,
      ],
      [
        'an SLA unit',
        sourceConfig({
          slas: { r: { kind: 'resolution', stage: 'S', unit: 'weeks' } },
        }),
        `${KEY}.slas.r.unit: 'weeks' is not one of`,
      ],
      [
        'a bad delimiter',
        sourceConfig({ csv: { path: 'x.csv', delimiter: '"' } }),
        `${KEY}.csv.delimiter:`,
      ],
      [
        'a bad batch size',
        sourceConfig({ batchSize: 0 }),
        `${KEY}.batchSize: must be a whole number of at least 1`,
      ],
      [
        'a bad schedule',
        sourceConfig({ schedule: { frequency: { minutes: 5 } } }),
        `Invalid config at ${KEY}.schedule`,
      ],
      [
        'an overlap that is not a duration',
        sourceConfig({ overlap: 'a while' }),
        `Invalid config at ${KEY}.overlap: expected a duration`,
      ],
      [
        'a negative overlap',
        sourceConfig({ overlap: { minutes: -1 } }),
        `Invalid config at ${KEY}.overlap: must be a duration of zero or more`,
      ],
      [
        'a REST timeout of zero',
        {
          ...sourceConfig(),
          csv: undefined as any,
          rest: { ...REST, timeout: '0s' },
        },
        `Invalid config at ${KEY}.rest.timeout: must be a duration longer than zero`,
      ],
    ])('%s', (_, source, message) => {
      expect(read(source)).toThrow(message);
    });
  });
});
