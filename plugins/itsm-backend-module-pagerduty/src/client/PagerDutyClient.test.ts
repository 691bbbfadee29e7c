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

import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { stall } from '../__testUtils__/fakePagerDuty';
import { setupServer } from 'msw/node';
import { recordingReporter } from '../__testUtils__/runSync';
import { VirtualClock } from '../__testUtils__/virtualClock';
import pagingAndErrors from '../__fixtures__/pagerduty-paging-and-errors.json';
import incidentsList from '../__fixtures__/pagerduty-incidents-list.json';
import { PagerDutyClient } from './PagerDutyClient';
import { PagerDutyRequestError } from './errors';

const server = setupServer();
registerMswTestHooks(server);

const BASE = 'https://pd.test/api';

let clock: VirtualClock;
beforeEach(() => {
  clock = new VirtualClock();
});

/** A client on virtual time: its retries wait without waiting. */
function client(options: { timeoutMs?: number; retryBudgetMs?: number } = {}) {
  return new PagerDutyClient({
    accountId: 'pagerduty:main',
    configPath: 'itsm.providers.pagerduty.main',
    baseUrl: `${BASE}/`,
    token: 'secret-token',
    timeoutMs: options.timeoutMs ?? 5000,
    retryBudgetMs: options.retryBudgetMs ?? 5000,
    maxRequestsPerSecond: Infinity,
    http: {
      now: clock.now,
      sleep: clock.sleep,
      fetch: clock.fetch(),
      random: () => 0.5,
    },
  });
}

function answer(
  response: (info: { request: Request }) => Response | Promise<Response>,
) {
  server.use(http.get(`${BASE}/incidents`, response));
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as PagerDutyRequestError;
  }
  throw new Error('expected a failure');
}

