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

/*
 * A simulated PagerDuty account for the faults benchmark, run as a child
 * process (`fork`) by bench/faults.ts: the module's own fake (FakePagerDuty:
 * REST API v2 paging, the 10,000 offset cap, since/until filters,
 * newest-first log entries) filled with incidents, their log entries and
 * change events, served by a node:http server on 127.0.0.1. Like the real
 * API it allows 960 requests a minute per account and says so on every
 * answer (`ratelimit-limit`, `ratelimit-remaining`, `ratelimit-reset`:
 * seconds until the window ends), with a 429 when over; on top of that a
 * 429 (`Retry-After: 1`) on every 5th request and a 500 on every 7th.
 * Token auth: `Token token=bench-<replica>`; the token names the replica.
 *
 * Arguments: --anchor <epoch ms> (every record lies before it)
 *   --incidents N --changes N --seed N --service-ids <demo ids, comma-separated>
 */

import { randomUUID } from 'node:crypto';
// The module's own fake, shared with its tests (not part of its API).
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  BASE_URL,
  FakePagerDuty,
  TOKEN,
} from '@backstage-itsm/plugin-itsm-backend-module-pagerduty/src/__testUtils__/fakePagerDuty';
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  makeChangeEvent,
  makeIncident,
  makeLogEntry,
} from '@backstage-itsm/plugin-itsm-backend-module-pagerduty/src/__testUtils__/pagerDutyData';
// The seeded generator of the generated instances (not part of the module's API).
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { random } from '@backstage-itsm/plugin-itsm-backend-module-servicenow/src/__testUtils__/random';
import {
  argument,
  json,
  RequestLedger,
  runSimulator,
  SimulatedResponse,
} from './simulator';

/** PagerDuty's REST API limit: 960 requests a minute (per user, per key). */
export const PAGERDUTY_RATE_LIMIT = 960;
const WINDOW_MS = 60_000;

const ANCHOR = Number(argument('anchor') ?? Date.now());
const INCIDENTS = Number(argument('incidents') ?? 10_000);
const CHANGES = Number(argument('changes') ?? 2_000);
const SEED = Number(argument('seed') ?? 42);
const DEMO_SERVICES = (argument('service-ids') ?? '')
  .split(',')
  .filter(Boolean);
type PagerDutyIncident = FakePagerDuty['incidents'][number];
type PagerDutyChangeEvent = FakePagerDuty['changeEvents'][number];

const SERVICES = 40;
/** Status by the last digit of an incident's index: 10% triggered, 10% acknowledged. */
type PagerDutyStatus = 'triggered' | 'acknowledged' | 'resolved';
const STATUSES: Partial<Record<number, PagerDutyStatus>> = {
  0: 'triggered',
  1: 'acknowledged',
};
const SECOND = 1000;
const DAY = 86_400_000;
/** Start of the account's history: 30 days before the anchor. */
const START = ANCHOR - 30 * DAY;

const iso = (ms: number) =>
  new Date(Math.floor(ms / SECOND) * SECOND)
    .toISOString()
    .replace('.000Z', 'Z');

/** Service n: the first ones are the demo catalog's (pagerduty.com/service-id). */
function service(n: number) {
  const id =
    n < DEMO_SERVICES.length
      ? DEMO_SERVICES[n]
      : `PSVC${String(n).padStart(3, '0')}`;
  return {
    id,
    type: 'service_reference',
    summary: `Service ${n}`,
    self: `https://api.pagerduty.com/services/${id}`,
    html_url: `https://bench.pagerduty.com/service-directory/${id}`,
  };
}

function user(n: number) {
  return {
    id: `PU${n}`,
    type: 'user_reference',
    summary: `User ${n}`,
    self: `https://api.pagerduty.com/users/PU${n}`,
    html_url: `https://bench.pagerduty.com/users/PU${n}`,
  };
}

