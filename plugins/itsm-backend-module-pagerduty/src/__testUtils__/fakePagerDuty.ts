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

import { http, HttpResponse, type HttpHandler } from 'msw';
import type {
  PagerDutyChangeEvent,
  PagerDutyEscalationPolicy,
  PagerDutyIncident,
  PagerDutyLogEntry,
  PagerDutyOnCall,
  PagerDutyService,
} from '../client';
import pagingAndErrors from '../__fixtures__/pagerduty-paging-and-errors.json';

export const BASE_URL = 'https://pagerduty.test';
export const TOKEN = 'pd-test-token';

const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

type Fault = (
  request: Request,
  url: URL,
) => Response | Promise<Response | undefined> | undefined;

/** PagerDuty's REST API limit: 960 requests a minute per API key. */
export const PAGERDUTY_REST_LIMIT_PER_MINUTE = 960;
const RATE_WINDOW_MS = 60_000;

/**
 * An answer the fake gives instead of every `every`-th request (counted over
 * all requests it sees, from 1), before anything else is checked. A 429
 * carries the rate window's headers like PagerDuty's, and a `Retry-After`
 * when `retryAfterSeconds` is set; the first injection that matches wins.
 */
export interface FakePagerDutyInjection {
  every: number;
  status: number;
  retryAfterSeconds?: number;
}

/** What the fake answered so far. */
export interface FakePagerDutyStats {
  /** Requests seen, injected and rate-limited ones included. */
  requests: number;
  /** 429s because the rate window was spent. */
  rateLimited: number;
  /** Answers from {@link FakePagerDuty.inject}. */
  injected: number;
}

const ERROR_BODIES: Record<number, { message: string; code?: number }> = {
  429: { message: 'Rate Limit Exceeded', code: 2020 },
  500: { message: 'Internal Server Error' },
  502: { message: 'Bad Gateway' },
  503: { message: 'Service Unavailable' },
  504: { message: 'Gateway Timeout' },
};

function between(value: string | undefined, url: URL) {
  const since = url.searchParams.get('since');
  const until = url.searchParams.get('until');
  if (!value) return false;
  const t = Date.parse(value);
  return (
    (!since || t >= Date.parse(since)) && (!until || t < Date.parse(until))
  );
}

/**
 * A PagerDuty account in memory, served through msw handlers the way the
 * REST API v2 answers: token auth, classic offset paging (`limit`, `offset`,
 * `more`, `total` on request), the 10,000 offset cap (400, code 2002),
 * since/until filters (change events refuse non-UTC or fractional times),
 * newest-first log entries, `date_range=all` and `sort_by` on incidents.
 * `fault` answers instead, when it returns a response.
 *
 * With `rateLimitPerMinute` set (PagerDuty's is
 * {@link PAGERDUTY_REST_LIMIT_PER_MINUTE}) it keeps a rate window of a
 * minute from its first request, on the clock `now` (a test's virtual
 * clock): every answer carries `ratelimit-limit`, `ratelimit-remaining` and
 * `ratelimit-reset` (seconds until the window ends), and a request over the
 * limit gets a 429. `inject` answers faults by request number.
 */
