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

import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
  LoggerService,
  RootLoggerService,
  SchedulerServiceTaskFunction,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import itsmPlugin from '@backstage-itsm/plugin-itsm-backend';
import servicenowModule from '@backstage-itsm/plugin-itsm-backend-module-servicenow';
import pagerdutyModule from '@backstage-itsm/plugin-itsm-backend-module-pagerduty';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import request from 'supertest';

/*
 * Secrets never leave through an error: a ServiceNow instance with basic
 * auth, one with OAuth and a PagerDuty account, configured with
 * recognisable secrets, fail in every way we can make them fail (401, 403,
 * 500, bad JSON, timeouts, dropped connections, refused and odd OAuth
 * token answers, servers that echo the request back), and no secret appears
 * in a sync status, an error a run throws, a log line (the auditor's
 * included) or a response of /api/itsm.
 */

jest.setTimeout(120_000);

const SN_USER = 'itsm-sync';
const SN_PASSWORD = 'SNPW-7f3a9c-S3CRET';
const SN_CLIENT_SECRET = 'SNCS-51be02-S3CRET';
const SN_OAUTH_PASSWORD = 'SNOPW-c04d11-S3CRET';
const SN_ACCESS_TOKEN = 'SNAT-88e1f0-S3CRET';
const SN_REFRESH_TOKEN = 'SNRT-93aa7e-S3CRET';
const PD_TOKEN = 'PDTK-4d2e6b-S3CRET';

const SECRETS = [
  SN_PASSWORD,
  SN_CLIENT_SECRET,
  SN_OAUTH_PASSWORD,
  SN_ACCESS_TOKEN,
  SN_REFRESH_TOKEN,
  PD_TOKEN,
  // The basic auth header carries user and password in base64.
  Buffer.from(`${SN_USER}:${SN_PASSWORD}`).toString('base64'),
  // A URL-encoded form field would show them like this.
  encodeURIComponent(SN_PASSWORD),
  encodeURIComponent(SN_CLIENT_SECRET),
];

const SN_BASIC = 'https://corp.service-now.test';
const SN_OAUTH = 'https://oauth.service-now.test';
const PD = 'https://pagerduty.test';

type Mode =
  | 'oauth-refused-echo'
  | 'oauth-without-access-token'
  | 'oauth-bad-json-echo'
  | 'unauthorized'
  | 'forbidden'
  | 'server-error'
  | 'rate-limited'
  | 'bad-json-echo'
  | 'timeout'
  | 'dropped'
  | 'unauthorized-echo'
  | 'forbidden-echo'
  | 'server-error-echo';

// The OAuth modes first: once a token is cached, the instance stops asking
// for one until it expires or a request is refused.
const MODES: Mode[] = [
  'oauth-refused-echo',
  'oauth-without-access-token',
  'oauth-bad-json-echo',
  'unauthorized',
  'forbidden',
  'server-error',
  'rate-limited',
  'bad-json-echo',
  'timeout',
  'dropped',
];

/**
 * A source that repeats the request's Authorization header in the text of
 * an error answer. KNOWN LEAK: the ServiceNow and PagerDuty clients quote
 * an error answer's text (the Table API's `error.detail`, PagerDuty's
 * error body) in their errors, and the HTTP layer does not scrub the
 * credentials it sent from what it quotes, so the header reaches
 * `lastError`, the logs and `GET /ownership`. Marked failing until the
 * HTTP layer (plugins/itsm-node/src/http) scrubs them; then make these
 * plain tests.
 */
const ECHO_MODES: Mode[] = [
  'unauthorized-echo',
  'forbidden-echo',
  'server-error-echo',
];

let mode: Mode = 'unauthorized';

/** What a server that repeats the request back would write. */
async function echo(req: Request): Promise<string> {
  const body = req.method === 'POST' ? await req.clone().text() : '';
  return `request ${req.method} ${req.url} authorization=${req.headers.get(
    'authorization',
  )} body=${body}`;
}

