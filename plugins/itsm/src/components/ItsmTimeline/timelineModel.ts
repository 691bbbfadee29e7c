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
  ITSM_RECORD_STATES,
  type ItsmRecord,
  type ItsmRecordKind,
  type ItsmRecordLink,
} from '@backstage-itsm/plugin-itsm-common';
import { DateTime } from 'luxon';
import { departmentTerms } from '../common';

/** How long before an incident a completed change counts as a suspect. */
export const SUSPECT_WINDOW_MS = 4 * 60 * 60 * 1000;

const OPEN_STATES = new Set(['new', 'in_progress', 'on_hold']);

export interface TimelineFilters {
  kinds: ItsmRecordKind[];
  states: string[];
  priorities: number[];
  sources: string[];
  text: string;
  openOnly: boolean;
  /** Only changes with outcome failed or successful_with_issues. */
  failedChangesOnly: boolean;
}

/**
 * What the timeline shows before the user chooses: the window's whole
 * history, open and closed, so resolved incidents and the changes that
 * caused them are on screen at once. Open records stand out instead.
 */
export const DEFAULT_FILTERS: TimelineFilters = {
  kinds: [],
  states: [],
  priorities: [],
  sources: [],
  text: '',
  openOnly: false,
  failedChangesOnly: false,
};

/** Whether any filter hides records: the defaults hide none. */
export function hasActiveFilters(filters: TimelineFilters): boolean {
  return (
    filters.kinds.length > 0 ||
    filters.states.length > 0 ||
    filters.priorities.length > 0 ||
    filters.sources.length > 0 ||
    filters.text.trim() !== '' ||
    filters.openOnly ||
    filters.failedChangesOnly
  );
}

/** The windows the timeline offers, in days. */
export const TIMELINE_WINDOWS = [30, 90, 365] as const;
export const DEFAULT_WINDOW_DAYS = 90;

/**
 * The filter choices remembered per browser, in the storage API's bucket
 * {@link TIMELINE_STORAGE_BUCKET}. Sources and the search text are left
 * out: they belong to one entity, and a remembered source would hide every
 * record of the next entity that has none from it.
 */
export type StoredTimelineFilters = Pick<
  TimelineFilters,
  'kinds' | 'states' | 'priorities' | 'openOnly' | 'failedChangesOnly'
>;

export const TIMELINE_STORAGE_BUCKET = 'itsm.timeline';
/** Keys in the bucket: the filters, and the window in days. */
export const TIMELINE_STORAGE_KEYS = { filters: 'filters', days: 'days' };

const RECORD_KINDS: readonly ItsmRecordKind[] = [
  'incident',
  'change',
  'problem',
  'request',
];

function pickArray<T>(value: unknown, allowed: (v: unknown) => v is T): T[] {
  return Array.isArray(value) ? value.filter(allowed) : [];
}

/**
 * Reads remembered filters back: anything stored by another version, or
 * tampered with, falls back to the defaults field by field.
 */
export function parseStoredFilters(value: unknown): StoredTimelineFilters {
  const stored =
    value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  return {
    kinds: pickArray(stored.kinds, (v): v is ItsmRecordKind =>
      RECORD_KINDS.includes(v as ItsmRecordKind),
    ),
    states: pickArray(stored.states, (v): v is string =>
      (ITSM_RECORD_STATES as readonly unknown[]).includes(v),
    ),
    priorities: pickArray(
      stored.priorities,
      (v): v is number =>
        Number.isInteger(v) && Number(v) >= 1 && Number(v) <= 5,
    ),
    openOnly: stored.openOnly === true,
    failedChangesOnly: stored.failedChangesOnly === true,
  };
}

/** Reads a remembered window back: one the timeline offers, else the default. */
export function parseStoredDays(value: unknown): number {
  return TIMELINE_WINDOWS.includes(value as (typeof TIMELINE_WINDOWS)[number])
    ? (value as number)
    : DEFAULT_WINDOW_DAYS;
}

export function isOpen(record: ItsmRecord): boolean {
  return OPEN_STATES.has(record.state);
}