describe('PagerDutyClient', () => {
  it('sends the token, the v2 Accept header and repeated array parameters', async () => {
    let seen: Request | undefined;
    answer(() => HttpResponse.json(incidentsList));
    server.events.on('request:start', ({ request }) => {
      seen = request;
    });
    const c = client();
    const page = await c.getPage('/incidents', 'incidents', {
      'statuses[]': ['triggered', 'resolved'],
      since: '2026-01-01T00:00:00Z',
      limit: 1,
      offset: 0,
      total: undefined,
    });
    server.events.removeAllListeners();

    expect(seen!.headers.get('authorization')).toBe('Token token=secret-token');
    expect(seen!.headers.get('accept')).toBe(
      'application/vnd.pagerduty+json;version=2',
    );
    const url = new URL(seen!.url);
    expect(url.pathname).toBe('/api/incidents');
    expect(url.searchParams.getAll('statuses[]')).toEqual([
      'triggered',
      'resolved',
    ]);
    expect(url.searchParams.has('total')).toBe(false);
    expect(page).toEqual({
      items: incidentsList.incidents,
      more: true,
      total: null,
    });
    expect(c.requestCount).toBe(1);
  });

  it('reads every page of a short list', async () => {
    server.use(
      http.get(`${BASE}/oncalls`, ({ request }) => {
        const offset = Number(new URL(request.url).searchParams.get('offset'));
        return HttpResponse.json({
          oncalls: offset === 0 ? [{ n: 1 }, { n: 2 }] : [{ n: 3 }],
          more: offset === 0,
        });
      }),
    );
    const pages = [];
    for await (const page of client().getPages('/oncalls', 'oncalls', {}, 2)) {
      pages.push(page);
    }
    expect(pages).toEqual([[{ n: 1 }, { n: 2 }], [{ n: 3 }]]);
  });

  it('gives up on a 429 that asks for more than the retry budget, retryable after ratelimit-reset', async () => {
    let n = 0;
    answer(() => {
      n++;
      return HttpResponse.json(
        { error: { message: 'Rate Limit Exceeded' } },
        {
          status: 429,
          headers: {
            'ratelimit-limit': '960',
            'ratelimit-remaining': '0',
            'ratelimit-reset': '12',
          },
        },
      );
    });
    const error = await failure(client().get('/incidents'));
    expect(error).toBeInstanceOf(PagerDutyRequestError);
    expect(error).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 12_000,
    });
    expect(error.message).toBe(
      'PagerDuty account pagerduty:main: GET /incidents was rate limited (429); PagerDuty asks to wait 12s' +
        // The HTTP layer's own account of it.
        '; caused by ItsmSourceError: ITSM source pagerduty:main: GET https://pd.test/api/incidents answered 429 Too Many Requests: Rate Limit Exceeded; gave up after 1 attempt in 0 s (retry budget 5 s; the source asked to wait 12 s)',
    );
    expect(n).toBe(1);
  });

  it('waits what a 429 asks (Retry-After, else ratelimit-reset) and backs off on a 5xx, whatever its reset says', async () => {
    clock = new VirtualClock(Date.parse('2015-10-21T07:28:00Z'));
    const rate = { 'ratelimit-limit': '960', 'ratelimit-remaining': '0' };
    const answers = [
      () =>
        HttpResponse.json(
          {},
          {
            status: 429,
            headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:05 GMT' },
          },
        ),
      () =>
        HttpResponse.json(
          {},
          { status: 429, headers: { ...rate, 'ratelimit-reset': '12' } },
        ),
      // Both: Retry-After is the answer's own hint (RFC 9110), it wins.
      () =>
        HttpResponse.json(
          {},
          {
            status: 429,
            headers: { ...rate, 'ratelimit-reset': '1', 'retry-after': '30' },
          },
        ),
      // The rate window's reset on a 500 is no retry hint.
      () =>
        HttpResponse.json(
          {},
          { status: 500, headers: { ...rate, 'ratelimit-reset': '51' } },
        ),
      () => HttpResponse.json(incidentsList),
    ];
    const seen: Array<string | null> = [];
    answer(({ request }) => {
      seen.push(request.headers.get('authorization'));
      return answers.shift()!();
    });
    const { reported, reporter } = recordingReporter();
    const body = await client({ retryBudgetMs: 60_000 }).get<{
      incidents: unknown[];
    }>('/incidents', {}, { reporter });
    expect(body.incidents).toHaveLength(1);
    // The 500's backoff: full jitter (0.5) of 4 s at the fourth attempt.
    expect(clock.waits).toEqual([5000, 12_000, 30_000, 2000]);
    expect(reported.retries.map(r => r.status)).toEqual([429, 429, 429, 500]);
    expect(reported.requests).toBe(5);
    expect(seen).toEqual(Array(5).fill('Token token=secret-token'));
  });

  it('keeps the status of a 5xx for the engine to retry, once the retry budget is spent', async () => {
    let n = 0;
    answer(() => {
      n++;
      return new HttpResponse('upstream error', { status: 502 });
    });
    const error = await failure(client().get('/incidents'));
    expect(error).toMatchObject({ status: 502 });
    expect(error.retryable).toBeUndefined();
    expect(error.message).toMatch(/failed with 502.*upstream error/);
    // 250 + 500 + 1000 + 2000 ms of backoff; the next 4 s would pass 5 s.
    expect(error.message).toMatch(
      /; gave up after 5 attempts in 4 s \(retry budget 5 s\)$/,
    );
    expect(n).toBe(5);
    expect(clock.waits).toEqual([250, 500, 1000, 2000]);
  });

  it('returns what a retried 5xx finally answers', async () => {
    let n = 0;
    answer(() =>
      ++n < 3
        ? HttpResponse.json(
            { error: { message: 'Internal Server Error' } },
            { status: 500 },
          )
        : HttpResponse.json(incidentsList),
    );
    const c = client();
    await expect(
      c.getPage('/incidents', 'incidents', {}),
    ).resolves.toMatchObject({ more: true });
    expect(c.requestCount).toBe(3);
    expect(c.stats).toMatchObject({ requests: 3, retries: 2 });
  });

  it.each([401, 403])(
    'refuses a %s as final, naming the account and the token key',
    async status => {
      answer(() =>
        HttpResponse.json(
          { error: { message: 'Unauthorized', code: 2006 } },
          { status },
        ),
      );
      const error = await failure(client().get('/incidents'));
      expect(error).toMatchObject({ status, retryable: false });
      expect(error.message).toMatch(
        /^PagerDuty account pagerduty:main: GET \/incidents was refused \(\d+.*Unauthorized, code 2006\)\. Check the API token at itsm\.providers\.pagerduty\.main\.token/,
      );
      expect(error.message).not.toMatch(/secret-token/);
    },
  );

  it('explains the offset cap error', async () => {
    answer(() =>
      HttpResponse.json(pagingAndErrors.offset_limit_exceeded_400, {
        status: 400,
      }),
    );
    const error = await failure(client().get('/incidents'));
    expect(error).toMatchObject({ status: 400, retryable: false });
    expect(error.message).toMatch(
      /Arguments Caused Error, code 2002, Offset\+limit exceeds maximum allowed value of 10000/,
    );
  });

  it('refuses a body that is not JSON', async () => {
    answer(
      () =>
        new HttpResponse('<html>Maintenance</html>', {
          headers: { 'content-type': 'text/html' },
        }),
    );
    const error = await failure(client().get('/incidents'));
    expect(error).toMatchObject({ status: 200, retryable: false });
    expect(error.message).toMatch(
      /^PagerDuty account pagerduty:main: GET \/incidents returned invalid JSON \(status 200, content-type text\/html\): <html>Maintenance<\/html>; caused by SyntaxError/,
    );
  });

  it('refuses a list without its items', async () => {
    answer(() => HttpResponse.json({ more: false }));
    const error = await failure(
      client().getPage('/incidents', 'incidents', {}),
    );
    expect(error.message).toMatch(/returned no 'incidents' list/);
  });

  it('times out as retryable', async () => {
    answer(async ({ request }) => {
      await stall(request, 2000);
      return HttpResponse.json(incidentsList);
    });
    const error = await failure(client({ timeoutMs: 50 }).get('/incidents'));
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toMatch(
      /^PagerDuty account pagerduty:main: GET \/incidents timed out after 50ms/,
    );
  });

  it('fails a call past its deadline as a retryable timeout, retries included', async () => {
    answer(async ({ request }) => {
      await stall(request, 2000);
      return HttpResponse.json(incidentsList);
    });
    const error = await failure(
      client({ retryBudgetMs: 300_000 }).get(
        '/incidents',
        {},
        { deadlineMs: 80 },
      ),
    );
    expect(error).toBeInstanceOf(PagerDutyRequestError);
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toBe(
      'PagerDuty account pagerduty:main: GET /incidents timed out after 80ms',
    );
  });

  it('fails a dropped connection as retryable', async () => {
    answer(() => HttpResponse.error());
    const error = await failure(client().get('/incidents'));
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toMatch(/GET \/incidents failed: /);
  });

  it('passes the run signal abort through untouched', async () => {
    const controller = new AbortController();
    answer(async ({ request }) => {
      controller.abort(new Error('shutting down'));
      await stall(request, 2000);
      return HttpResponse.json(incidentsList);
    });
    const error = await failure(
      client().get('/incidents', {}, { signal: controller.signal }),
    );
    expect(error).not.toBeInstanceOf(PagerDutyRequestError);
    expect(error.message).toBe('shutting down');
  });
});
