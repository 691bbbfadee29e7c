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
import incidentsList from '../__fixtures__/pagerduty-incidents-list.json';
import incidentLogEntries from '../__fixtures__/pagerduty-incident-log-entries.json';
import changeEventsList from '../__fixtures__/pagerduty-change-events-list.json';
import pagingAndErrors from '../__fixtures__/pagerduty-paging-and-errors.json';

export const BASE_URL = 'https://pagerduty.test';
export const TOKEN = 'pd-test-token';

const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/** An incident shaped like the API example, with the given fields. */
export function makeIncident(
  fields: Partial<PagerDutyIncident> & { id: string; created_at: string },
): PagerDutyIncident {
  const base = clone(incidentsList.incidents[0]) as PagerDutyIncident;
  const status = fields.status ?? 'triggered';
  const incident: PagerDutyIncident = {
    ...base,
    self: `https://api.pagerduty.com/incidents/${fields.id}`,
    html_url: `https://subdomain.pagerduty.com/incidents/${fields.id}`,
    summary: `[#${fields.incident_number ?? 1}] ${fields.title ?? base.title}`,
    updated_at: fields.created_at,
    last_status_change_at: fields.created_at,
    resolved_at: null,
    status,
    ...fields,
  };
  if (status !== 'resolved' && !('resolved_at' in fields)) {
    incident.resolved_at = null;
  }
  return incident;
}

/** A log entry shaped like the API example. */
export function makeLogEntry(
  type: string,
  incident: PagerDutyIncident,
  createdAt: string,
  extra: Partial<PagerDutyLogEntry> = {},
): PagerDutyLogEntry {
  const base = clone(incidentLogEntries.log_entries[0]) as PagerDutyLogEntry;
  return {
    ...base,
    id: `L${type.slice(0, 3).toUpperCase()}${incident.id}${createdAt.replace(
      /\D/g,
      '',
    )}`,
    type,
    summary: type,
    created_at: createdAt,
    incident: {
      id: incident.id,
      type: 'incident_reference',
      summary: incident.summary,
      html_url: incident.html_url,
    },
    service: incident.service ?? undefined,
    ...extra,
  };
}

/** A change event shaped like the API example. */
export function makeChangeEvent(
  fields: Partial<PagerDutyChangeEvent> & { id: string; timestamp: string },
): PagerDutyChangeEvent {
  return { ...clone(changeEventsList.change_events[0]), ...fields };
}

type Fault = (
  request: Request,
  url: URL,
) => Response | Promise<Response | undefined> | undefined;

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
 * newest-first log entries. `fault` answers instead, when it returns a
 * response.
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

  requestsTo(path: string | RegExp): URL[] {
    return this.requests.filter(u =>
      typeof path === 'string' ? u.pathname === path : path.test(u.pathname),
    );
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
        return answer(url, params as Record<string, string>);
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
        const items = this.incidents
          .filter(i => between(i.created_at, url))
          .filter(i => !statuses.length || statuses.includes(i.status!))
          .filter(i => !services.length || services.includes(i.service!.id!))
          .sort((a, b) => a.created_at!.localeCompare(b.created_at!));
        return this.#page('incidents', items, url);
      }),
      route('/incidents/:id', (_url, { id }) => {
        const incident = this.incidents.find(i => i.id === id);
        return incident ? HttpResponse.json({ incident }) : notFound();
      }),
      route('/incidents/:id/log_entries', (url, { id }) => {
        const items = this.logEntries
          .filter(e => e.incident?.id === id)
          .sort((a, b) => b.created_at!.localeCompare(a.created_at!));
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
