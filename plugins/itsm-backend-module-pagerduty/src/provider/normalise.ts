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

import {
  ANNOTATION_PAGERDUTY_SERVICE_ID,
  ItsmChangeType,
  ItsmRecordInput,
} from '@backstage-itsm/plugin-itsm-common';
import type {
  PagerDutyChangeEvent,
  PagerDutyIncident,
  PagerDutyLogEntry,
  PagerDutyReference,
} from '../client';
import {
  DEFAULT_URGENCY_PRIORITY,
  type PagerDutyUrgencyPriority,
} from '../config';

/*
 * PagerDuty objects to normalised ITSM records. Nothing here throws or
 * validates: a malformed object becomes a record that fails the engine's
 * schema (and lands in dead letters naming the field), never a failed sync.
 */

/** What an incident's log entries say about its lifecycle. */
export interface IncidentLogSummary {
  /** The first `acknowledge_log_entry`. */
  firstAcknowledgedAt?: string;
  /** The last `resolve_log_entry`. */
  resolvedAt?: string;
  /** The newest entry of any type. */
  lastEntryAt?: string;
  /** Assignees of the newest `assign_log_entry` / `escalate_log_entry`. */
  lastAssignee?: string;
  /** Instant of that entry, to keep the newest while folding pages. */
  lastAssignedAt?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function ms(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function earlier(a: string | undefined, b: string | undefined) {
  const am = ms(a);
  const bm = ms(b);
  if (am === undefined) return bm === undefined ? undefined : b;
  if (bm === undefined) return a;
  return bm < am ? b : a;
}

function later(a: string | undefined, b: string | undefined) {
  const am = ms(a);
  const bm = ms(b);
  if (am === undefined) return bm === undefined ? undefined : b;
  if (bm === undefined) return a;
  return bm > am ? b : a;
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function ref(value: unknown): PagerDutyReference | undefined {
  return value && typeof value === 'object'
    ? (value as PagerDutyReference)
    : undefined;
}

/** Folds a page of an incident's log entries (any order) into a summary. */
export function summariseLogEntries(
  summary: IncidentLogSummary,
  entries: ReadonlyArray<PagerDutyLogEntry>,
): IncidentLogSummary {
  const next = { ...summary };
  for (const entry of entries) {
    if (!entry || typeof entry !== 'object') continue;
    const at = text(entry.created_at);
    if (ms(at) === undefined) continue;
    next.lastEntryAt = later(next.lastEntryAt, at);
    switch (entry.type) {
      case 'acknowledge_log_entry':
        next.firstAcknowledgedAt = earlier(next.firstAcknowledgedAt, at);
        break;
      case 'resolve_log_entry':
        next.resolvedAt = later(next.resolvedAt, at);
        break;
      case 'assign_log_entry':
      case 'escalate_log_entry': {
        const assignee = text(ref(list(entry.assignees)[0])?.summary);
        if (assignee && later(next.lastAssignedAt, at) === at) {
          next.lastAssignedAt = at;
          next.lastAssignee = assignee;
        }
        break;
      }
      default:
        break;
    }
  }
  return next;
}

const STATES = new Map<string, 'new' | 'in_progress' | 'resolved'>([
  ['triggered', 'new'],
  ['acknowledged', 'in_progress'],
  ['resolved', 'resolved'],
]);

/**
 * The number of the incident's PagerDuty priority, when it is named `P1`..`P5`
 * (or `SEV1`, `Sev 2`, ...); null without a priority (accounts without
 * priorities) or with a name such as "Critical".
 */
export function pagerDutyPriority(incident: PagerDutyIncident): number | null {
  const priority = ref(incident.priority);
  const name = text(priority?.summary) ?? text(priority?.name);
  if (name) {
    const match = /^\s*(?:p|sev(?:erity)?[\s_-]?)([1-5])\s*$/i.exec(name);
    if (match) return Number(match[1]);
  }
  return null;
}

/**
 * PagerDuty priority to 1..5: its number (see {@link pagerDutyPriority}).
 * Without one, the urgency decides through `urgencyPriority` (config; by
 * default high -> 3, low -> 4: urgency is how to notify, not impact, so a
 * page is not an outage by urgency alone). Neither, or an urgency mapped to
 * null: null.
 */
export function mapPriority(
  incident: PagerDutyIncident,
  urgencyPriority: PagerDutyUrgencyPriority = DEFAULT_URGENCY_PRIORITY,
): number | null {
  const priority = pagerDutyPriority(incident);
  if (priority !== null) return priority;
  if (incident.urgency === 'high') return urgencyPriority.high;
  if (incident.urgency === 'low') return urgencyPriority.low;
  return null;
}

/**
 * An incident with what its log entries say, as a normalised record:
 * - state: triggered -> new, acknowledged -> in_progress, resolved -> resolved
 *   (anything else is refused by the schema);
 * - openedAt: `created_at` (the first trigger can be a second earlier; the
 *   incident's own creation is the start event);
 * - acknowledgedAt: the first acknowledge log entry, else the earliest
 *   current acknowledgement;
 * - resolvedAt (resolved only): the last resolve log entry, else
 *   `resolved_at`, else `last_status_change_at`;
 * - sourceUpdatedAt: the newest of the last log entry, `updated_at`,
 *   `last_status_change_at` and `created_at`.
 */
export function normaliseIncident(
  incident: PagerDutyIncident,
  details: {
    log?: IncidentLogSummary;
    causedByChange?: string | null;
    urgencyPriority?: PagerDutyUrgencyPriority;
  } = {},
): ItsmRecordInput {
  const log = details.log ?? {};
  const status = text(incident.status);
  // Unknown statuses stay visibly unknown (even 'closed', an ITSM state
  // PagerDuty does not have), for the schema to refuse.
  const state = status
    ? STATES.get(status) ?? `unknown PagerDuty status '${status}'`
    : undefined;

  const currentAcks = list<{ at?: string }>(incident.acknowledgements)
    .map(a => text(a?.at))
    .reduce<string | undefined>((a, b) => earlier(a, b), undefined);
  const acknowledgedAt = log.firstAcknowledgedAt ?? currentAcks ?? null;

  const resolvedAt =
    status === 'resolved'
      ? log.resolvedAt ??
        text(incident.resolved_at) ??
        text(incident.last_status_change_at) ??
        null
      : null;

  const updated = [
    log.lastEntryAt,
    text(incident.updated_at),
    text(incident.last_status_change_at),
    text(incident.created_at),
  ].reduce<string | undefined>((a, b) => later(a, b), undefined);

  const service = ref(incident.service);
  const serviceId = text(service?.id);
  const assignee =
    text(
      ref(list<{ assignee?: unknown }>(incident.assignments)[0]?.assignee)
        ?.summary,
    ) ??
    log.lastAssignee ??
    null;
  const assignmentGroup =
    text(ref(incident.escalation_policy)?.summary) ??
    text(ref(list(incident.teams)[0])?.summary) ??
    null;
  const number =
    typeof incident.incident_number === 'number'
      ? `#${incident.incident_number}`
      : null;

  return {
    externalId: incident.id as string,
    kind: 'incident',
    number,
    title: (text(incident.title) ?? text(incident.summary)) as string,
    url: text(incident.html_url) ?? null,
    state: state as ItsmRecordInput['state'],
    priority: mapPriority(incident, details.urgencyPriority),
    openedAt: incident.created_at as string,
    acknowledgedAt,
    resolvedAt,
    assignmentGroup,
    assignee,
    causedByChange: details.causedByChange ?? null,
    sourceUpdatedAt: (updated
      ? new Date(Date.parse(updated)).toISOString()
      : undefined) as string,
    mappings: serviceId
      ? [{ annotation: ANNOTATION_PAGERDUTY_SERVICE_ID, value: serviceId }]
      : [],
    payload: incident,
  };
}

const CHANGE_TYPE_KEYS = ['change_type', 'changeType', 'change-type'];
const CHANGE_TYPES: ReadonlyArray<ItsmChangeType> = [
  'standard',
  'normal',
  'emergency',
];

/**
 * The change type a change event declares in `custom_details.change_type`
 * (or `changeType`): standard, normal or emergency. PagerDuty itself has no
 * such notion, so anything else is `normal`.
 */
export function changeTypeOf(event: PagerDutyChangeEvent): ItsmChangeType {
  const details = event.custom_details;
  if (details && typeof details === 'object') {
    for (const key of CHANGE_TYPE_KEYS) {
      const value = (details as Record<string, unknown>)[key];
      if (typeof value === 'string') {
        const type = value.trim().toLowerCase() as ItsmChangeType;
        if (CHANGE_TYPES.includes(type)) return type;
      }
    }
  }
  return 'normal';
}

function httpUrl(value: unknown): string | undefined {
  const candidate = text(value);
  if (!candidate) return undefined;
  try {
    const url = new URL(candidate);
    return url.protocol === 'https:' || url.protocol === 'http:'
      ? candidate
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A change event as a closed change: it reports something that already
 * happened at `timestamp` (actual start = actual end = closed at). PagerDuty
 * does not know whether it succeeded, so `outcome` stays null; a change that
 * caused an incident still counts as failed through `causedByChange`.
 */
export function normaliseChangeEvent(
  event: PagerDutyChangeEvent,
): ItsmRecordInput {
  const timestamp = event.timestamp as string;
  const serviceIds = [
    ...new Set(
      list<PagerDutyReference>(event.services)
        .map(s => text(ref(s)?.id))
        .filter((id): id is string => id !== undefined),
    ),
  ];
  return {
    externalId: event.id as string,
    kind: 'change',
    number: null,
    title: text(event.summary) as string,
    url:
      httpUrl(event.html_url) ??
      httpUrl(list<{ href?: unknown }>(event.links)[0]?.href) ??
      null,
    state: 'closed',
    priority: null,
    openedAt: timestamp,
    closedAt: timestamp,
    changeType: changeTypeOf(event),
    actualStart: timestamp,
    actualEnd: timestamp,
    outcome: null,
    assignmentGroup: null,
    assignee: null,
    sourceUpdatedAt: timestamp,
    mappings: serviceIds.map(value => ({
      annotation: ANNOTATION_PAGERDUTY_SERVICE_ID,
      value,
    })),
    payload: event,
  };
}

/** The incident a log entry is about, if it names one. */
export function incidentIdOf(entry: PagerDutyLogEntry): string | undefined {
  return text(ref(entry?.incident)?.id);
}

/** The service a log entry is about, if it names one. */
export function serviceIdOf(entry: PagerDutyLogEntry): string | undefined {
  return text(ref(entry?.service)?.id);
}
