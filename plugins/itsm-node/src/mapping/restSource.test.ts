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

import type { JsonObject } from '@backstage/config';
import { createCapturingLogger } from '../testUtils';
import type { ItsmRestSourceSettings } from './config';
import {
  ItsmRestClient,
  ItsmSourceError,
  parseRetryAfterHeader,
} from './restClient';
import { ItsmRestSource } from './restSource';
import type { ItsmSourceEntry } from './sources';
import { MAPPING, readSource } from './__testUtils__/fixtures';

const BASE = 'https://hr.example.com/api/cases';

function settingsOf(rest: JsonObject): ItsmRestSourceSettings {
  return readSource({ rest: { url: BASE, ...rest }, mapping: MAPPING })
    .source as ItsmRestSourceSettings;
}

type Handler = (url: URL, init: RequestInit) => Response | Promise<Response>;

/** A fetch that answers with `handler` and records every URL asked. */
function fakeFetch(handler: Handler) {
  const urls: URL[] = [];
  const headers: Array<Record<string, string>> = [];
  const fn = (async (input: URL, init: RequestInit) => {
    const url = new URL(String(input));
    urls.push(url);
    headers.push(init.headers as Record<string, string>);
    return handler(url, init);
  }) as unknown as typeof fetch;
  return { fn, urls, headers };
}

const json = (body: unknown, init: ResponseInit = {}) =>
  new Response(JSON.stringify(body), {
    status: 200,
    headers: { 'content-type': 'application/json' },
    ...init,
  });

function source(
  rest: JsonObject,
  handler: Handler,
  sleep = jest.fn(async () => {}),
) {
  const settings = settingsOf(rest);
  const f = fakeFetch(handler);
  const s = new ItsmRestSource({
    providerId: 'test:demo',
    configKey: 'itsm.test.sources.demo.rest',
    settings,
    client: new ItsmRestClient({
      providerId: 'test:demo',
      headers: settings.headers,
      origin: new URL(settings.url).origin,
      timeoutMs: settings.timeoutMs,
      maxAttempts: settings.maxAttempts,
      backoffBaseMs: 100,
      fetch: f.fn,
      sleep,
    }),
  });
  return { source: s, ...f, sleep };
}

async function read(
  s: ItsmRestSource,
  options: { position?: unknown; since?: string | null } = {},
) {
  const entries: ItsmSourceEntry[] = [];
  const logger = createCapturingLogger();
  for await (const entry of s.read({
    position: options.position ?? null,
    since: options.since ?? null,
    signal: new AbortController().signal,
    logger,
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
        return json({ data: { items: all.slice(offset, offset + 2) } });
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
    expect(headers[0]).toMatchObject({ Authorization: 'Bearer t0ken' });
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
        return json(all.slice(offset, offset + 2));
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
        return json(items(page * 3 + 1, Math.min(page * 3 + 3, 7)));
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
          return json({
            results: items(1, 2),
            links: { next: '/api/cases/page/2' },
          });
        if (url.pathname === '/api/cases/page/2')
          return json({
            results: items(3, 3),
            links: { next: `${new URL(BASE).origin}/api/cases/page/3` },
          });
        return json({ results: items(4, 4), links: { next: null } });
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
        if (!after) return json({ data: items(1, 2), meta: { cursor: 'abc' } });
        return json({ data: items(3, 3), meta: {} });
      },
    );
    expect((await read(s)).ids).toEqual(['c1', 'c2', 'c3']);
    expect(urls[1].searchParams.get('after')).toBe('abc');
  });

  it('refuses to send credentials to another origin', async () => {
    const { source: s, urls } = source(
      {
        auth: { value: 'Bearer t0ken' },
        pagination: { type: 'next', nextPath: 'next' },
      },
      () => json({ items: [], next: 'x' }),
    );
    const evil = source(
      {
        auth: { value: 'Bearer t0ken' },
        itemsPath: 'items',
        pagination: { type: 'next', nextPath: 'next' },
      },
      () =>
        json({ items: items(1, 1), next: 'https://evil.example.net/steal' }),
    );
    await expect(read(evil.source)).rejects.toThrow(
      'ITSM source test:demo: refusing GET https://evil.example.net/steal: credentials go only to https://hr.example.com',
    );
    expect(evil.urls).toHaveLength(1);
    expect(urls).toHaveLength(0);
    expect(s).toBeDefined();
  });

  it('fails naming itemsPath when the response has no array there, and passes non-objects on as errors', async () => {
    const wrong = source({ itemsPath: 'data' }, () => json({ items: [] }));
    await expect(read(wrong.source)).rejects.toThrow(
      "has no array at 'data'; check itsm.test.sources.demo.rest.itemsPath",
    );
    const mixed = source({}, () => json([{ id: 'c1' }, 'Hannah Whitfield']));
    expect((await read(mixed.source)).ids).toEqual([
      'c1',
      `item 2 of the page of ${BASE} is not an object`,
    ]);
  });

  it('stops when a next link points back at a page already read', async () => {
    const { source: s } = source(
      { itemsPath: 'd', pagination: { type: 'next', nextPath: 'n' } },
      () => json({ d: items(1, 1), n: '/api/cases?page=2' }),
    );
    await expect(read(s)).rejects.toThrow('points back at a page already read');
  });
});

