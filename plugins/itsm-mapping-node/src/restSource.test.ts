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
import type { JsonObject } from '@backstage/config';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  ItsmHttpClientOptions,
  ItsmSourceError,
  ItsmSyncReporter,
} from '@backstage-itsm/plugin-itsm-node';
import {
  createCapturingLogger,
  createRecordingReporter,
} from '@backstage-itsm/plugin-itsm-node/testUtils';
import type { ItsmRestSourceSettings } from './settings';
import { ItsmRestSource } from './restSource';
import type { ItsmSourceEntry } from './sources';
import { MAPPING, readSource } from './testUtils/fixtures';

const ORIGIN = 'https://hr.example.com';
const BASE = `${ORIGIN}/api/cases`;

const server = setupServer();
registerMswTestHooks(server);

function settingsOf(rest: JsonObject): ItsmRestSourceSettings {
  return readSource({ rest: { url: BASE, ...rest }, mapping: MAPPING })
    .source as ItsmRestSourceSettings;
}

/** A virtual clock: sleeping moves it, so waits are asserted without waiting. */
function virtualTime(start = 0) {
  const clock = { now: start, waits: [] as number[] };
  const sleep = jest.fn(async (ms: number, _signal?: AbortSignal) => {
    clock.waits.push(ms);
    await Promise.resolve();
    clock.now += ms;
  });
  return { clock, sleep, now: () => clock.now };
}

/** Holds a request for `ms`, or until its client gives up on it. */
function stall(request: Request, ms: number): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    request.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

type Handler = (
  url: URL,
  request: Request,
) => Response | undefined | Promise<Response | undefined>;

/**
 * Serves `handler` on the source's origin (and on any other origin a test
 * names), recording every URL asked and the headers it came with.
 */
function serve(handler: Handler, origins: string[] = [ORIGIN]) {
  const urls: URL[] = [];
  const headers: Array<Record<string, string>> = [];
  server.use(
    ...origins.map(origin =>
      http.get(`${origin}/*`, async ({ request }) => {
        const url = new URL(request.url);
        urls.push(url);
        headers.push(Object.fromEntries(request.headers.entries()));
        return (await handler(url, request)) ?? HttpResponse.json([]);
      }),
    ),
  );
  return { urls, headers };
}

function source(
  rest: JsonObject,
  handler: Handler,
  options: Partial<ItsmHttpClientOptions> & { origins?: string[] } = {},
) {
  const { origins, ...httpOptions } = options;
  const settings = settingsOf(rest);
  const served = serve(handler, origins);
  const time = virtualTime(Date.now());
  const s = new ItsmRestSource({
    providerId: 'test:demo',
    configKey: 'itsm.test.sources.demo.rest',
    settings,
    http: {
      backoffBaseMs: 100,
      sleep: time.sleep,
      now: time.now,
      random: () => 0.75,
      ...httpOptions,
    },
  });
  return { source: s, ...served, ...time };
}

async function read(
  s: ItsmRestSource,
  options: {
    position?: unknown;
    since?: string | null;
    reporter?: ItsmSyncReporter;
  } = {},
) {
  const entries: ItsmSourceEntry[] = [];
  const logger = createCapturingLogger();
  for await (const entry of s.read({
    position: options.position ?? null,
    since: options.since ?? null,
    signal: new AbortController().signal,
    logger,
    reporter: options.reporter,
  })) {
    entries.push(entry);
  }
  return { entries, logger, ids: entries.map(e => e.item?.id ?? e.error) };
}

const items = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ id: `c${from + i}` }));

