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
import { readServiceNowConfigs } from './config';

type ConfigData = ConstructorParameters<typeof ConfigReader>[0];

const basic = { type: 'basic', username: 'itsm', password: 'secret' };

function read(servicenow: unknown) {
  return readServiceNowConfigs(
    new ConfigReader({ itsm: { providers: { servicenow } } } as ConfigData),
  );
}

describe('readServiceNowConfigs', () => {
  it('reads nothing when no instance is configured', () => {
    expect(readServiceNowConfigs(new ConfigReader({}))).toEqual([]);
  });

  it('reads several instances with their defaults', () => {
    const [corp, emea] = read({
      corp: { baseUrl: 'https://corp.service-now.com/', auth: basic },
      emea: {
        baseUrl: 'https://emea.service-now.com',
        auth: {
          type: 'oauth',
          clientId: 'id',
          clientSecret: 'cs',
          username: 'u',
          password: 'p',
        },
        schedule: { frequency: { minutes: 5 }, timeout: { minutes: 10 } },
        tables: ['incident', 'task_sla'],
        query: { incident: 'assignment_group.name=Network' },
        pageSize: 1000,
        overlapSeconds: 300,
        displayValue: 'all',
        timeoutSeconds: 60,
        retryBudgetSeconds: 600,
        maxRequestsPerSecond: 1.5,
        reconcileEvery: { hours: 6 },
        acknowledgedAtField: 'u_acknowledged_at',
        ownershipCacheSeconds: 30,
        choices: {
          incident: {
            state: { '9': 'on_hold' },
            priority: { '5': 'none', '6': 5 },
          },
          change_request: { close_code: { rolled_back: 'failed' } },
          task_sla: { target: { '': 'resolution' } },
        },
      },
    });
    expect(corp).toEqual({
      key: 'corp',
      configKey: 'itsm.providers.servicenow.corp',
      id: 'servicenow:corp',
      baseUrl: 'https://corp.service-now.com',
      auth: basic,
      schedule: undefined,
      tables: ['incident', 'change_request', 'problem', 'task_sla'],
      query: {},
      pageSize: 500,
      overlapSeconds: 120,
      displayValue: 'false',
      choices: {},
      timeoutSeconds: 30,
      retryBudgetSeconds: 300,
      maxRequestsPerSecond: 10,
      reconcileEveryMs: 24 * 60 * 60 * 1000,
      acknowledgedAtField: undefined,
      ownershipCacheSeconds: 300,
    });
    expect(emea).toMatchObject({
      id: 'servicenow:emea',
      auth: {
        type: 'oauth',
        clientId: 'id',
        clientSecret: 'cs',
        username: 'u',
        password: 'p',
      },
      schedule: { frequency: { minutes: 5 }, timeout: { minutes: 10 } },
      tables: ['incident', 'task_sla'],
      query: { incident: 'assignment_group.name=Network' },
      pageSize: 1000,
      overlapSeconds: 300,
      displayValue: 'all',
      timeoutSeconds: 60,
      retryBudgetSeconds: 600,
      maxRequestsPerSecond: 1.5,
      reconcileEveryMs: 6 * 60 * 60 * 1000,
      acknowledgedAtField: 'u_acknowledged_at',
      ownershipCacheSeconds: 30,
      choices: {
        incident: {
          state: { '9': 'on_hold' },
          priority: { '5': 'none', '6': '5' },
        },
        change_request: { close_code: { rolled_back: 'failed' } },
        task_sla: { target: { '': 'resolution' } },
      },
    });
  });

  it('reads OAuth client credentials without username and password', () => {
    const [c] = read({
      corp: {
        baseUrl: 'https://corp.service-now.com',
        auth: { type: 'oauth', clientId: 'id', clientSecret: 'cs' },
        displayValue: false,
      },
    });
    expect(c.auth).toEqual({
      type: 'oauth',
      clientId: 'id',
      clientSecret: 'cs',
    });
    expect(c.displayValue).toBe('false');
  });

  it('reads reconcileEvery as a duration string, and 0 requests per second as no limit', () => {
    const [iso, short] = read({
      iso: {
        baseUrl: 'https://corp.service-now.com',
        auth: basic,
        reconcileEvery: 'P2D',
        maxRequestsPerSecond: 0,
        retryBudgetSeconds: 0,
      },
      short: {
        baseUrl: 'https://corp.service-now.com',
        auth: basic,
        reconcileEvery: '12h',
      },
    });
    expect(iso).toMatchObject({
      reconcileEveryMs: 2 * 24 * 60 * 60 * 1000,
      maxRequestsPerSecond: 0,
      retryBudgetSeconds: 0,
    });
    expect(short.reconcileEveryMs).toBe(12 * 60 * 60 * 1000);
  });

  const ok = { baseUrl: 'https://corp.service-now.com', auth: basic };
  it.each([
    [
      { corp: { auth: basic } },
      /Missing required config value at 'itsm\.providers\.servicenow\.corp\.baseUrl'/,
    ],
    [
      { corp: { ...ok, baseUrl: 'corp.service-now.com' } },
      /itsm\.providers\.servicenow\.corp\.baseUrl: is not an absolute URL/,
    ],
    [
      { corp: { ...ok, baseUrl: 'ftp://corp' } },
      /itsm\.providers\.servicenow\.corp\.baseUrl: .*http\(s\)/,
    ],
    [
      { corp: { baseUrl: ok.baseUrl } },
      /itsm\.providers\.servicenow\.corp\.auth/,
    ],
    [
      { corp: { ...ok, auth: { type: 'basic', username: 'u' } } },
      /itsm\.providers\.servicenow\.corp\.auth\.password/,
    ],
    [
      { corp: { ...ok, auth: { type: 'token' } } },
      /itsm\.providers\.servicenow\.corp\.auth\.type: 'token' is not an auth type/,
    ],
    [
      { corp: { ...ok, auth: { type: 'oauth', clientId: 'id' } } },
      /itsm\.providers\.servicenow\.corp\.auth\.clientSecret/,
    ],
    [
      {
        corp: {
          ...ok,
          auth: {
            type: 'oauth',
            clientId: 'id',
            clientSecret: 's',
            username: 'u',
          },
        },
      },
      /itsm\.providers\.servicenow\.corp\.auth\.password: the OAuth password grant needs both/,
    ],
    [
      { corp: { ...ok, schedule: { frequency: { minutes: 5 } } } },
      /Invalid config at itsm\.providers\.servicenow\.corp\.schedule/,
    ],
    [
      { corp: { ...ok, tables: ['incident', 'incidnet'] } },
      /itsm\.providers\.servicenow\.corp\.tables\[1\]: unknown table 'incidnet'/,
    ],
    [
      { corp: { ...ok, tables: ['task_sla'] } },
      /itsm\.providers\.servicenow\.corp\.tables: must list at least one of incident/,
    ],
    [
      { corp: { ...ok, query: { incidents: 'active=true' } } },
      /itsm\.providers\.servicenow\.corp\.query\.incidents: unknown table/,
    ],
    [
      { corp: { ...ok, query: { incident: 'active=true^NQpriority=1' } } },
      /itsm\.providers\.servicenow\.corp\.query\.incident: must not contain \^NQ/,
    ],
    [
      { corp: { ...ok, query: { incident: 'active=true^ORDERBYnumber' } } },
      /itsm\.providers\.servicenow\.corp\.query\.incident: must not contain ORDERBY/,
    ],
    [
      { corp: { ...ok, pageSize: 0 } },
      /itsm\.providers\.servicenow\.corp\.pageSize: 0 is not a whole number from 2 to 10000/,
    ],
    [
      { corp: { ...ok, pageSize: 'many' } },
      /itsm\.providers\.servicenow\.corp\.pageSize/,
    ],
    [
      { corp: { ...ok, overlapSeconds: -1 } },
      /itsm\.providers\.servicenow\.corp\.overlapSeconds/,
    ],
    [
      { corp: { ...ok, timeoutSeconds: 0 } },
      /itsm\.providers\.servicenow\.corp\.timeoutSeconds/,
    ],
    [
      { corp: { ...ok, retryBudgetSeconds: -5 } },
      /itsm\.providers\.servicenow\.corp\.retryBudgetSeconds: -5 is not a number from 0 to 86400/,
    ],
    [
      { corp: { ...ok, retryBudgetSeconds: 'forever' } },
      /itsm\.providers\.servicenow\.corp\.retryBudgetSeconds/,
    ],
    [
      { corp: { ...ok, maxRequestsPerSecond: -1 } },
      /itsm\.providers\.servicenow\.corp\.maxRequestsPerSecond: -1 is not a number from 0 to 1000/,
    ],
    [
      { corp: { ...ok, maxRequestsPerSecond: 'fast' } },
      /itsm\.providers\.servicenow\.corp\.maxRequestsPerSecond/,
    ],
    [
      { corp: { ...ok, reconcileEvery: 'often' } },
      /itsm\.providers\.servicenow\.corp\.reconcileEvery: expected a duration such as \{ hours: 24 \}, 24h or P1D/,
    ],
    [
      { corp: { ...ok, reconcileEvery: { fortnights: 1 } } },
      /itsm\.providers\.servicenow\.corp\.reconcileEvery/,
    ],
    [
      { corp: { ...ok, reconcileEvery: { hours: 0 } } },
      /itsm\.providers\.servicenow\.corp\.reconcileEvery: must be a duration longer than zero/,
    ],
    [
      { corp: { ...ok, displayValue: true } },
      /itsm\.providers\.servicenow\.corp\.displayValue: true is not supported/,
    ],
    [
      { corp: { ...ok, acknowledgedAtField: 'U Ack' } },
      /itsm\.providers\.servicenow\.corp\.acknowledgedAtField: 'U Ack' is not a field name/,
    ],
    [
      { corp: { ...ok, choices: { incidents: {} } } },
      /itsm\.providers\.servicenow\.corp\.choices\.incidents: unknown table/,
    ],
    [
      { corp: { ...ok, choices: { incident: { close_code: {} } } } },
      /itsm\.providers\.servicenow\.corp\.choices\.incident\.close_code: unknown choice field; incident has state, priority/,
    ],
    [
      { corp: { ...ok, choices: { incident: { state: { '9': 'paused' } } } } },
      /itsm\.providers\.servicenow\.corp\.choices\.incident\.state\.9: "paused" is not one of new, in_progress/,
    ],
    [
      {
        corp: { ...ok, choices: { change_request: { priority: { '6': 7 } } } },
      },
      /itsm\.providers\.servicenow\.corp\.choices\.change_request\.priority\.6: 7 is not one of 1, 2, 3, 4, 5, none/,
    ],
    [
      { corp: { ...ok, query: { incident: 'NQactive=true' } } },
      /itsm\.providers\.servicenow\.corp\.query\.incident: must not start with NQ/,
    ],
    [
      { corp: { ...ok, query: { problem: '^NQactive=true' } } },
      /itsm\.providers\.servicenow\.corp\.query\.problem: must not start with NQ/,
    ],
    [
      { corp: { ...ok, query: { change_request: 'EQ' } } },
      /itsm\.providers\.servicenow\.corp\.query\.change_request: must not start with EQ/,
    ],
    [
      { corp: { ...ok, query: { incident: '^EQ' } } },
      /itsm\.providers\.servicenow\.corp\.query\.incident: must not start with EQ/,
    ],
    [
      { corp: { ...ok, query: { task_sla: 'stage=breached^EQ' } } },
      /itsm\.providers\.servicenow\.corp\.query\.task_sla: must not contain \^EQ/,
    ],
  ])('refuses %j, naming the key', (servicenow, message) => {
    expect(() => read(servicenow)).toThrow(message);
  });

  it('accepts extra queries that stay within the provider conditions', () => {
    const [corp] = read({
      corp: {
        ...ok,
        query: {
          incident: 'active=true^ORpriority=1',
          problem: 'assignment_group.nameSTARTSWITHNQ Team',
        },
      },
    });
    expect(corp.query).toEqual({
      incident: 'active=true^ORpriority=1',
      problem: 'assignment_group.nameSTARTSWITHNQ Team',
    });
  });

  it.each([
    'https://itsm-sync:hunter2@corp.service-now.com',
    'https://itsm-sync:hunter2@corp.service-now.com/?x=1',
    'ftp://itsm-sync:hunter2@corp.service-now.com',
    'https://:hunter2@corp.service-now.com',
    'https://hunter2@corp.service-now.com',
    'https://itsm-sync:hunter2@',
    'itsm-sync:hunter2@corp.service-now.com',
  ])('refuses credentials in baseUrl %j without repeating them', baseUrl => {
    let error: Error | undefined;
    try {
      read({ corp: { ...ok, baseUrl } });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(
      /^Invalid config at itsm\.providers\.servicenow\.corp\.baseUrl: /,
    );
    expect(error?.message).not.toContain('hunter2');
    expect(error?.message).not.toContain('itsm-sync');
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });

  it('names the credentials as the reason when the URL is otherwise fine', () => {
    expect(() =>
      read({
        corp: {
          ...ok,
          baseUrl: 'https://itsm-sync:hunter2@corp.service-now.com',
        },
      }),
    ).toThrow(
      'Invalid config at itsm.providers.servicenow.corp.baseUrl: must not carry credentials (user:password@); set them under auth, where they are kept secret',
    );
  });
});