describe('ItsmRestClient', () => {
  const url = new URL(BASE);
  function client(
    handler: Handler,
    options: { maxAttempts?: number; timeoutMs?: number } = {},
  ) {
    const f = fakeFetch(handler);
    const sleep = jest.fn(async (_ms: number, _signal: AbortSignal) => {});
    const c = new ItsmRestClient({
      providerId: 'test:demo',
      headers: {},
      origin: url.origin,
      timeoutMs: options.timeoutMs ?? 1000,
      maxAttempts: options.maxAttempts ?? 3,
      backoffBaseMs: 100,
      fetch: f.fn,
      sleep,
    });
    const logger = createCapturingLogger();
    const get = () =>
      c.getJson(url, { signal: new AbortController().signal, logger });
    return { get, sleep, urls: f.urls, logger };
  }

  it('waits as long as a 429 asks, in seconds or as a date', async () => {
    let n = 0;
    const { get, sleep } = client(() => {
      n++;
      if (n === 1)
        return json({}, { status: 429, headers: { 'retry-after': '7' } });
      if (n === 2)
        return json(
          {},
          {
            status: 429,
            headers: {
              'retry-after': new Date(Date.now() + 60_000).toUTCString(),
            },
          },
        );
      return json({ ok: true });
    });
    await expect(get()).resolves.toEqual({ ok: true });
    expect(sleep.mock.calls[0][0]).toBe(7000);
    expect(sleep.mock.calls[1][0]).toBeGreaterThan(55_000);
    expect(sleep.mock.calls[1][0]).toBeLessThanOrEqual(60_000);
  });

  it('backs off exponentially on 5xx and gives up after maxAttempts with a retryable error', async () => {
    const { get, sleep, urls, logger } = client(() =>
      json(
        { message: 'Hannah Whitfield' },
        { status: 503, statusText: 'Service Unavailable' },
      ),
    );
    const error = (await get().catch(e => e)) as ItsmSourceError;
    expect(error).toBeInstanceOf(ItsmSourceError);
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(error.message).toBe(
      `ITSM source test:demo: GET ${BASE} answered 503 Service Unavailable; gave up after 3 attempts`,
    );
    expect(urls).toHaveLength(3);
    const [first, second] = sleep.mock.calls.map(c => c[0]);
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(100);
    expect(second).toBeGreaterThanOrEqual(100);
    expect(second).toBeLessThanOrEqual(200);
    // Bodies are never repeated in errors or logs: they may hold personal data.
    expect(logger.text()).not.toContain('Hannah');
    expect(logger.text()).toContain('retrying in 1 s (attempt 2 of 3)');
  });

  it('fails at once on other statuses and on a body that is not JSON', async () => {
    const notFound = client(
      () => new Response('nope', { status: 404, statusText: 'Not Found' }),
    );
    await expect(notFound.get()).rejects.toMatchObject({
      status: 404,
      retryable: false,
      message: `ITSM source test:demo: GET ${BASE} answered 404 Not Found`,
    });
    expect(notFound.urls).toHaveLength(1);
    const html = client(() => new Response('<html>', { status: 200 }));
    await expect(html.get()).rejects.toThrow('with a body that is not JSON');
  });

  it('abandons an attempt that takes longer than the timeout, and retries it', async () => {
    let n = 0;
    const { get, urls } = client(
      (_u, init) => {
        n++;
        if (n > 1) return json({ ok: true });
        return new Promise((_resolve, reject) => {
          init.signal!.addEventListener('abort', () =>
            reject(init.signal!.reason),
          );
        });
      },
      { timeoutMs: 20 },
    );
    await expect(get()).resolves.toEqual({ ok: true });
    expect(urls).toHaveLength(2);
  });

  it('gives up on a Retry-After longer than it will wait, leaving the wait to the engine', async () => {
    const { get, sleep } = client(() =>
      json({}, { status: 429, headers: { 'retry-after': '3600' } }),
    );
    await expect(get()).rejects.toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 3_600_000,
    });
    expect(sleep).not.toHaveBeenCalled();
  });

  it('reads Retry-After headers', () => {
    expect(parseRetryAfterHeader('2')).toBe(2000);
    expect(parseRetryAfterHeader('0.5')).toBe(500);
    expect(
      parseRetryAfterHeader(
        'Wed, 21 Oct 2026 07:28:00 GMT',
        Date.parse('2026-10-21T07:27:00Z'),
      ),
    ).toBe(60_000);
    expect(parseRetryAfterHeader('soon')).toBeUndefined();
    expect(parseRetryAfterHeader(null)).toBeUndefined();
  });
});