describe('ItsmRestSource', () => {
  it('pages by offset until a short page, with auth, query and the watermark', async () => {
    const all = items(1, 5);
    const {
      source: s,
      urls,
      headers,
    } = source(
      {
        auth: { value: 'Bearer t0ken' },
        query: { view: 'full' },
        itemsPath: 'data.items',
        pagination: { type: 'offset', pageSize: 2 },
        updatedSinceParam: 'updated_since',
      },
      url => {
        const offset = Number(url.searchParams.get('offset'));
        return HttpResponse.json({
          data: { items: all.slice(offset, offset + 2) },
        });
      },
    );
    const { entries, ids } = await read(s, {
      since: '2026-02-01T00:00:00.000Z',
    });
    expect(ids).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(urls.map(u => u.search)).toEqual([
      '?view=full&updated_since=2026-02-01T00%3A00%3A00.000Z&limit=2&offset=0',
      '?view=full&updated_since=2026-02-01T00%3A00%3A00.000Z&limit=2&offset=2',
      '?view=full&updated_since=2026-02-01T00%3A00%3A00.000Z&limit=2&offset=4',
    ]);
    expect(headers[0]).toMatchObject({ authorization: 'Bearer t0ken' });
    // Entries inside a page point back at it; the last one at the next page.
    expect(entries.map(e => e.position)).toEqual([
      { offset: 0 },
      { offset: 2 },
      { offset: 2 },
      { offset: 4 },
      { done: true },
    ]);
  });

  it('resumes from a saved position', async () => {
    const all = items(1, 5);
    const { source: s, urls } = source(
      { pagination: { type: 'offset', pageSize: 2 } },
      url => {
        const offset = Number(url.searchParams.get('offset'));
        return HttpResponse.json(all.slice(offset, offset + 2));
      },
    );
    expect((await read(s, { position: { offset: 2 } })).ids).toEqual([
      'c3',
      'c4',
      'c5',
    ]);
    expect(urls[0].searchParams.get('offset')).toBe('2');
    expect((await read(s, { position: { done: true } })).ids).toEqual([]);
  });

  it('pages by page number from the first page', async () => {
    const { source: s, urls } = source(
      {
        pagination: {
          type: 'page',
          pageSize: 3,
          pageParam: 'p',
          limitParam: 'per_page',
          firstPage: 0,
        },
      },
      url => {
        const page = Number(url.searchParams.get('p'));
        return HttpResponse.json(
          items(page * 3 + 1, Math.min(page * 3 + 3, 7)),
        );
      },
    );
    expect((await read(s)).ids).toEqual([
      'c1',
      'c2',
      'c3',
      'c4',
      'c5',
      'c6',
      'c7',
    ]);
    expect(urls.map(u => u.searchParams.get('p'))).toEqual(['0', '1', '2']);
    expect(urls[0].searchParams.get('per_page')).toBe('3');
  });

  it('follows next links, relative or absolute, on the same origin', async () => {
    const { source: s, urls } = source(
      {
        itemsPath: 'results',
        pagination: { type: 'next', nextPath: 'links.next' },
      },
      url => {
        if (url.pathname === '/api/cases')
          return HttpResponse.json({
            results: items(1, 2),
            links: { next: '/api/cases/page/2' },
          });
        if (url.pathname === '/api/cases/page/2')
          return HttpResponse.json({
            results: items(3, 3),
            links: { next: `${ORIGIN}/api/cases/page/3` },
          });
        return HttpResponse.json({
          results: items(4, 4),
          links: { next: null },
        });
      },
    );
    expect((await read(s)).ids).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(urls.map(u => u.pathname)).toEqual([
      '/api/cases',
      '/api/cases/page/2',
      '/api/cases/page/3',
    ]);
  });

  it('sends a next cursor in its query parameter', async () => {
    const { source: s, urls } = source(
      {
        pagination: {
          type: 'next',
          nextPath: 'meta.cursor',
          nextParam: 'after',
        },
        itemsPath: 'data',
      },
      url => {
        const after = url.searchParams.get('after');
        if (!after)
          return HttpResponse.json({
            data: items(1, 2),
            meta: { cursor: 'abc' },
          });
        return HttpResponse.json({ data: items(3, 3), meta: {} });
      },
    );
    expect((await read(s)).ids).toEqual(['c1', 'c2', 'c3']);
    expect(urls[1].searchParams.get('after')).toBe('abc');
  });

  it('refuses to send credentials to another origin', async () => {
    const evil = source(
      {
        auth: { value: 'Bearer t0ken' },
        itemsPath: 'items',
        pagination: { type: 'next', nextPath: 'next' },
      },
      () =>
        HttpResponse.json({
          items: items(1, 1),
          next: 'https://evil.example.net/steal',
        }),
      { origins: [ORIGIN, 'https://evil.example.net'] },
    );
    await expect(read(evil.source)).rejects.toThrow(
      'ITSM source test:demo: refusing GET https://evil.example.net/steal: credentials go only to https://hr.example.com',
    );
    expect(evil.urls).toHaveLength(1);
    expect(evil.urls[0].origin).toBe(ORIGIN);
  });

  it('never sends the API key to the host a next link redirects to', async () => {
    const {
      source: s,
      urls,
      headers,
    } = source(
      {
        auth: { header: 'X-Api-Key', value: 'k-secret' },
        headers: { 'X-Tenant': 'northwind' },
        itemsPath: 'results',
        pagination: { type: 'next', nextPath: 'next' },
      },
      url => {
        if (url.origin === 'https://files.other.example') {
          return HttpResponse.json({ results: items(3, 4), next: null });
        }
        if (url.pathname === '/api/cases/page/2') {
          // A same-origin next link the API answers with a hop elsewhere.
          return new HttpResponse(null, {
            status: 302,
            headers: { Location: 'https://files.other.example/export/2.json' },
          });
        }
        return HttpResponse.json({
          results: items(1, 2),
          next: '/api/cases/page/2',
        });
      },
      { origins: [ORIGIN, 'https://files.other.example'] },
    );
    expect((await read(s)).ids).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(urls.map(u => `${u.origin}${u.pathname}`)).toEqual([
      `${ORIGIN}/api/cases`,
      `${ORIGIN}/api/cases/page/2`,
      'https://files.other.example/export/2.json',
    ]);
    expect(headers.map(h => h['x-api-key'] ?? null)).toEqual([
      'k-secret',
      'k-secret',
      null,
    ]);
    // Headers that are not secret go everywhere.
    expect(headers.map(h => h['x-tenant'])).toEqual([
      'northwind',
      'northwind',
      'northwind',
    ]);
  });

  it('fails naming itemsPath when the response has no array there, and passes non-objects on as errors', async () => {
    const wrong = source({ itemsPath: 'data' }, () =>
      HttpResponse.json({ items: [] }),
    );
    await expect(read(wrong.source)).rejects.toThrow(
      "has no array at 'data'; check itsm.test.sources.demo.rest.itemsPath",
    );
    server.resetHandlers();
    const mixed = source({}, () =>
      HttpResponse.json([{ id: 'c1' }, 'Hannah Whitfield']),
    );
    expect((await read(mixed.source)).ids).toEqual([
      'c1',
      `item 2 of the page of ${BASE} is not an object`,
    ]);
  });

  it('stops when a next link points back at a page already read', async () => {
    const { source: s } = source(
      { itemsPath: 'd', pagination: { type: 'next', nextPath: 'n' } },
      () => HttpResponse.json({ d: items(1, 1), n: '/api/cases?page=2' }),
    );
    await expect(read(s)).rejects.toThrow('points back at a page already read');
  });

  it('reads a whole paged API with every 5th request a 429 and every 7th a 500, every item once', async () => {
    const all = items(1, 1000);
    let n = 0;
    const {
      source: s,
      urls,
      clock,
    } = source(
      { itemsPath: 'data', pagination: { type: 'offset', pageSize: 10 } },
      url => {
        n++;
        if (n % 5 === 0) {
          return HttpResponse.json(
            { error: 'Too many requests' },
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
            { status: 500 },
          );
        }
        const offset = Number(url.searchParams.get('offset'));
        return HttpResponse.json({ data: all.slice(offset, offset + 10) });
      },
    );
    const { reported: events, reporter } = createRecordingReporter();
    const { ids, logger } = await read(s, { reporter });

    expect(ids).toEqual(all.map(i => i.id));
    expect(new Set(ids).size).toBe(1000);
    // 101 pages (the last one empty), and every fault tried again.
    const faults = events.retries.length;
    expect(urls).toHaveLength(101 + faults);
    expect(events.requests).toBe(urls.length);
    const by429 = events.retries.filter(r => r.status === 429);
    const by500 = events.retries.filter(r => r.status === 500);
    expect(by429.length).toBeGreaterThanOrEqual(Math.floor(urls.length / 5));
    expect(by500.length).toBeGreaterThan(10);
    expect(by429.every(r => r.waitMs === 1000)).toBe(true);
    expect(by500.every(r => r.waitMs < 1000)).toBe(true);
    expect(Math.max(...clock.waits)).toBeLessThanOrEqual(1000);
    // Retries are logged at debug, without bodies.
    expect(logger.text()).toContain('answered 429');
    expect(logger.text()).not.toContain('Transaction cancelled');
  });

  it('keeps to maxRequestsPerSecond', async () => {
    const { source: s, clock } = source(
      {
        pagination: { type: 'page', pageSize: 2 },
        maxRequestsPerSecond: 2,
      },
      url => {
        const page = Number(url.searchParams.get('page'));
        return HttpResponse.json(page < 4 ? items(page * 2 - 1, page * 2) : []);
      },
    );
    expect((await read(s)).ids).toHaveLength(6);
    // Four requests, each after the next free slot of 500 ms.
    expect(clock.waits).toEqual([500, 500, 500]);
  });
});

