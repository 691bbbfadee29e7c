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
import { ConfigReader } from '@backstage/config';
import { ITSM_REDACTED } from '@backstage-itsm/plugin-itsm-common';
import { createItsmMappedProviders } from '@backstage-itsm/plugin-itsm-mapping-node';
import {
  ItsmProviderBatch,
  ItsmSyncReporter,
} from '@backstage-itsm/plugin-itsm-node';
import {
  createCapturingLogger,
  createRecordingReporter,
} from '@backstage-itsm/plugin-itsm-node/testUtils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { HR_SOURCE_OPTIONS } from './categories';

/*
 * A Workday-like custom report (RaaS) over REST, paged by limit/offset, as
 * the README's example configures it.
 */

const server = setupServer();
registerMswTestHooks(server);

const URL_BASE =
  'https://wd.example.com/ccx/service/customreport2/acme/HR_Cases';
const TOKEN = 'Bearer wd-secret';

function entry(n: number, updated = `2026-02-2${n}T12:00:00.000Z`) {
  return {
    Case_ID: `CASE-${n}`,
    Case_Type: n % 2 ? 'Onboarding' : 'Payroll Inquiry',
    Subject: `Case number ${n}`,
    Status: 'Resolved',
    Priority: 'Medium',
    Created_Moment: '2026-02-20T09:00:00.000-08:00',
    First_Response_Moment: '2026-02-20T09:30:00.000-08:00',
    Resolved_Moment: '2026-02-21T09:00:00.000-08:00',
    Last_Updated: updated,
    Assigned_To: { Descriptor: 'HR Partner' },
    Worker: {
      Name: `Worker Person${n}`,
      Email: `worker.person${n}@acme.example`,
      Employee_ID: `W-${1000 + n}`,
    },
  };
}

const ENTRIES = [1, 2, 3, 4, 5].map(n => entry(n));

const CONFIG = {
  itsm: {
    hr: {
      sources: {
        workday: {
          rest: {
            url: `${URL_BASE}?format=json`,
            auth: { value: TOKEN },
            itemsPath: 'Report_Entry',
            pagination: {
              type: 'offset',
              pageSize: 2,
              limitParam: 'limit',
              offsetParam: 'offset',
            },
            updatedSinceParam: 'Updated_From',
            timeout: { milliseconds: 50 },
            retryBudget: { seconds: 3 },
          },
          overlap: { minutes: 10 },
          batchSize: 2,
          mapping: {
            externalId: 'Case_ID',
            number: 'Case_ID',
            title: '{Subject} for {Worker.Name}',
            state: { from: 'Status', values: { Resolved: 'resolved' } },
            priority: { from: 'Priority', values: { Medium: 3 } },
            category: {
              from: 'Case_Type',
              values: {
                Onboarding: 'onboarding',
                'Payroll Inquiry': 'payroll_query',
              },
            },
            openedAt: 'Created_Moment',
            acknowledgedAt: 'First_Response_Moment',
            resolvedAt: 'Resolved_Moment',
            assignee: 'Assigned_To.Descriptor',
            sourceUpdatedAt: 'Last_Updated',
          },
          personalFields: ['Worker.Name', 'Worker.Email', 'Worker.Employee_ID'],
        },
      },
    },
  },
};

interface SeenRequest {
  offset: string | null;
  since: string | null;
  auth: string | null;
}

