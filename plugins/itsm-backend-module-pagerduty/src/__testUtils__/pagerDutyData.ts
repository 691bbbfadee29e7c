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

import type {
  PagerDutyChangeEvent,
  PagerDutyIncident,
  PagerDutyLogEntry,
} from '../client';
import incidentsList from '../__fixtures__/pagerduty-incidents-list.json';
import incidentLogEntries from '../__fixtures__/pagerduty-incident-log-entries.json';
import changeEventsList from '../__fixtures__/pagerduty-change-events-list.json';
import type { FakePagerDuty } from './fakePagerDuty';

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

/** Options of {@link seedAccount}. */
export interface SeedAccountOptions {
  incidents: number;
  changeEvents: number;
  /** Creation instants are spread evenly over [from, to). */
  from: string;
  to: string;
}

/**
 * Fills `fake` with a busy account: `incidents` incidents `PI<n>` (one in
 * ten triggered, one in ten acknowledged, the rest resolved; one in ten P1,
 * the rest without priority and of low urgency), each with its trigger,
 * acknowledge and resolve log entries, and `changeEvents` change events
 * `CE<n>`, all spread evenly over the span. Returns the fake.
 */
export function seedAccount(
  fake: FakePagerDuty,
  options: SeedAccountOptions,
): FakePagerDuty {
  const from = Date.parse(options.from);
  const span = Date.parse(options.to) - from;
  const second = (ms: number) =>
    new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000', '');
  const service = {
    id: 'PSEED01',
    type: 'service_reference',
    summary: 'Seeded service',
  };
  for (let n = 0; n < options.incidents; n++) {
    const created = from + Math.floor((n * span) / options.incidents);
    let status = 'resolved';
    if (n % 10 === 0) status = 'triggered';
    if (n % 10 === 1) status = 'acknowledged';
    const acknowledged = created + (2 + (n % 28)) * 60_000;
    const resolved = Math.min(
      created + (30 + (n % 240)) * 60_000,
      from + span - 1000,
    );
    const incident = makeIncident({
      id: `PI${n}`,
      incident_number: n + 1,
      title: `Incident ${n}`,
      created_at: second(created),
      status,
      urgency: 'low',
      priority:
        n % 10 === 3
          ? { id: 'PP1', type: 'priority_reference', summary: 'P1' }
          : null,
      service,
      resolved_at: status === 'resolved' ? second(resolved) : null,
    });
    fake.incidents.push(incident);
    fake.logEntries.push(
      makeLogEntry('trigger_log_entry', incident, second(created)),
    );
    if (status !== 'triggered') {
      fake.logEntries.push(
        makeLogEntry(
          'acknowledge_log_entry',
          incident,
          second(Math.min(acknowledged, resolved)),
        ),
      );
    }
    if (status === 'resolved') {
      fake.logEntries.push(
        makeLogEntry('resolve_log_entry', incident, second(resolved)),
      );
    }
  }
  for (let n = 0; n < options.changeEvents; n++) {
    fake.changeEvents.push(
      makeChangeEvent({
        id: `CE${n}`,
        timestamp: second(from + Math.floor((n * span) / options.changeEvents)),
        services: [service],
      }),
    );
  }
  return fake;
}