/** Answers a data request (Table API or REST API) in the current mode. */
async function answerData(req: Request): Promise<Response> {
  switch (mode) {
    case 'unauthorized':
      return HttpResponse.json(
        { error: { message: 'User Not Authenticated', detail: 'Required' } },
        { status: 401 },
      );
    case 'forbidden':
      return HttpResponse.json(
        { error: { message: 'Forbidden', detail: 'ACL Exception' } },
        { status: 403 },
      );
    case 'server-error':
      return HttpResponse.json(
        {
          error: {
            message: 'Transaction cancelled',
            detail: 'maximum execution time exceeded',
          },
        },
        { status: 500 },
      );
    case 'rate-limited':
      return HttpResponse.json(
        { error: { message: 'Rate limit exceeded' } },
        { status: 429, headers: { 'retry-after': '1' } },
      );
    case 'forbidden-echo':
      return HttpResponse.json(
        { error: { message: 'Forbidden', detail: await echo(req) } },
        { status: 403 },
      );
    case 'server-error-echo':
      return HttpResponse.text(`Internal error; ${await echo(req)}`, {
        status: 500,
      });
    case 'bad-json-echo':
      return new HttpResponse(`{"result": [ ${await echo(req)}`, {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    case 'timeout':
      await delay(2_000);
      return HttpResponse.json({ result: [] });
    case 'dropped':
      return HttpResponse.error();
    case 'unauthorized-echo':
      return HttpResponse.text(`token refused: ${await echo(req)}`, {
        status: 401,
      });
    default:
      // The OAuth modes fail at the token endpoint; data is fine.
      return HttpResponse.json({ result: [] });
  }
}

/** Answers `POST /oauth_token.do` in the current mode. */
async function answerToken(req: Request): Promise<Response> {
  switch (mode) {
    case 'oauth-refused-echo':
      return HttpResponse.text(await echo(req), { status: 401 });
    case 'oauth-without-access-token':
      return HttpResponse.json({
        refresh_token: SN_REFRESH_TOKEN,
        scope: 'useraccount',
        token_type: 'Bearer',
      });
    case 'oauth-bad-json-echo':
      return HttpResponse.text(`<html>${await echo(req)}`, { status: 200 });
    default:
      return HttpResponse.json({
        access_token: SN_ACCESS_TOKEN,
        refresh_token: SN_REFRESH_TOKEN,
        expires_in: 1800,
      });
  }
}

const server = setupServer(
  http.post(`${SN_OAUTH}/oauth_token.do`, ({ request: req }) =>
    answerToken(req),
  ),
  http.all(`${SN_BASIC}/*`, ({ request: req }) => answerData(req)),
  http.all(`${SN_OAUTH}/*`, ({ request: req }) => answerData(req)),
  http.all(`${PD}/*`, ({ request: req }) => answerData(req)),
);

/** Every log line of the backend, as text: message, meta and errors. */
const logLines: string[] = [];

function describe_(value: unknown): string {
  if (value instanceof Error) {
    const cause = (value as { cause?: unknown }).cause;
    return `${value.name}: ${value.message}\n${value.stack ?? ''}${
      cause ? `\ncause: ${describe_(cause)}` : ''
    }`;
  }
  try {
    return JSON.stringify(value, (_key, v) =>
      v instanceof Error ? describe_(v) : v,
    );
  } catch {
    return String(value);
  }
}

class CapturingLogger implements RootLoggerService {
  constructor(private readonly meta: Record<string, unknown> = {}) {}
  #write(level: string, message: string, meta?: Error | object) {
    logLines.push(
      `${level} ${message} ${describe_(this.meta)} ${describe_(meta)}`,
    );
  }
  error(message: string, meta?: Error | object) {
    this.#write('error', message, meta);
  }
  warn(message: string, meta?: Error | object) {
    this.#write('warn', message, meta);
  }
  info(message: string, meta?: Error | object) {
    this.#write('info', message, meta);
  }
  debug(message: string, meta?: Error | object) {
    this.#write('debug', message, meta);
  }
  child(meta: Record<string, unknown>): LoggerService {
    return new CapturingLogger({ ...this.meta, ...meta });
  }
}

const rootLoggerFactory = createServiceFactory({
  service: coreServices.rootLogger,
  deps: {},
  factory: () => new CapturingLogger(),
});

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments-api',
      namespace: 'default',
      annotations: {
        'servicenow.com/ci-sysid': 'ci-payments',
        'pagerduty.com/service-id': 'PPAY001',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'payments' },
  },
];

const PROVIDERS = ['servicenow:corp', 'servicenow:oauth', 'pagerduty:main'];