export function isFailedChange(record: ItsmRecord): boolean {
  return (
    record.kind === 'change' &&
    (record.outcome === 'failed' || record.outcome === 'successful_with_issues')
  );
}

/** When the change's work ended: actual end, else closed, else planned end. */
export function changeEnd(record: ItsmRecord): number | undefined {
  const iso = record.actualEnd ?? record.closedAt ?? record.plannedEnd;
  return iso ? Date.parse(iso) : undefined;
}

export interface TimelineItem {
  record: ItsmRecord;
  at: number;
  /** Incidents this change caused (by the source's link). */
  caused: ItsmRecord[];
  /** For an incident: changes that ended in the hours before it opened. */
  suspects: ItsmRecord[];
  /** For a change: incidents it is a suspect for. */
  suspectFor: ItsmRecord[];
}

/**
 * Indexes records once: links from changes to the incidents they caused, and
 * suspect changes (ended within {@link SUSPECT_WINDOW_MS} before an incident
 * opened). O(n log n): changes sorted by end, incidents binary-searched.
 */
export function buildTimeline(
  records: ItsmRecord[],
): Map<string, TimelineItem> {
  const items = new Map<string, TimelineItem>();
  for (const record of records) {
    items.set(record.id, {
      record,
      at: Date.parse(record.openedAt),
      caused: [],
      suspects: [],
      suspectFor: [],
    });
  }
  const changes = records
    .filter(r => r.kind === 'change' && r.outcome !== 'cancelled')
    .map(r => ({ record: r, end: changeEnd(r) }))
    .filter(
      (c): c is { record: ItsmRecord; end: number } => c.end !== undefined,
    )
    .sort((a, b) => a.end - b.end);
  const ends = changes.map(c => c.end);

  for (const record of records) {
    if (record.kind !== 'incident') continue;
    const linked = record.causedByChange?.id;
    if (linked && items.has(linked)) {
      items.get(linked)!.caused.push(record);
    }
    const opened = Date.parse(record.openedAt);
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid] < opened - SUSPECT_WINDOW_MS) lo = mid + 1;
      else hi = mid;
    }
    const incident = items.get(record.id)!;
    for (let i = lo; i < ends.length && ends[i] <= opened; i++) {
      const change = changes[i].record;
      if (change.id === linked) continue;
      incident.suspects.push(change);
      items.get(change.id)!.suspectFor.push(record);
    }
  }
  return items;
}

export function applyFilters(
  records: ItsmRecord[],
  filters: TimelineFilters,
): ItsmRecord[] {
  const text = filters.text.trim().toLowerCase();
  return records.filter(r => {
    if (filters.openOnly && !isOpen(r)) return false;
    if (filters.kinds.length && !filters.kinds.includes(r.kind)) return false;
    if (filters.states.length && !filters.states.includes(r.state))
      return false;
    if (
      filters.priorities.length &&
      (r.priority === null || !filters.priorities.includes(r.priority))
    ) {
      return false;
    }
    if (filters.sources.length && !filters.sources.includes(r.providerId))
      return false;
    if (filters.failedChangesOnly && !isFailedChange(r)) return false;
    if (text) {
      const haystack = `${r.number ?? ''} ${r.title} ${r.assignee ?? ''} ${
        r.assignmentGroup ?? ''
      }`.toLowerCase();
      if (!haystack.includes(text)) return false;
    }
    return true;
  });
}

/**
 * What to say beside a change → incident link. Links from PagerDuty come
 * from its correlation of change events with incidents (a change on the
 * same service shortly before, say): a heuristic, not a confirmed cause.
 * Links from a service desk's own "caused by change" field were set by a
 * person and need no note. The reason is shown when the link carries one.
 */
export function changeLinkNote(record: ItsmRecord): string | undefined {
  const link = record.causedByChange as
    | (ItsmRecordLink & { reason?: unknown })
    | null;
  if (!link) return undefined;
  const reason =
    typeof link.reason === 'string' && link.reason.trim() !== ''
      ? link.reason.trim().replace(/_/g, ' ')
      : undefined;
  if (!record.providerId.startsWith('pagerduty:') && !reason) {
    return undefined;
  }
  return `Linked by correlation${
    reason ? ` (reason: ${reason})` : ''
  }: a heuristic, not a confirmed cause.`;
}