describe('ItsmRestSource over the HTTP layer', () => {
  function client(handler: Handler, rest: JsonObject = {}) {
    const s = source(rest, handler, { backoffBaseMs: 1000 });
    const logger = createCapturingLogger();
    const get = async () => {
      const entries: ItsmSourceEntry[] = [];
      for await (const entry of s.source.read({
        position: null,
        since: null,
        signal: new AbortController().signal,
        logger,
      })) {
        entries.push(entry);
      }
      return entries.map(e => e.item);
    };
    return { get, sleep: s.sleep, urls: s.urls, clock: s.clock, logger };
  }

  it('waits as long as a 429 asks, in seconds or as a date', async () => {
    let n = 0;
    let now = Date.now;
    const { get, sleep, clock } = client(() => {
      n++;
      if (n === 1)
        return HttpResponse.json(
          {},
          { status: 429, headers: { 'retry-after': '7' } },
        );
      if (n === 2)
        return HttpResponse.json(
          {},
          {
            status: 429,
            headers: {
              'retry-after': new Date(now() + 60_000).toUTCString(),
            },
          },
        );
      return HttpResponse.json([{ ok: true }]);
    });
    now = () => clock.now;
    await expect(get()).resolves.toEqual([{ ok: true }]);
    expect(sleep.mock.calls[0][0]).toBe(7000);
    expect(sleep.mock.calls[1][0]).toBeGreaterThan(55_000);
    expect(sleep.mock.calls[1][0]).toBeLessThanOrEqual(60_000);
  });

  it('backs off exponentially on 5xx and gives up when the retry budget is spent, with a retryable error', async () => {
    const { get, sleep, urls, logger } = client(
      () =>
        HttpResponse.json(
          { message: 'Hannah Whitfield' },
          { status: 503, statusText: 'Service Unavailable' },
        ),
      { retryBudget: { seconds: 3 } },
    );
    const error = (await get().catch(e => e)) as ItsmSourceError;
    expect(error).toBeInstanceOf(ItsmSourceError);
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(error.message).toBe(
      `ITSM source test:demo: GET ${BASE} answered 503 Service Unavailable; gave up after 3 attempts in 2 s (retry budget 3 s)`,
    );
    expect(urls).toHaveLength(3);
    const [first, second] = sleep.mock.calls.map(c => c[0]);
    expect(first).toBeGreaterThanOrEqual(500);
    expect(first).toBeLessThanOrEqual(1000);
    expect(second).toBeGreaterThanOrEqual(1000);
    expect(second).toBeLessThanOrEqual(2000);
    // Bodies are never repeated in errors or logs: they may hold personal data.
    expect(logger.text()).not.toContain('Hannah');
    expect(logger.text()).toContain('retrying in 1 s');
  });

  it('fails at once on other statuses and on a body that is not JSON', async () => {
    const notFound = client(
      () => new HttpResponse('nope', { status: 404, statusText: 'Not Found' }),
    );
    await expect(notFound.get()).rejects.toMatchObject({
      status: 404,
      retryable: false,
      message: `ITSM source test:demo: GET ${BASE} answered 404 Not Found`,
    });
    expect(notFound.urls).toHaveLength(1);
    server.resetHandlers();
    const html = client(() => new HttpResponse('<html>', { status: 200 }));
    await expect(html.get()).rejects.toThrow('with a body that is not JSON');
  });

  it('abandons an attempt that takes longer than the timeout, and retries it', async () => {
    let n = 0;
    const { get, urls } = client(
      async (_url, request) => {
        n++;
        if (n === 1) await stall(request, 1000);
        return HttpResponse.json([{ ok: n }]);
      },
      { timeout: { milliseconds: 20 } },
    );
    await expect(get()).resolves.toEqual([{ ok: 2 }]);
    expect(urls).toHaveLength(2);
  });

  it('gives up on a Retry-After longer than it will wait, leaving the wait to the engine', async () => {
    const { get, sleep } = client(() =>
      HttpResponse.json(
        {},
        { status: 429, headers: { 'retry-after': '3600' } },
      ),
    );
    await expect(get()).rejects.toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 3_600_000,
    });
    expect(sleep).not.toHaveBeenCalled();
  });
});