/**
 * The account: incidents spread over the 30 days before the anchor (10%
 * triggered, 10% acknowledged, the rest resolved; 5% P1, 10% P2, the rest
 * P3-P5 or urgency only), each with the log entries PagerDuty writes
 * (trigger, assign, acknowledge, resolve); change events over the same
 * days; a third of the P1/P2 incidents caused by a change
 * (`related_change_events`, reason `intelligent`). Services cycle, so about one
 * record in four maps to a demo catalog component.
 */
function buildAccount(): FakePagerDuty {
  const rnd = random(SEED);
  const fake = new FakePagerDuty();
  const changeStep = Math.max(SECOND, Math.floor((29 * DAY) / CHANGES));
  const changes: PagerDutyChangeEvent[] = [];
  for (let j = 0; j < CHANGES; j++) {
    const s = service(j % SERVICES);
    changes.push(
      makeChangeEvent({
        id: `01BENCH${String(j).padStart(19, '0')}`,
        timestamp: iso(START + 12 * 3600_000 + j * changeStep),
        summary: `Deploy ${j} of ${s.summary}`,
        services: [{ id: s.id, type: 'service_reference' }],
        custom_details: {
          build_number: String(j),
          change_type: j % 50 === 0 ? 'emergency' : 'normal',
        },
      }),
    );
  }
  fake.changeEvents = changes;

  const step = Math.max(SECOND, Math.floor((29 * DAY) / INCIDENTS));
  const incidents: PagerDutyIncident[] = [];
  for (let i = 0; i < INCIDENTS; i++) {
    const created = START + 18 * 3600_000 + i * step;
    const status: PagerDutyStatus = STATUSES[i % 10] ?? 'resolved';
    const acked = created + Math.floor((2 + rnd() * 28) * 60) * SECOND;
    const resolved = acked + Math.floor((10 + rnd() * 600) * 60) * SECOND;
    const lastChange = { triggered: created, acknowledged: acked, resolved };
    const s = service(i % SERVICES);
    const assignee = user(i % 50);
    const p = rnd();
    let priority: number | undefined;
    if (p < 0.05) priority = 1;
    else if (p < 0.15) priority = 2;
    else if (p < 0.75) priority = 3 + Math.floor(rnd() * 3);
    const incident = makeIncident({
      id: `PI${i}`,
      incident_number: i + 1,
      title: `Incident ${i}: latency above threshold`,
      summary: `[#${i + 1}] Incident ${i}: latency above threshold`,
      created_at: iso(created),
      status,
      service: s,
      urgency: p < 0.5 ? 'high' : 'low',
      priority: priority
        ? {
            id: `PP${priority}`,
            type: 'priority_reference',
            summary: `P${priority}`,
          }
        : null,
      assignments:
        status === 'resolved' ? [] : [{ at: iso(created), assignee }],
      acknowledgements:
        status === 'acknowledged'
          ? [{ at: iso(acked), acknowledger: assignee }]
          : [],
      last_status_change_at: iso(lastChange[status]),
      updated_at: iso(status === 'resolved' ? resolved : acked),
      resolved_at: status === 'resolved' ? iso(resolved) : null,
    });
    incidents.push(incident);
    fake.logEntries.push(
      makeLogEntry('trigger_log_entry', incident, iso(created - SECOND)),
      makeLogEntry('assign_log_entry', incident, iso(created), {
        assignees: [assignee],
      }),
    );
    if (status !== 'triggered') {
      fake.logEntries.push(
        makeLogEntry('acknowledge_log_entry', incident, iso(acked)),
      );
    }
    if (status === 'resolved') {
      fake.logEntries.push(
        makeLogEntry('resolve_log_entry', incident, iso(resolved)),
      );
    }
    if (priority !== undefined && priority <= 2 && CHANGES > 0) {
      const j = Math.min(
        CHANGES - 1,
        Math.max(0, Math.floor((created - START - 12 * 3600_000) / changeStep)),
      );
      fake.related.set(incident.id!, [
        {
          ...changes[j],
          correlation_reason: {
            reason: i % 3 === 0 ? 'intelligent' : 'most_recent',
          },
        },
      ]);
    }
  }
  fake.incidents = incidents;
  return fake;
}