describe('secrets in errors, logs, sync status and responses', () => {
  let backend: TestBackend;
  const tasks = new Map<string, SchedulerServiceTaskFunction>();
  /** Errors the sync runs threw, and every response body, as text. */
  const thrown: string[] = [];
  const responses: string[] = [];
  const consoleLines: string[] = [];

  beforeAll(async () => {
    server.listen({
      // The test's own requests to the backend pass; nothing else may.
      onUnhandledRequest: (req, print) => {
        const { hostname } = new URL(req.url);
        if (hostname !== '127.0.0.1' && hostname !== 'localhost') {
          print.error();
        }
      },
    });
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map(describe_).join(' '));
      });
    }
    const scheduler = mockServices.scheduler.mock({
      scheduleTask: async task => {
        tasks.set(task.id, task.fn as SchedulerServiceTaskFunction);
      },
    });
    backend = await startTestBackend({
      features: [
        itsmPlugin,
        servicenowModule,
        pagerdutyModule,
        rootLoggerFactory,
        scheduler.factory,
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            itsm: {
              ingestion: { retryBudget: { milliseconds: 300 } },
              providers: {
                servicenow: {
                  corp: {
                    baseUrl: SN_BASIC,
                    auth: {
                      type: 'basic',
                      username: SN_USER,
                      password: SN_PASSWORD,
                    },
                    timeoutSeconds: 0.2,
                    retryBudgetSeconds: 0.5,
                    maxRequestsPerSecond: 0,
                  },
                  oauth: {
                    baseUrl: SN_OAUTH,
                    auth: {
                      type: 'oauth',
                      clientId: 'itsm-client',
                      clientSecret: SN_CLIENT_SECRET,
                      username: SN_USER,
                      password: SN_OAUTH_PASSWORD,
                    },
                    timeoutSeconds: 0.2,
                    retryBudgetSeconds: 0.5,
                    maxRequestsPerSecond: 0,
                  },
                },
                pagerduty: {
                  main: {
                    token: PD_TOKEN,
                    baseUrl: PD,
                    timeoutSeconds: 1,
                    retryBudgetSeconds: 1,
                    maxRequestsPerSecond: 1000,
                  },
                },
              },
            },
          },
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    server.close();
    jest.restoreAllMocks();
  });

  async function get(path: string): Promise<request.Response> {
    const res = await request(backend.server)
      .get(`/api/itsm${path}`)
      .set('Authorization', mockCredentials.service.header());
    responses.push(`${path} ${res.status} ${res.text}`);
    return res;
  }

  /**
   * Runs every provider's sync in mode `m`, then reads the operational and
   * entity routes; returns the providers whose run failed and every secret
   * found in what the mode produced.
   */
  async function failEveryWay(
    m: Mode,
  ): Promise<{ failed: string[]; statusErrors: number; leaks: string[] }> {
    mode = m;
    const marks = {
      thrown: thrown.length,
      logLines: logLines.length,
      consoleLines: consoleLines.length,
      responses: responses.length,
    };
    const failed: string[] = [];
    for (const providerId of PROVIDERS) {
      const task = tasks.get(`itsm-sync:${providerId}`);
      if (!task) {
        throw new Error(`No sync task was scheduled for ${providerId}`);
      }
      const error = await Promise.resolve(
        task(new AbortController().signal),
      ).then(
        () => undefined,
        e => e,
      );
      if (error) {
        failed.push(providerId);
        thrown.push(describe_(error));
      }
    }

    const sync = await get('/sync');
    for (const providerId of PROVIDERS) {
      await get(`/sync/${encodeURIComponent(providerId)}/dead-letters`);
    }
    await get('/ownership?entityRef=component:default/payments-api');
    await get('/metrics?entityRef=component:default/payments-api');
    const status = (
      sync.body as {
        items?: Array<{ providerId: string; lastError: string | null }>;
      }
    ).items;

    const texts: Array<[string, string[]]> = [
      ['thrown errors', thrown.slice(marks.thrown)],
      ['log lines', logLines.slice(marks.logLines)],
      ['console', consoleLines.slice(marks.consoleLines)],
      ['responses', responses.slice(marks.responses)],
    ];
    const leaks = texts.flatMap(([where, lines]) =>
      lines.flatMap(line =>
        SECRETS.filter(secret => line.includes(secret)).map(
          secret => `${where}: ${secret} in ${line.slice(0, 120)}`,
        ),
      ),
    );
    return {
      failed,
      statusErrors: (status ?? []).filter(s => s.lastError !== null).length,
      leaks,
    };
  }

  it.each(MODES)(
    'keeps every secret out when the sources fail: %s',
    async m => {
      const { failed, statusErrors, leaks } = await failEveryWay(m);
      // The OAuth modes fail the OAuth instance (the others may pass);
      // every other mode fails every source.
      const mustFail = m.startsWith('oauth-')
        ? ['servicenow:oauth']
        : PROVIDERS;
      expect(mustFail.filter(id => !failed.includes(id))).toEqual([]);
      expect(statusErrors).toBeGreaterThanOrEqual(failed.length);
      expect(leaks).toEqual([]);
    },
  );

  it.each(ECHO_MODES)(
    'keeps every secret out when a source echoes the request in its answer: %s',
    async m => {
      const { failed, leaks } = await failEveryWay(m);
      expect(failed).toEqual(PROVIDERS);
      expect(leaks).toEqual([]);
    },
  );

  it('logged and answered something for every mode', () => {
    expect(logLines.length).toBeGreaterThan(MODES.length);
    expect(thrown.length).toBeGreaterThanOrEqual(MODES.length);
    expect(responses.length).toBeGreaterThan(MODES.length * 4);
  });
});
