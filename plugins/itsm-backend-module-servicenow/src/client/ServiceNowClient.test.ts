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
import { setupServer } from 'msw/node';
import pagingAnd429 from '../__fixtures__/servicenow-table-api-paging-and-429.json';
import incidentList from '../__fixtures__/servicenow-incident.json';
import { FakeServiceNow } from '../__testUtils__/FakeServiceNow';
import { instantTime, recordingReporter } from '../__testUtils__/helpers';
import { fakeServiceNowHandlers } from '../__testUtils__/msw';
import type { ItsmSyncReporter } from '@backstage-itsm/plugin-itsm-node';
import { ServiceNowAuthConfig } from './auth';
import { ServiceNowError } from './errors';
import { ServiceNowClient } from './ServiceNowClient';

const BASE = 'https://example.service-now.com';
const TABLE = `${BASE}/api/now/table/incident`;
const server = setupServer();
registerMswTestHooks(server);

function client(
  auth: ServiceNowAuthConfig = {
    type: 'basic',
    username: 'itsm',
    password: 'pw',
  },
  timeoutMs = 5000,
  options: {
    retryBudgetMs?: number;
    time?: ReturnType<typeof instantTime>;
  } = {},
) {
  return new ServiceNowClient({
    instance: 'servicenow:corp',
    baseUrl: `${BASE}/`,
    auth,
    timeoutMs,
    retryBudgetMs: options.retryBudgetMs,
    configKey: 'itsm.providers.servicenow.corp',
    // Waits of the HTTP layer take no time in tests, but count.
    http: options.time ?? instantTime(),
  });
}

/** Gives up at the first 429 that asks to wait longer than 10 s. */
const impatient = () => client(undefined, undefined, { retryBudgetMs: 10_000 });

async function failureOf(promise: Promise<unknown>): Promise<ServiceNowError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceNowError);
    return error as ServiceNowError;
  }
  throw new Error('expected a failure');
}

/** Answers after two seconds, or as soon as the client gives up. */
function slow(request: Request): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, 2000);
    request.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const read = (
  c: ServiceNowClient,
  signal?: AbortSignal,
  reporter?: ItsmSyncReporter,
) =>
  c.getRows(
    'incident',
    { query: 'active=true', fields: ['sys_id', 'number'], limit: 2 },
    { signal, reporter },
  );