/** Holds a request for `ms`, or until its client gives up on it. */
function stall(request: Request, ms: number): Promise<void> {
  return new Promise(resolve => {
    if (request.signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(resolve, ms);
    request.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Serves ENTRIES by offset; `fail(n, request)` may answer the n-th request (1-based) instead. */
function serve(
  fail?: (
    n: number,
    request: Request,
  ) => Promise<Response | undefined> | Response | undefined,
) {
  const requests: SeenRequest[] = [];
  server.use(
    http.get(URL_BASE, async ({ request }) => {
      const url = new URL(request.url);
      requests.push({
        offset: url.searchParams.get('offset'),
        since: url.searchParams.get('Updated_From'),
        auth: request.headers.get('authorization'),
      });
      const failure = await fail?.(requests.length, request);
      if (failure) return failure;
      const since = url.searchParams.get('Updated_From');
      const offset = Number(url.searchParams.get('offset'));
      const limit = Number(url.searchParams.get('limit'));
      const matching = ENTRIES.filter(e => !since || e.Last_Updated >= since);
      return HttpResponse.json({
        Report_Entry: matching.slice(offset, offset + limit),
      });
    }),
  );
  return requests;
}

/**
 * The provider as the README configures it, on a virtual clock: its HTTP
 * client sleeps by moving the clock, and backs off by the full ceiling
 * (`random` 1) so waits are exact.
 */
function provider(rest: { backoffBaseMs?: number } = {}) {
  const clock = { now: Date.parse('2026-03-01T00:00:00Z') };
  const sleep = jest.fn(async (ms: number, _signal?: AbortSignal) => {
    await Promise.resolve();
    clock.now += ms;
  });
  const [{ provider: p }] = createItsmMappedProviders(
    new ConfigReader(CONFIG),
    {
      ...HR_SOURCE_OPTIONS,
      provider: {
        rest: {
          sleep,
          now: () => clock.now,
          random: () => 1,
          backoffBaseMs: 1000,
          ...rest,
        },
        now: () => Date.parse('2026-03-01T00:00:00Z'),
      },
    },
  );
  return { provider: p, sleep };
}

async function sync(
  cursor: string | null,
  options: { backoffBaseMs?: number; reporter?: ItsmSyncReporter } = {},
) {
  const { provider: p, sleep } = provider(
    options.backoffBaseMs === undefined
      ? {}
      : { backoffBaseMs: options.backoffBaseMs },
  );
  const logger = createCapturingLogger();
  const batches: ItsmProviderBatch[] = [];
  let error: unknown;
  try {
    for await (const batch of p.sync({
      cursor,
      signal: new AbortController().signal,
      logger,
      reporter: options.reporter,
    })) {
      batches.push(batch);
    }
  } catch (e) {
    error = e;
  }
  const ids = batches.flatMap(b =>
    (b.records as Array<{ externalId: string }>).map(r => r.externalId),
  );
  const last = [...batches].reverse().find(b => b.cursor !== undefined);
  return { batches, ids, error, logger, sleep, cursor: last?.cursor ?? cursor };
}

describe('HR source over REST (Workday-like report)', () => {
  it('pages by offset, authenticates, maps and redacts; the next sync asks only for changes', async () => {
    const requests = serve();
    const first = await sync(null);
    expect(first.error).toBeUndefined();
    expect(first.ids).toEqual([
      'CASE-1',
      'CASE-2',
      'CASE-3',
      'CASE-4',
      'CASE-5',
    ]);
    expect(requests.map(r => r.offset)).toEqual(['0', '2', '4']);
    expect(requests.every(r => r.auth === TOKEN && r.since === null)).toBe(
      true,
    );

    expect(first.batches[0].records![0]).toMatchObject({
      externalId: 'CASE-1',
      kind: 'request',
      title: `Onboarding: Case number 1 for ${ITSM_REDACTED}`,
      state: 'resolved',
      priority: 3,
      openedAt: '2026-02-20T17:00:00.000Z',
      acknowledgedAt: '2026-02-20T17:30:00.000Z',
      resolvedAt: '2026-02-21T17:00:00.000Z',
      assignee: 'HR Partner',
      sourceUpdatedAt: '2026-02-21T12:00:00.000Z',
      entityRefs: ['component:default/employee-onboarding'],
    });
    const output = JSON.stringify(first.batches) + first.logger.text();
    expect(output).not.toMatch(/Person\d|acme\.example|W-100/);
    expect(JSON.parse(first.cursor!).watermark).toBe(
      '2026-02-25T12:00:00.000Z',
    );

    requests.length = 0;
    const second = await sync(first.cursor);
    // Watermark less the 10 minute overlap.
    expect(requests[0].since).toBe('2026-02-25T11:50:00.000Z');
    expect(second.ids).toEqual(['CASE-5']);
  });

  it('waits as long as a 429 asks (Retry-After), then carries on', async () => {
    const requests = serve(n =>
      n === 2
        ? new HttpResponse(null, {
            status: 429,
            headers: { 'Retry-After': '2' },
          })
        : undefined,
    );
    const result = await sync(null);
    expect(result.error).toBeUndefined();
    expect(result.ids).toHaveLength(5);
    expect(result.sleep).toHaveBeenCalledTimes(1);
    expect(result.sleep.mock.calls[0][0]).toBe(2000);
    expect(requests.map(r => r.offset)).toEqual(['0', '2', '2', '4']);
    expect(result.logger.text()).toContain('answered 429');
  });

  it('syncs a whole report with every 5th request a 429 and every 7th a 500: every case once, nothing lost', async () => {
    const all = Array.from({ length: 600 }, (_, i) =>
      entry(i + 1, '2026-02-21T12:00:00.000Z'),
    );
    let n = 0;
    const offsets: string[] = [];
    server.use(
      http.get(URL_BASE, ({ request }) => {
        n++;
        if (n % 5 === 0) {
          return new HttpResponse(null, {
            status: 429,
            headers: { 'Retry-After': '1' },
          });
        }
        if (n % 7 === 0) {
          return HttpResponse.json(
            { error: 'Transaction cancelled: maximum execution time exceeded' },
            { status: 500 },
          );
        }
        const url = new URL(request.url);
        const offset = Number(url.searchParams.get('offset'));
        offsets.push(String(offset));
        return HttpResponse.json({
          Report_Entry: all.slice(offset, offset + 2),
        });
      }),
    );
    const { reported: events, reporter } = createRecordingReporter();
    const result = await sync(null, { backoffBaseMs: 100, reporter });

    expect(result.error).toBeUndefined();
    expect(result.ids).toEqual(all.map(e => e.Case_ID));
    expect(new Set(result.ids).size).toBe(600);
    // 301 pages answered (the last one empty), each once.
    expect(offsets).toHaveLength(301);
    expect(new Set(offsets).size).toBe(301);
    expect(events.requests).toBe(n);
    expect(events.retries).toHaveLength(n - 301);
    expect(events.retries.filter(r => r.status === 429)).toHaveLength(
      Math.floor(n / 5),
    );
    expect(
      events.retries
        .filter(r => r.status === 429)
        .every(r => r.waitMs === 1000),
    ).toBe(true);
    expect(JSON.parse(result.cursor!)).toMatchObject({
      watermark: '2026-02-21T12:00:00.000Z',
      run: null,
    });
  });

  it('retries 5xx with backoff', async () => {
    const requests = serve(n =>
      n === 1 || n === 2
        ? new HttpResponse('Hannah', { status: n === 1 ? 500 : 502 })
        : undefined,
    );
    const result = await sync(null, { backoffBaseMs: 10 });
    expect(result.error).toBeUndefined();
    expect(result.ids).toHaveLength(5);
    expect(requests).toHaveLength(5);
    const waits = result.sleep.mock.calls.map(c => c[0]);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeLessThanOrEqual(10);
    expect(waits[1]).toBeGreaterThanOrEqual(10);
    expect(waits[1]).toBeLessThanOrEqual(20);
  });

  it('gives up when the retry budget is spent with a retryable error, and the next sync resumes after the last committed page', async () => {
    serve(n => (n >= 2 ? new HttpResponse(null, { status: 503 }) : undefined));
    const failed = await sync(null);
    expect(failed.ids).toEqual(['CASE-1', 'CASE-2']);
    expect(failed.error).toMatchObject({
      name: 'ItsmSourceError',
      status: 503,
      retryable: true,
      message: `ITSM source hr:workday: GET ${URL_BASE} answered 503 Service Unavailable; gave up after 3 attempts in 3 s (retry budget 3 s)`,
    });

    server.resetHandlers();
    const requests = serve();
    const resumed = await sync(failed.cursor);
    expect(resumed.error).toBeUndefined();
    expect(requests.map(r => r.offset)).toEqual(['2', '4']);
    expect(resumed.ids).toEqual(['CASE-3', 'CASE-4', 'CASE-5']);
    expect(JSON.parse(resumed.cursor!)).toMatchObject({
      watermark: '2026-02-25T12:00:00.000Z',
      run: null,
    });
  });

  it('abandons a request that exceeds the timeout and retries it', async () => {
    const requests = serve(async (n, request) => {
      if (n === 1) {
        await stall(request, 1000);
      }
      return undefined;
    });
    const result = await sync(null);
    expect(result.error).toBeUndefined();
    expect(result.ids).toHaveLength(5);
    expect(requests.map(r => r.offset)).toEqual(['0', '0', '2', '4']);
    expect(result.logger.text()).toContain('did not answer within 0.05 s');
  });

  it('fails the sync when every attempt times out', async () => {
    serve(async (_n, request) => {
      await stall(request, 1000);
      return undefined;
    });
    const result = await sync(null);
    expect(result.ids).toEqual([]);
    expect(result.error).toMatchObject({ retryable: true });
    // The HTTP layer appends the timeout's own cause after this text.
    const message = (result.error as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^ITSM source hr:workday: GET ${URL_BASE} did not answer within 0\\.05 s`,
      ),
    );
    expect(message).toContain(
      'gave up after 3 attempts in 3 s (retry budget 3 s)',
    );
  });
});