export class FakePagerDuty {
  incidents: PagerDutyIncident[] = [];
  logEntries: PagerDutyLogEntry[] = [];
  changeEvents: PagerDutyChangeEvent[] = [];
  /** Related change events per incident id, with `correlation_reason`. */
  related = new Map<string, PagerDutyChangeEvent[]>();
  services: PagerDutyService[] = [];
  escalationPolicies: PagerDutyEscalationPolicy[] = [];
  onCalls: PagerDutyOnCall[] = [];
  /** PagerDuty's offset cap; lowered by tests to exercise windowing. */
  maxOffset = 10_000;
  /** Every request, in order. */
  readonly requests: URL[] = [];
  fault?: Fault;
  /** Requests a minute before a 429; undefined: no limit and no rate headers. */
  rateLimitPerMinute?: number;
  /** Faults by request number. */
  inject: FakePagerDutyInjection[] = [];
  /** The clock of the rate window and of `failures`. */
  now: () => number = Date.now;
  readonly stats: FakePagerDutyStats = {
    requests: 0,
    rateLimited: 0,
    injected: 0,
  };
  /** Every answer that was not a 2xx: request number, path, status, when. */
  readonly failures: Array<{
    n: number;
    path: string;
    status: number;
    at: number;
  }> = [];
  #window?: { start: number; count: number };
  #logIndex?: {
    entries: PagerDutyLogEntry[];
    size: number;
    byIncident: Map<string, PagerDutyLogEntry[]>;
  };

  requestsTo(path: string | RegExp): URL[] {
    return this.requests.filter(u =>
      typeof path === 'string' ? u.pathname === path : path.test(u.pathname),
    );
  }

  /** The ids of every incident and change event, what a full sync must yield. */
  expectedIds(): string[] {
    return [
      ...this.incidents.map(i => i.id!),
      ...this.changeEvents.map(e => e.id!),
    ].sort();
  }

  /**
   * Counts the request in the rate window; the rate headers of its answer,
   * and whether it is over the limit.
   */
  #rate(): { headers: Record<string, string>; over: boolean } | undefined {
    const limit = this.rateLimitPerMinute;
    if (limit === undefined) return undefined;
    const now = this.now();
    if (!this.#window || now >= this.#window.start + RATE_WINDOW_MS) {
      this.#window = { start: now, count: 0 };
    }
    this.#window.count += 1;
    const resetMs = this.#window.start + RATE_WINDOW_MS - now;
    return {
      over: this.#window.count > limit,
      headers: {
        'ratelimit-limit': String(limit),
        'ratelimit-remaining': String(Math.max(0, limit - this.#window.count)),
        'ratelimit-reset': String(Math.max(1, Math.ceil(resetMs / 1000))),
      },
    };
  }

  #error(status: number, headers: Record<string, string> = {}) {
    return HttpResponse.json(
      { error: ERROR_BODIES[status] ?? { message: `Error ${status}` } },
      { status, headers },
    );
  }

  /** An incident's log entries, indexed once per change of the list's length. */
  #logEntriesOf(incidentId: string): PagerDutyLogEntry[] {
    const index = this.#logIndex;
    if (
      !index ||
      index.entries !== this.logEntries ||
      index.size !== this.logEntries.length
    ) {
      const byIncident = new Map<string, PagerDutyLogEntry[]>();
      for (const entry of this.logEntries) {
        const id = entry.incident?.id;
        if (!id) continue;
        byIncident.set(id, [...(byIncident.get(id) ?? []), entry]);
      }
      this.#logIndex = {
        entries: this.logEntries,
        size: this.logEntries.length,
        byIncident,
      };
    }
    return this.#logIndex!.byIncident.get(incidentId) ?? [];
  }

  #page<T>(key: string, items: T[], url: URL) {
    const limit = Number(url.searchParams.get('limit') ?? 25);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    if (offset + limit > this.maxOffset) {
      return HttpResponse.json(pagingAndErrors.offset_limit_exceeded_400, {
        status: 400,
      });
    }
    const total = url.searchParams.get('total') === 'true';
    return HttpResponse.json({
      [key]: items.slice(offset, offset + limit),
      limit,
      offset,
      total: total ? items.length : null,
      more: offset + limit < items.length,
    });
  }

  handlers(): HttpHandler[] {
    const route = (
      path: string,
      answer: (url: URL, params: Record<string, string>) => Response,
    ) =>
      http.get(`${BASE_URL}${path}`, async ({ request, params }) => {
        const url = new URL(request.url);
        this.requests.push(url);
        const n = ++this.stats.requests;
        const rate = this.#rate();
        const response = await this.#answer(request, url, n, rate, () =>
          answer(url, params as Record<string, string>),
        );
        if (rate && response.type !== 'error') {
          for (const [name, value] of Object.entries(rate.headers)) {
            response.headers.set(name, value);
          }
        }
        if (response.status < 200 || response.status >= 300) {
          this.failures.push({
            n,
            path: url.pathname,
            status: response.status,
            at: this.now(),
          });
        }
        return response;
      });
    const notFound = () =>
      HttpResponse.json(
        { error: { message: 'Not Found', code: 2100 } },
        { status: 404 },
      );

    return [
      route('/incidents', url => {
        const statuses = url.searchParams.getAll('statuses[]');
        const services = url.searchParams.getAll('service_ids[]');
        // date_range=all ignores since and until.
        const all = url.searchParams.get('date_range') === 'all';
        const [field, direction] = (
          url.searchParams.get('sort_by') ?? 'created_at:asc'
        ).split(':');
        const key = (i: PagerDutyIncident) =>
          String(i[field === 'resolved_at' ? 'resolved_at' : 'created_at']);
        const items = this.incidents
          .filter(i => all || between(i.created_at, url))
          .filter(i => !statuses.length || statuses.includes(i.status!))
          .filter(i => !services.length || services.includes(i.service!.id!))
          .sort((a, b) =>
            direction === 'desc'
              ? key(b).localeCompare(key(a))
              : key(a).localeCompare(key(b)),
          );
        return this.#page('incidents', items, url);
      }),
      route('/incidents/:id', (_url, { id }) => {
        const incident = this.incidents.find(i => i.id === id);
        return incident ? HttpResponse.json({ incident }) : notFound();
      }),
      route('/incidents/:id/log_entries', (url, { id }) => {
        const items = [...this.#logEntriesOf(id)].sort((a, b) =>
          b.created_at!.localeCompare(a.created_at!),
        );
        return this.#page('log_entries', items, url);
      }),
      route('/incidents/:id/related_change_events', (_url, { id }) =>
        HttpResponse.json({
          change_events: this.related.get(id) ?? [],
          limit: null,
          offset: null,
          total: null,
          more: false,
        }),
      ),
      route('/log_entries', url => {
        const items = this.logEntries
          .filter(e => between(e.created_at, url))
          .sort((a, b) => b.created_at!.localeCompare(a.created_at!));
        return this.#page('log_entries', items, url);
      }),
      route('/change_events', url => {
        for (const key of ['since', 'until']) {
          const value = url.searchParams.get(key);
          if (value !== null && !UTC_SECONDS.test(value)) {
            return HttpResponse.json(
              { error: { message: `Invalid ${key}`, code: 2001 } },
              { status: 400 },
            );
          }
        }
        const items = this.changeEvents
          .filter(e => between(e.timestamp, url))
          .sort((a, b) => b.timestamp!.localeCompare(a.timestamp!));
        return this.#page('change_events', items, url);
      }),
      route('/services/:id', (_url, { id }) => {
        const service = this.services.find(s => s.id === id);
        return service ? HttpResponse.json({ service }) : notFound();
      }),
      route('/escalation_policies/:id', (_url, { id }) => {
        const policy = this.escalationPolicies.find(p => p.id === id);
        return policy
          ? HttpResponse.json({ escalation_policy: policy })
          : notFound();
      }),
      route('/oncalls', url => {
        const policies = url.searchParams.getAll('escalation_policy_ids[]');
        const items = this.onCalls.filter(
          o => !policies.length || policies.includes(o.escalation_policy!.id!),
        );
        return this.#page('oncalls', items, url);
      }),
    ];
  }

  /** The answer to request number `n`: rate limit, injection, fault, auth, then the data. */
  async #answer(
    request: Request,
    url: URL,
    n: number,
    rate: { headers: Record<string, string>; over: boolean } | undefined,
    answer: () => Response,
  ): Promise<Response> {
    if (rate?.over) {
      this.stats.rateLimited += 1;
      return this.#error(429);
    }
    const injected = this.inject.find(i => n % i.every === 0);
    if (injected) {
      this.stats.injected += 1;
      return this.#error(
        injected.status,
        injected.retryAfterSeconds !== undefined
          ? { 'retry-after': String(injected.retryAfterSeconds) }
          : {},
      );
    }
    const faulty = await this.fault?.(request, url);
    if (faulty) return faulty;
    if (
      request.headers.get('authorization') !== `Token token=${TOKEN}` ||
      request.headers.get('accept') !==
        'application/vnd.pagerduty+json;version=2'
    ) {
      return HttpResponse.json(
        { error: { message: 'Unauthorized', code: 2006 } },
        { status: 401 },
      );
    }
    return answer();
  }
}

/**
 * Holds a response back for `ms`, or until the client gives up on the
 * request, so that no timer outlives the test.
 */
export function stall(request: Request, ms: number): Promise<void> {
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
