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

import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { createRecordingReporter } from '../testUtils';
import { ItsmSourceError } from './errors';
import { ItsmHttpClient } from './ItsmHttpClient';
import type { ItsmHttpClientOptions } from './types';

const BASE = 'https://source.example.com';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A virtual clock: sleeping moves it, so budgets are tested without waiting. */
function virtualTime() {
  const clock = { now: 0, waits: [] as number[] };
  return {
    clock,
    now: () => clock.now,
    sleep: async (ms: number) => {
      clock.waits.push(ms);
      const target = clock.now + ms;
      await Promise.resolve();
      clock.now = Math.max(clock.now, target);
    },
  };
}

function client(options: Partial<ItsmHttpClientOptions> = {}) {
  const time = virtualTime();
  return {
    ...time,
    http: new ItsmHttpClient({
      providerId: 'test:source',
      baseUrl: BASE,
      now: time.now,
      sleep: time.sleep,
      random: () => 0.5,
      ...options,
    }),
  };
}

/** The error a call fails with; a call that succeeds fails the test. */
async function failureOf(call: Promise<unknown>): Promise<ItsmSourceError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(ItsmSourceError);
    return error as ItsmSourceError;
  }
  throw new Error('expected the call to fail');
}

describe('ItsmHttpClient', () => {
  it('finishes a whole run of 300 requests with every 5th a 429 and every 7th a 500', async () => {
    let n = 0;
    server.use(
      http.get(`${BASE}/rows`, ({ request }) => {
        n++;
        if (n % 5 === 0) {
          return HttpResponse.json(
            { error: 'slow down' },
            { status: 429, headers: { 'Retry-After': '1' } },
          );
        }
        if (n % 7 === 0) {
          return HttpResponse.json(
            {
              error: {
                message:
                  'Transaction cancelled: maximum execution time exceeded',
              },
            },
            // A rate window's reset on a 500 is no retry hint.
            { status: 500, headers: { 'ratelimit-reset': '51' } },
          );
        }
        return HttpResponse.json({
          page: new URL(request.url).searchParams.get('page'),
        });
      }),
    );
    const { http: c, clock } = client();
    const { reported: events, reporter } = createRecordingReporter();
    for (let page = 0; page < 300; page++) {
      await expect(
        c.getJson({ url: `${BASE}/rows?page=${page}` }, { reporter }),
      ).resolves.toEqual({ page: String(page) });
    }
    const faults = events.retries.length;
    expect(events.requests).toBe(300 + faults);
    expect(c.stats).toMatchObject({ requests: 300 + faults, retries: faults });
    // Every 429 waited the second it asked for; no 500 waited 51 s.
    const by429 = events.retries.filter(r => r.status === 429);
    const by500 = events.retries.filter(r => r.status === 500);
    expect(by429.length).toBeGreaterThan(60);
    expect(by500.length).toBeGreaterThan(30);
    expect(by429.every(r => r.waitMs === 1000)).toBe(true);
    expect(by500.every(r => r.waitMs < 30_000)).toBe(true);
    expect(Math.max(...clock.waits)).toBeLessThan(30_000);
  });

  it("waits for PagerDuty's ratelimit-reset on a 429, and backs off on a 500", async () => {
    const answers = [
      () =>
        HttpResponse.json(
          {},
          { status: 429, headers: { 'ratelimit-reset': '12' } },
        ),
      () =>
        HttpResponse.json(
          {},
          { status: 500, headers: { 'ratelimit-reset': '51' } },
        ),
      () => HttpResponse.json({ ok: true }),
    ];
    server.use(http.get(`${BASE}/incidents`, () => answers.shift()!()));
    const { http: c, clock } = client({ backoffBaseMs: 1000 });
    await expect(c.getJson({ url: `${BASE}/incidents` })).resolves.toEqual({
      ok: true,
    });
    // 12 s asked by the 429; the 500's backoff is full jitter of 2 s (random 0.5).
    expect(clock.waits).toEqual([12_000, 1000]);
  });

  it('reads an epoch x-ratelimit-reset and an HTTP-date Retry-After', async () => {
    const answers = [
      () =>
        HttpResponse.json(
          {},
          { status: 429, headers: { 'x-ratelimit-reset': '1000000030' } },
        ),
      () =>
        HttpResponse.json(
          {},
          {
            status: 503,
            headers: {
              'retry-after': new Date(1_000_000_045_000).toUTCString(),
            },
          },
        ),
      () => HttpResponse.json({ ok: true }),
    ];
    server.use(http.get(`${BASE}/t`, () => answers.shift()!()));
    const time = virtualTime();
    time.clock.now = 1_000_000_000_000;
    const c = new ItsmHttpClient({
      providerId: 'test:source',
      baseUrl: BASE,
      now: time.now,
      sleep: time.sleep,
    });
    await c.getJson({ url: `${BASE}/t` });
    expect(time.clock.waits).toEqual([30_000, 15_000]);
  });

  it('gives up when the retry budget is spent, with a retryable error that says so', async () => {
    let n = 0;
    server.use(
      http.get(`${BASE}/down`, () => {
        n++;
        return new HttpResponse('busy', { status: 503 });
      }),
    );
    const { http: c, clock } = client({
      retryBudgetMs: 60_000,
      backoffBaseMs: 1000,
      backoffMaxMs: 8000,
      random: () => 1,
    });
    const error = await failureOf(c.getJson({ url: `${BASE}/down` }));
    expect(error).toBeInstanceOf(ItsmSourceError);
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(503);
    expect(error.message).toMatch(
      /gave up after \d+ attempts .*retry budget 60 s/,
    );
    // 1 + 2 + 4 + 8 + 8 + ... until the next wait would pass 60 s.
    expect(clock.now).toBeLessThanOrEqual(60_000);
    expect(clock.now + 8000).toBeGreaterThan(60_000);
    expect(n).toBe(clock.waits.length + 1);
  });

  it('gives up at once when the source asks for a wait longer than the budget', async () => {
    server.use(
      http.get(`${BASE}/limited`, () =>
        HttpResponse.json(
          {},
          { status: 429, headers: { 'Retry-After': '3600' } },
        ),
      ),
    );
    const { http: c } = client({ retryBudgetMs: 300_000 });
    const error = await failureOf(c.getJson({ url: `${BASE}/limited` }));
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 3_600_000 });
    expect(error.message).toMatch(/asked to wait 3600 s/);
  });

  it("names the source's own words about a failure, and whether it timed out", async () => {
    server.use(
      http.get(`${BASE}/busy`, () =>
        HttpResponse.json(
          {
            error: {
              message: 'Transaction cancelled: maximum execution time exceeded',
            },
          },
          { status: 500 },
        ),
      ),
      http.get(`${BASE}/silent`, async () => {
        await delay(200);
        return HttpResponse.json({});
      }),
    );
    const { http: c } = client({
      retryBudgetMs: 2000,
      describeFailure: r => JSON.parse(r.text).error?.message,
    });
    const busy = await failureOf(c.getJson({ url: `${BASE}/busy` }));
    expect(busy).toMatchObject({
      status: 500,
      detail: 'Transaction cancelled: maximum execution time exceeded',
    });
    expect(busy.message).toMatch(
      /answered 500 Internal Server Error: Transaction cancelled.*; gave up after/,
    );
    // One cause, said once.
    expect(busy.message.match(/Transaction cancelled/g)).toHaveLength(1);

    const { http: slow } = client({ timeoutMs: 20, retryBudgetMs: 1500 });
    const silent = await failureOf(slow.getJson({ url: `${BASE}/silent` }));
    expect(silent).toMatchObject({ retryable: true, timedOut: true });
    expect(silent.message.match(/did not answer within/g)).toHaveLength(1);
  });

  it('never retries in a tight loop when the asked wait has already passed', async () => {
    let n = 0;
    server.use(
      http.get(`${BASE}/past`, () => {
        n++;
        return n < 4
          ? HttpResponse.json(
              {},
              {
                status: 429,
                headers: { 'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT' },
              },
            )
          : HttpResponse.json({ ok: true });
      }),
    );
    const { http: c, clock } = client({ backoffBaseMs: 1000, random: () => 1 });
    clock.now = Date.parse('2026-12-02T00:00:00Z');
    await c.getJson({ url: `${BASE}/past` });
    expect(clock.waits).toEqual([1000, 2000, 4000]);
  });

  it('retries network errors and timeouts', async () => {
    let n = 0;
    server.use(
      http.get(`${BASE}/flaky`, async () => {
        n++;
        if (n === 1) return HttpResponse.error();
        if (n === 2) {
          await delay(500);
          return HttpResponse.json({ late: true });
        }
        return HttpResponse.json({ ok: n });
      }),
    );
    const { reported: events, reporter } = createRecordingReporter();
    const { http: c } = client({ timeoutMs: 50 });
    await expect(
      c.getJson({ url: `${BASE}/flaky` }, { reporter }),
    ).resolves.toEqual({ ok: 3 });
    expect(events.requests).toBe(3);
    expect(events.retries.map(r => r.status)).toEqual([undefined, undefined]);
  });

  it('returns final statuses to the caller without retrying; getJson names them', async () => {
    let n = 0;
    server.use(
      http.get(`${BASE}/secret`, () => {
        n++;
        return HttpResponse.json({ error: 'no' }, { status: 403 });
      }),
    );
    const { http: c } = client();
    const response = await c.request({ url: `${BASE}/secret` });
    expect(response.status).toBe(403);
    const error = await failureOf(c.getJson({ url: `${BASE}/secret` }));
    expect(error).toMatchObject({ status: 403, retryable: false });
    expect(error.message).toMatch(/answered 403.*credentials/);
    expect(n).toBe(2);
  });

  it('stops when the run is aborted, with the run signal', async () => {
    server.use(
      http.get(`${BASE}/slow`, () =>
        HttpResponse.json({}, { status: 429, headers: { 'Retry-After': '5' } }),
      ),
    );
    const controller = new AbortController();
    const c = new ItsmHttpClient({
      providerId: 'test:source',
      baseUrl: BASE,
      sleep: async () => {
        controller.abort(new Error('shutting down'));
        throw controller.signal.reason;
      },
    });
    await expect(
      c.getJson({ url: `${BASE}/slow` }, { signal: controller.signal }),
    ).rejects.toThrow('shutting down');
  });

  describe('credentials', () => {
    it('follows a same-origin redirect with them', async () => {
      const seen: Array<string | null> = [];
      server.use(
        http.get(`${BASE}/old`, ({ request }) => {
          seen.push(request.headers.get('x-api-key'));
          return new HttpResponse(null, {
            status: 302,
            headers: { Location: '/new' },
          });
        }),
        http.get(`${BASE}/new`, ({ request }) => {
          seen.push(request.headers.get('x-api-key'));
          return HttpResponse.json({ moved: true });
        }),
      );
      const { http: c } = client();
      await expect(
        c.getJson({ url: `${BASE}/old`, credentials: { 'X-Api-Key': 'k1' } }),
      ).resolves.toEqual({ moved: true });
      expect(seen).toEqual(['k1', 'k1']);
    });

    it('never sends them after a cross-origin hop', async () => {
      const seen: Record<string, string | null> = {};
      server.use(
        http.get(
          `${BASE}/export`,
          () =>
            new HttpResponse(null, {
              status: 307,
              headers: { Location: 'https://files.other.example/export.json' },
            }),
        ),
        http.get('https://files.other.example/export.json', ({ request }) => {
          seen.apiKey = request.headers.get('x-api-key');
          seen.authorization = request.headers.get('authorization');
          seen.accept = request.headers.get('accept');
          return HttpResponse.json({ rows: [] });
        }),
      );
      const { http: c } = client();
      await expect(
        c.getJson({
          url: `${BASE}/export`,
          credentials: { 'X-Api-Key': 'k1', Authorization: 'Bearer t' },
        }),
      ).resolves.toEqual({ rows: [] });
      expect(seen).toEqual({
        apiKey: null,
        authorization: null,
        accept: 'application/json',
      });
    });

    it('refuses to send them to another origin', async () => {
      const { http: c } = client();
      await expect(
        c.getJson({
          url: 'https://elsewhere.example/next?page=2',
          credentials: { Authorization: 'Bearer t' },
        }),
      ).rejects.toMatchObject({
        retryable: false,
        message: expect.stringMatching(
          /credentials go only to https:\/\/source.example.com/,
        ),
      });
    });

    it('never sends a body to another origin', async () => {
      let reached = false;
      server.use(
        http.post(
          `${BASE}/oauth_token.do`,
          () =>
            new HttpResponse(null, {
              status: 307,
              headers: { Location: 'https://collector.other.example/token' },
            }),
        ),
        http.post('https://collector.other.example/token', () => {
          reached = true;
          return HttpResponse.json({});
        }),
      );
      const { http: c } = client();
      await expect(
        c.request({
          url: `${BASE}/oauth_token.do`,
          method: 'POST',
          body: 'client_secret=s3cr3t',
        }),
      ).rejects.toMatchObject({
        retryable: false,
        message: expect.stringMatching(/refusing to send the request body/),
      });
      expect(reached).toBe(false);
    });

    it('refuses user info in URLs without echoing it', () => {
      let message = '';
      try {
        expect(
          new ItsmHttpClient({
            providerId: 'test:source',
            baseUrl: 'https://integration:hunter2@source.example.com',
          }),
        ).toBeUndefined();
      } catch (error) {
        message = String(error);
      }
      expect(message).toMatch(/carries a user name or password/);
      expect(message).not.toMatch(/hunter2|integration/);
    });

    it('refuses a request URL with user info, and scrubs URLs out of network errors', async () => {
      const { http: c } = client();
      const refused = await failureOf(
        c.getJson({ url: 'https://bob:hunter2@source.example.com/rows' }),
      );
      expect(refused.message).toMatch(/carries a user name or password/);
      expect(refused.message).not.toMatch(/hunter2|bob/);

      const failing = new ItsmHttpClient({
        providerId: 'test:source',
        baseUrl: BASE,
        retryBudgetMs: 0,
        fetch: async () => {
          throw new TypeError('fetch failed', {
            cause: new Error(
              'connect ECONNREFUSED for https://u:s3cret@source.example.com/rows?api_key=K3Y',
            ),
          });
        },
      });
      const error = await failureOf(failing.getJson({ url: `${BASE}/rows` }));
      expect(error.message).toMatch(/fetch failed/);
      expect(error.message).toMatch(/https:\/\/source\.example\.com\/rows/);
      expect(error.message).not.toMatch(/s3cret|K3Y|u:/);
    });

    it('never hands back a credential or secret a source echoed', async () => {
      server.use(
        http.all(`${BASE}/echo`, async ({ request }) =>
          HttpResponse.text(
            `denied ${request.headers.get('authorization')} ${Buffer.from(
              (request.headers.get('authorization') ?? '').slice(6),
              'base64',
            ).toString()} ${await request.text()}`,
            { status: 403 },
          ),
        ),
      );
      const { http: c } = client();
      const basic = `Basic ${Buffer.from('integration:pa$$w0rd-42').toString(
        'base64',
      )}`;
      const response = await c.request({
        url: `${BASE}/echo`,
        method: 'POST',
        credentials: { Authorization: basic },
        body: new URLSearchParams({
          client_secret: 's3cr3t/+value',
        }).toString(),
        secrets: ['s3cr3t/+value'],
      });
      expect(response.status).toBe(403);
      expect(response.text).not.toMatch(/pa\$\$w0rd-42|s3cr3t|integration:/);
      expect(response.text).toMatch(/\[redacted\]/);
      expect(c.redact(`token Bearer-less pa$$w0rd-42`)).toBe(
        'token Bearer-less [redacted]',
      );
    });

    it('stops after too many redirects', async () => {
      server.use(
        http.get(
          `${BASE}/loop`,
          () =>
            new HttpResponse(null, {
              status: 301,
              headers: { Location: '/loop' },
            }),
        ),
      );
      const { http: c } = client({ maxRedirects: 3 });
      await expect(c.getJson({ url: `${BASE}/loop` })).rejects.toMatchObject({
        retryable: false,
        message: expect.stringMatching(/redirected more than 3 times/),
      });
    });
  });

  describe('request rate', () => {
    it('spaces concurrent requests to the configured rate', async () => {
      const { http: c, clock } = client({ maxRequestsPerSecond: 10 });
      server.use(http.get(`${BASE}/r`, () => HttpResponse.json({})));
      await Promise.all(
        Array.from({ length: 5 }, () => c.getJson({ url: `${BASE}/r` })),
      );
      // Five starts at once: each takes the next slot of 100 ms.
      expect(clock.waits.sort((a, b) => a - b)).toEqual([100, 200, 300, 400]);
      expect(c.stats).toMatchObject({ requests: 5, retries: 0, waitMs: 1000 });
    });

    it('sends at once when no rate is configured', async () => {
      const { http: c, clock } = client();
      server.use(http.get(`${BASE}/r`, () => HttpResponse.json({})));
      await Promise.all(
        Array.from({ length: 5 }, () => c.getJson({ url: `${BASE}/r` })),
      );
      expect(clock.waits).toEqual([]);
    });

    it('holds every request while the source asked everyone to wait', async () => {
      const { http: c, clock } = client();
      let first = true;
      const sentAt: number[] = [];
      server.use(
        http.get(`${BASE}/p`, () => {
          sentAt.push(clock.now);
          if (first) {
            first = false;
            return HttpResponse.json(
              {},
              { status: 429, headers: { 'Retry-After': '2' } },
            );
          }
          return HttpResponse.json({});
        }),
      );
      await c.getJson({ url: `${BASE}/p` });
      await c.getJson({ url: `${BASE}/p` });
      expect(sentAt).toEqual([0, 2000, 2000]);
    });
  });
});