/** Fixed windows of a minute from the first request, as PagerDuty counts. */
class RateWindow {
  #start = 0;
  #count = 0;

  take(now: number) {
    if (now - this.#start >= WINDOW_MS) {
      this.#start = now;
      this.#count = 0;
    }
    this.#count += 1;
    return {
      count: this.#count,
      allowed: this.#count <= PAGERDUTY_RATE_LIMIT,
      headers: {
        'ratelimit-limit': String(PAGERDUTY_RATE_LIMIT),
        'ratelimit-remaining': String(
          Math.max(0, PAGERDUTY_RATE_LIMIT - this.#count),
        ),
        'ratelimit-reset': String(
          Math.max(1, Math.ceil((this.#start + WINDOW_MS - now) / 1000)),
        ),
      },
    };
  }
}

function main() {
  const ledger = new RequestLedger('pagerduty');
  const window = new RateWindow();
  let fake: FakePagerDuty;
  let handlers: ReturnType<FakePagerDuty['handlers']>;
  runSimulator({
    name: 'pagerduty',
    ledger,
    setup() {
      fake = buildAccount();
      handlers = fake.handlers();
      return {
        counts: {
          incident: fake.incidents.length,
          change: fake.changeEvents.length,
        },
        facts: {
          'log entries': fake.logEntries.length,
          'incidents with related change events': fake.related.size,
        },
      };
    },
    async handle(request): Promise<SimulatedResponse> {
      const now = Date.now();
      const auth = request.headers.authorization ?? '';
      const match = /^Token token=bench-([a-z0-9]+)$/.exec(auth);
      const credential = match ? match[1] : 'refused';
      const fault = ledger.admit(credential, now);
      const rate = window.take(now);
      ledger.notePeakWindow(rate.count);
      if (!rate.allowed) {
        ledger.answered('429 rate limit');
        return json(
          429,
          { error: { message: 'Rate Limit Exceeded', code: 2020 } },
          rate.headers,
        );
      }
      if (fault === '429') {
        ledger.answered('429 fault');
        return json(
          429,
          { error: { message: 'Rate Limit Exceeded', code: 2020 } },
          { ...rate.headers, 'retry-after': '1' },
        );
      }
      if (fault === '500') {
        ledger.answered('500 fault');
        return json(
          500,
          { error: { message: 'Internal Server Error', code: 2000 } },
          rate.headers,
        );
      }
      // The fake knows one token: a known replica's token stands for it.
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string') headers.set(name, value);
      }
      if (match) headers.set('authorization', `Token token=${TOKEN}`);
      const fetchRequest = new Request(
        `${BASE_URL}${request.url.pathname}${request.url.search}`,
        { method: request.method, headers },
      );
      let response: Response | undefined;
      for (const handler of handlers) {
        const result = await handler.run({
          request: fetchRequest as Parameters<typeof handler.run>[0]['request'],
          requestId: randomUUID(),
        });
        if (result?.response) {
          response = result.response;
          break;
        }
      }
      if (!response) {
        ledger.answered('404');
        return json(
          404,
          { error: { message: 'Not Found', code: 2100 } },
          rate.headers,
        );
      }
      ledger.answered(String(response.status));
      return {
        status: response.status,
        headers: {
          'content-type':
            response.headers.get('content-type') ?? 'application/json',
          ...rate.headers,
        },
        body: await response.text(),
      };
    },
    ids() {
      return {
        incident: fake.incidents.map(incident => incident.id!),
        change: fake.changeEvents.map(event => event.id!),
      };
    },
  }).catch(error => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  });
}

main();