describe('ServiceNowClient', () => {
  it('sends basic auth and the Table API parameters, and returns the rows', async () => {
    let seen: Request | undefined;
    server.use(
      http.get(TABLE, ({ request }) => {
        seen = request;
        return HttpResponse.json({ result: incidentList.result });
      }),
    );
    const rows = await read(client());
    expect(rows).toHaveLength(2);
    expect(seen!.headers.get('authorization')).toBe(
      `Basic ${Buffer.from('itsm:pw').toString('base64')}`,
    );
    expect(seen!.headers.get('accept')).toBe('application/json');
    const url = new URL(seen!.url);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      sysparm_query: 'active=true',
      sysparm_fields: 'sys_id,number',
      sysparm_limit: '2',
      sysparm_display_value: 'false',
      sysparm_exclude_reference_link: 'true',
      sysparm_no_count: 'true',
      sysparm_suppress_pagination_header: 'true',
    });
    // Spaces in a date-time query are percent-encoded, never '+'.
    await client().getRows('incident', {
      query: 'sys_updated_on>=2024-06-01 00:00:00',
      fields: ['sys_id'],
      limit: 1,
      offset: 5,
    });
    expect(seen!.url).toContain(
      'sysparm_query=sys_updated_on%3E%3D2024-06-01%2000%3A00%3A00',
    );
    expect(new URL(seen!.url).searchParams.get('sysparm_offset')).toBe('5');
  });

  it('turns a 429 it may not wait for into a retryable error carrying Retry-After (seconds)', async () => {
    const { body, headers } = pagingAnd429.rate_limited_response;
    server.use(
      http.get(TABLE, () =>
        HttpResponse.json(body, {
          status: 429,
          headers: { 'Retry-After': '30', 'X-RateLimit-Limit': '100' },
        }),
      ),
    );
    expect(headers['Retry-After']).toMatch(/seconds/);
    const error = await failureOf(read(impatient()));
    expect(error).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 30_000,
      table: 'incident',
    });
    expect(error.message).toContain(
      'Rate limit exceeded: Rate limit of 100 requests per hour for Table API exceeded',
    );
  });

  it('reads Retry-After as an HTTP date, and X-RateLimit-Reset without it', async () => {
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    server.use(
      http.get(
        TABLE,
        () =>
          new HttpResponse(null, {
            status: 429,
            headers: { 'Retry-After': inTwoMinutes },
          }),
        { once: true },
      ),
    );
    const byDate = await failureOf(read(impatient()));
    expect(byDate.retryAfterMs).toBeGreaterThan(100_000);
    expect(byDate.retryAfterMs).toBeLessThanOrEqual(120_000);

    const reset = Math.floor(Date.now() / 1000) + 60;
    server.use(
      http.get(
        TABLE,
        () =>
          new HttpResponse(null, {
            status: 429,
            headers: { 'X-RateLimit-Reset': String(reset) },
          }),
      ),
    );
    const byReset = await failureOf(read(impatient()));
    expect(byReset.retryAfterMs).toBeGreaterThan(55_000);
  });

  it('turns 5xx that outlast the retry budget into an error with its status, which the engine retries', async () => {
    let calls = 0;
    server.use(
      http.get(TABLE, () => {
        calls++;
        return new HttpResponse('<html>Bad gateway</html>', { status: 502 });
      }),
    );
    const time = instantTime();
    const error = await failureOf(read(client(undefined, undefined, { time })));
    expect(error).toMatchObject({ status: 502, retryable: true });
    // Retried with backoff for the whole budget (5 minutes) first.
    expect(calls).toBeGreaterThan(5);
    expect(time.waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(200_000);
    expect(error.message).toContain('retry budget 300 s');
    expect(error.message).toContain(
      'servicenow:corp failed when reading table incident: 502',
    );
  });

  it.each([401, 403])(
    'turns %s into a non-retryable error naming the instance and table',
    async status => {
      server.use(
        http.get(TABLE, () =>
          HttpResponse.json(
            {
              error: {
                message: 'User Not Authenticated',
                detail: 'Required to provide Auth information',
              },
              status: 'failure',
            },
            { status },
          ),
        ),
      );
      const error = await failureOf(read(client()));
      expect(error).toMatchObject({ status, retryable: false });
      expect(error.message).toMatch(
        /servicenow:corp \(https:\/\/example\.service-now\.com\) refused access when reading table incident: 40[13].*User Not Authenticated.*itsm\.providers\.servicenow\.corp\.auth/,
      );
    },
  );

  it('times out a slow answer with a retryable error', async () => {
    server.use(
      http.get(TABLE, async ({ request }) => {
        await slow(request);
        return HttpResponse.json({ result: [] });
      }),
    );
    const error = await failureOf(
      read(client(undefined, 50, { retryBudgetMs: 1000 })),
    );
    expect(error).toMatchObject({ retryable: true });
    expect(error.status).toBeUndefined();
    expect(error.message).toContain(
      'did not answer reading table incident within 0.05 s',
    );
  });

  it("passes the run's abort on as is, not as a retryable error", async () => {
    server.use(
      http.get(TABLE, async ({ request }) => {
        await slow(request);
        return HttpResponse.json({ result: [] });
      }),
    );
    const controller = new AbortController();
    const promise = read(client(), controller.signal);
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    await expect(promise).rejects.toThrow('shutting down');
  });

  it('reports a body that is not JSON clearly (a hibernating instance)', async () => {
    server.use(
      http.get(
        TABLE,
        () =>
          new HttpResponse(
            '<html><body>Your instance is hibernating</body></html>',
            {
              status: 200,
              headers: { 'Content-Type': 'text/html' },
            },
          ),
      ),
    );
    const error = await failureOf(read(client()));
    expect(error).toMatchObject({ retryable: false });
    expect(error.message).toContain(
      'answered with a body that is not JSON when reading table incident (content-type text/html',
    );
    expect(error.message).toContain('Your instance is hibernating');
  });

  it('reports a JSON body without a result list', async () => {
    server.use(http.get(TABLE, () => HttpResponse.json({ results: [] })));
    const error = await failureOf(read(client()));
    expect(error.message).toContain('without a result list');
  });

  it('reports an unreachable instance as retryable', async () => {
    server.use(http.get(TABLE, () => HttpResponse.error()));
    const error = await failureOf(read(client()));
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toContain(
      'Could not reach ServiceNow instance servicenow:corp',
    );
  });

  it('rides out a 429 on every 5th request and a 500 on every 7th, honouring Retry-After', async () => {
    const fake = new FakeServiceNow({
      baseUrl: BASE,
      faults: [
        { every: 5, status: 429, headers: { 'Retry-After': '1' } },
        {
          every: 7,
          status: 500,
          body: '{"error":{"message":"Transaction cancelled: maximum execution time exceeded"}}',
        },
      ],
    });
    fake.put('incident', [{ sys_id: 'a1', number: 'INC0000001' }]);
    server.use(...fakeServiceNowHandlers(fake));
    const time = instantTime();
    const c = client(undefined, undefined, { time });
    const { events, reporter } = recordingReporter();
    for (let i = 0; i < 100; i++) {
      await expect(read(c, undefined, reporter)).resolves.toHaveLength(1);
    }
    const retries = events.retries.length;
    expect(fake.faultsSent.get(429)).toBeGreaterThan(15);
    expect(fake.faultsSent.get(500)).toBeGreaterThan(10);
    expect(retries).toBe(fake.faultsSent.get(429)! + fake.faultsSent.get(500)!);
    expect(events.requests).toBe(100 + retries);
    expect(c.stats).toMatchObject({ requests: 100 + retries, retries });
    // Each 429 waited the second it asked for; the 500s backed off.
    const waits429 = events.retries.filter(r => r.status === 429);
    expect(waits429.every(r => r.waitMs === 1000)).toBe(true);
    expect(
      events.retries
        .filter(r => r.status === 500)
        .every(r => r.waitMs < 30_000),
    ).toBe(true);
  });

  it('paces requests to maxRequestsPerSecond', async () => {
    const fake = new FakeServiceNow({ baseUrl: BASE });
    fake.declare('incident', ['number']);
    server.use(...fakeServiceNowHandlers(fake));
    const time = instantTime();
    const c = new ServiceNowClient({
      instance: 'servicenow:corp',
      baseUrl: BASE,
      auth: { type: 'basic', username: 'itsm', password: 'pw' },
      timeoutMs: 5000,
      maxRequestsPerSecond: 4,
      http: time,
    });
    for (let i = 0; i < 9; i++) await read(c);
    // Nine requests at four a second: two seconds of waiting, about.
    const waited = time.waits.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan(1500);
    expect(waited).toBeLessThanOrEqual(2000);
  });

  it('sends no credentials to another host when a read is redirected there', async () => {
    let elsewhere: Request | undefined;
    server.use(
      http.get(
        TABLE,
        () =>
          new HttpResponse(null, {
            status: 302,
            headers: { Location: 'https://other.example.net/rows' },
          }),
      ),
      http.get('https://other.example.net/rows', ({ request }) => {
        elsewhere = request;
        return HttpResponse.json({ result: [] });
      }),
    );
    await expect(read(client())).resolves.toEqual([]);
    expect(elsewhere).toBeDefined();
    expect(elsewhere!.headers.get('authorization')).toBeNull();
  });

  describe('OAuth', () => {
    const oauth = {
      type: 'oauth' as const,
      clientId: 'client',
      clientSecret: 'secret',
    };

    it('fetches a client-credentials token once and reuses it', async () => {
      const fake = new FakeServiceNow({ baseUrl: BASE, auth: { ...oauth } });
      fake.put('incident', [{ sys_id: 'a1', number: 'INC0000001' }]);
      server.use(...fakeServiceNowHandlers(fake));
      const c = client(oauth);
      await read(c);
      await read(c);
      expect(fake.tokenRequests).toEqual(['client_credentials']);
      expect(c.requestCount).toBe(3);
    });

    it('uses the password grant with username and password', async () => {
      const fake = new FakeServiceNow({
        baseUrl: BASE,
        auth: { ...oauth, username: 'itsm', password: 'pw' },
      });
      fake.declare('incident', ['number']);
      server.use(...fakeServiceNowHandlers(fake));
      await read(client({ ...oauth, username: 'itsm', password: 'pw' }));
      expect(fake.tokenRequests).toEqual(['password']);
    });

    it('fetches a new token shortly before expires_in, with the refresh token', async () => {
      const fake = new FakeServiceNow({
        baseUrl: BASE,
        auth: {
          ...oauth,
          username: 'itsm',
          password: 'pw',
          expiresIn: 2,
          refreshTokens: true,
        },
      });
      fake.declare('incident', ['number']);
      server.use(...fakeServiceNowHandlers(fake));
      const c = client({ ...oauth, username: 'itsm', password: 'pw' });
      await read(c);
      // A 2 s token is renewed 0.2 s early: wait past that.
      await new Promise(resolve => setTimeout(resolve, 1900));
      await read(c);
      expect(fake.tokenRequests).toEqual(['password', 'refresh_token']);
    });

    it('fetches a new token once on a 401 and retries the request', async () => {
      const fake = new FakeServiceNow({
        baseUrl: BASE,
        auth: { ...oauth, refreshTokens: true },
      });
      fake.declare('incident', ['number']);
      server.use(...fakeServiceNowHandlers(fake));
      const c = client(oauth);
      await read(c);
      fake.revokeAccessTokens();
      await read(c);
      expect(fake.tokenRequests).toEqual([
        'client_credentials',
        'refresh_token',
      ]);
      expect(fake.tableRequests('incident')).toHaveLength(3);
    });

    it('gives up after one new token, without a retry storm', async () => {
      const fake = new FakeServiceNow({ baseUrl: BASE, auth: { ...oauth } });
      fake.declare('incident', ['number']);
      fake.refuseAuthentication();
      server.use(...fakeServiceNowHandlers(fake));
      const error = await failureOf(read(client(oauth)));
      expect(error).toMatchObject({ status: 401, retryable: false });
      expect(error.message).toContain('servicenow:corp');
      expect(fake.tokenRequests).toEqual([
        'client_credentials',
        'client_credentials',
      ]);
      expect(fake.tableRequests()).toHaveLength(2);
    });

    it('falls back to the configured grant when the refresh token is refused', async () => {
      const fake = new FakeServiceNow({
        baseUrl: BASE,
        auth: { ...oauth, expiresIn: 1, refreshTokens: true },
      });
      fake.declare('incident', ['number']);
      server.use(...fakeServiceNowHandlers(fake));
      const c = client(oauth);
      await read(c);
      fake.revokeRefreshTokens();
      await new Promise(resolve => setTimeout(resolve, 1000));
      await read(c);
      expect(fake.tokenRequests).toEqual([
        'client_credentials',
        'refresh_token',
        'client_credentials',
      ]);
    });

    it('refuses wrong client credentials with a non-retryable error naming the instance', async () => {
      const fake = new FakeServiceNow({ baseUrl: BASE, auth: { ...oauth } });
      server.use(...fakeServiceNowHandlers(fake));
      const error = await failureOf(
        read(client({ ...oauth, clientSecret: 'wrong' })),
      );
      expect(error).toMatchObject({ status: 401, retryable: false });
      expect(error.message).toMatch(
        /ServiceNow instance servicenow:corp refused the OAuth token request \(client_credentials grant\) at https:\/\/example\.service-now\.com\/oauth_token\.do: 401.*itsm\.providers\.servicenow\.corp\.auth/,
      );
    });

    it('never follows a redirect of the token request, whose body holds the secrets', async () => {
      let leaked = false;
      server.use(
        http.post(
          `${BASE}/oauth_token.do`,
          () =>
            new HttpResponse(null, {
              status: 307,
              headers: { Location: 'https://other.example.net/token' },
            }),
        ),
        http.post('https://other.example.net/token', () => {
          leaked = true;
          return HttpResponse.json({ access_token: 'x' });
        }),
      );
      const error = await failureOf(read(client(oauth)));
      expect(error).toMatchObject({ retryable: false, status: 307 });
      expect(error.message).toContain('requesting an OAuth token');
      expect(leaked).toBe(false);
    });

    it('gets its token and reads through a 429 on every 5th request and a 500 on every 7th', async () => {
      const fake = new FakeServiceNow({
        baseUrl: BASE,
        auth: { ...oauth, expiresIn: 60, refreshTokens: true },
        faults: [
          { every: 5, status: 429, headers: { 'Retry-After': '1' } },
          { every: 7, status: 500 },
        ],
      });
      fake.put('incident', [{ sys_id: 'a1', number: 'INC0000001' }]);
      server.use(...fakeServiceNowHandlers(fake));
      const c = client(oauth);
      for (let i = 0; i < 40; i++) {
        await expect(read(c)).resolves.toHaveLength(1);
        if (i === 20) fake.revokeAccessTokens();
      }
      // One token, and one new one after the revocation (by refresh token),
      // however many of their requests failed on the way.
      expect(fake.tokenRequests).toEqual([
        'client_credentials',
        'refresh_token',
      ]);
      expect(fake.faultsSent.get(429)).toBeGreaterThan(5);
    });

    it('shares one token request between concurrent reads', async () => {
      const fake = new FakeServiceNow({ baseUrl: BASE, auth: { ...oauth } });
      fake.declare('incident', ['number']);
      server.use(...fakeServiceNowHandlers(fake));
      const c = client(oauth);
      await Promise.all([read(c), read(c), read(c)]);
      expect(fake.tokenRequests).toEqual(['client_credentials']);
    });
  });
});