/**
 * Warning chips with the theme's text colour on an orange outline: white or
 * orange text on MUI's warning orange is below the 4.5:1 contrast small
 * text needs.
 */
export const READABLE_WARNING = { color: 'text.primary' } as const;

/** The hue of each kind on the timeline (incidents: at P2). */
export const KIND_COLOURS: Record<ItsmRecordKind, string> = {
  incident: '#d32f2f',
  change: '#1565c0',
  problem: '#6a1b9a',
  request: '#2e7d32',
};

/** Failed changes, and the dashed line from a change to what it caused. */
export const FAILED_CHANGE_COLOUR = '#e65100';
export const LINK_COLOUR = FAILED_CHANGE_COLOUR;

/** The colour of a record on the timeline: hue by kind, darker for higher priority. */
export function recordColour(record: ItsmRecord): string {
  const p = record.priority ?? 4;
  switch (record.kind) {
    case 'incident':
      return (
        ['#b71c1c', '#d32f2f', '#ef5350', '#ef9a9a', '#ffcdd2'][p - 1] ??
        '#ef9a9a'
      );
    case 'change':
      return isFailedChange(record)
        ? FAILED_CHANGE_COLOUR
        : KIND_COLOURS.change;
    default:
      return KIND_COLOURS[record.kind];
  }
}

export const KIND_LANES: Record<ItsmRecordKind, number> = {
  incident: 3,
  change: 2,
  problem: 1,
  request: 0,
};

export const KIND_LABELS: Record<ItsmRecordKind, string> = {
  incident: 'Incidents',
  change: 'Changes',
  problem: 'Problems',
  request: 'Requests',
};

function capitalise(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** A kind's label in a department's words: "Requests", "Cases", "Work orders". */
export function kindLabel(kind: ItsmRecordKind, department = 'it'): string {
  return capitalise(departmentTerms(department).noun(kind, 2));
}

/** A record's kind in a department's words, singular: "incident", "case". */
export function kindNoun(kind: ItsmRecordKind, department = 'it'): string {
  return departmentTerms(department).noun(kind, 1);
}

/**
 * The department of a set of records when the caller does not know it: the
 * one department all of them share, else `it`.
 */
export function recordsDepartment(records: ItsmRecord[]): string {
  const departments = new Set(records.map(r => r.department || 'it'));
  return departments.size === 1 ? [...departments][0] : 'it';
}

/** The timeline's title: "Incidents, changes and problems", or "Cases". */
export function timelineTitle(department = 'it'): string {
  const terms = departmentTerms(department);
  const labels = terms.kinds
    .filter(kind => kind !== 'request' || terms.kinds.length === 1)
    .map(kind => terms.noun(kind, 2));
  if (labels.length === 1) return capitalise(labels[0]);
  const last = labels.pop();
  return capitalise(`${labels.join(', ')} and ${last}`);
}

/**
 * The chart's text alternative: how many records of each kind it shows and
 * how many are open, e.g. "64 records from 1 Sep 2026 to 30 Nov 2026:
 * 40 incidents (3 open), 20 changes (0 open), 4 problems (1 open)".
 */
export function timelineSummary(
  records: ItsmRecord[],
  from: number,
  to: number,
  department = 'it',
): string {
  const terms = departmentTerms(department);
  const kinds = RECORD_KINDS.filter(
    kind => terms.kinds.includes(kind) || records.some(r => r.kind === kind),
  );
  const format = (ms: number) => DateTime.fromMillis(ms).toFormat('d LLL yyyy');
  const parts = kinds.map(kind => {
    const ofKind = records.filter(r => r.kind === kind);
    const open = ofKind.filter(isOpen).length;
    return `${ofKind.length.toLocaleString()} ${terms.noun(
      kind,
      ofKind.length,
    )} (${open.toLocaleString()} open)`;
  });
  return `${records.length.toLocaleString()} ${
    records.length === 1 ? 'record' : 'records'
  } from ${format(from)} to ${format(to)}: ${parts.join(', ')}`;
}
