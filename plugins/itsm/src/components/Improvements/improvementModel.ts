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

import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ITSM_BUILTIN_METRIC_DEFINITIONS,
  ITSM_BUILTIN_METRIC_IDS,
  ItsmImprovement,
  ItsmImprovementPriority,
  ItsmImprovementProgressStatus,
  ItsmImprovementStatus,
  ItsmMetricDefinition,
  ItsmMetricUnit,
} from '@backstage-itsm/plugin-itsm-common';
import { DateTime } from 'luxon';

/** Words for the lifecycle statuses. */
export const STATUS_LABEL: Record<ItsmImprovementStatus, string> = {
  proposed: 'Proposed',
  approved: 'Approved',
  in_progress: 'In progress',
  done: 'Done',
  abandoned: 'Abandoned',
};

export const STATUS_COLOUR = {
  proposed: 'default',
  approved: 'info',
  in_progress: 'primary',
  done: 'success',
  abandoned: 'default',
} as const;

export const PRIORITY_LABEL: Record<ItsmImprovementPriority, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

export const PRIORITY_COLOUR = {
  critical: 'error',
  high: 'warning',
  medium: 'default',
  low: 'default',
} as const;

export const PROGRESS_LABEL: Record<ItsmImprovementProgressStatus, string> = {
  not_started: 'not started',
  on_track: 'on track',
  at_risk: 'at risk',
  overdue: 'overdue',
  target_met: 'target met',
  sustained: 'sustained',
  no_data: 'no data',
  not_measured: 'not measured',
  closed: 'closed',
};

export const PROGRESS_COLOUR = {
  not_started: 'default',
  on_track: 'info',
  at_risk: 'warning',
  overdue: 'error',
  target_met: 'success',
  sustained: 'success',
  no_data: 'default',
  not_measured: 'default',
  closed: 'default',
} as const;

/** Whether an improvement is still being worked on. */
export function isOpen(status: ItsmImprovementStatus): boolean {
  return status !== 'done' && status !== 'abandoned';
}

/** Open first, then by due date (none last), then by title. */
export function compareOpenFirst(a: ItsmImprovement, b: ItsmImprovement) {
  const open = Number(isOpen(b.status)) - Number(isOpen(a.status));
  if (open) return open;
  const due = (a.dueDate ?? '9999-99-99').localeCompare(
    b.dueDate ?? '9999-99-99',
  );
  return due || a.title.localeCompare(b.title);
}

/** Metric ids whose target makes sense: built-ins with a better direction. */
export const TARGETABLE_METRIC_IDS: string[] = ITSM_BUILTIN_METRIC_IDS.filter(
  id => ITSM_BUILTIN_METRIC_DEFINITIONS[id].direction !== null,
);

/**
 * The definition of a metric id. Module metrics (`hr_first_response_time`)
 * are not known to the frontend; their unit is guessed from the id.
 */
export function metricDefinition(id: string): ItsmMetricDefinition {
  const builtin = (
    ITSM_BUILTIN_METRIC_DEFINITIONS as Record<string, ItsmMetricDefinition>
  )[id];
  if (builtin) return builtin;
  let unit: ItsmMetricUnit = 'count';
  if (/_time$|_duration$/.test(id)) unit = 'seconds';
  else if (/_(rate|ratio|share|attainment|completion)$/.test(id))
    unit = 'ratio';
  return {
    id,
    title: id.replace(/_/g, ' '),
    description: 'A metric of an ITSM module.',
    startEvent: null,
    endEvent: null,
    clock: null,
    statistic: 'value',
    unit,
    direction: null,
    targetAnnotation: null,
  };
}

const DURATION_UNITS: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
};

/** How to type a target of a unit, for helper texts. */
export function targetHint(unit: ItsmMetricUnit): string {
  switch (unit) {
    case 'seconds':
      return 'A duration such as 4h, 30m, 2d or 1h 30m';
    case 'ratio':
      return 'A percentage such as 99.9 or 5%';
    case 'score':
      return 'A score from -100 to 100';
    default:
      return 'A number';
  }
}

/**
 * Reads a target as typed into the metric's unit: durations (`4h`, `30m`,
 * `2d`, `1h 30m`) to seconds, percentages to ratios. Returns an error text
 * when the input is not a valid target.
 */
export function parseTarget(
  input: string,
  unit: ItsmMetricUnit,
): { value: number } | { error: string } {
  const text = input.trim().toLowerCase();
  if (!text) return { error: 'Enter a target' };
  if (unit === 'seconds') {
    const parts = text.split(/\s+/);
    let total = 0;
    for (const part of parts) {
      const match = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(part);
      if (!match) {
        return { error: 'Write a duration such as 4h, 30m or 2d' };
      }
      total += Number(match[1]) * DURATION_UNITS[match[2]];
    }
    if (total <= 0) return { error: 'The duration must be above zero' };
    return { value: Math.round(total) };
  }
  const number = Number(text.replace(/%$/, '').trim());
  if (!/^-?\d+(\.\d+)?%?$/.test(text.replace(/\s+/g, '')) || !isFinite(number))
    return { error: 'Enter a number' };
  if (unit === 'ratio') {
    if (number < 0 || number > 100)
      return { error: 'A percentage is between 0 and 100' };
    return { value: Number((number / 100).toFixed(6)) };
  }
  if (unit === 'score') {
    if (number < -100 || number > 100)
      return { error: 'A score is between -100 and 100' };
    return { value: number };
  }
  if (number < 0) return { error: 'The number cannot be negative' };
  return { value: number };
}

/** A stored target as the user would type it back. */
export function targetInput(value: number, unit: ItsmMetricUnit): string {
  if (unit === 'seconds') {
    let rest = Math.round(value);
    const parts: string[] = [];
    for (const [suffix, size] of [
      ['d', 86400],
      ['h', 3600],
      ['m', 60],
      ['s', 1],
    ] as const) {
      if (rest >= size) {
        parts.push(`${Math.floor(rest / size)}${suffix}`);
        rest %= size;
      }
    }
    return parts.join(' ') || '0s';
  }
  if (unit === 'ratio') return `${Number((value * 100).toFixed(4))}`;
  return String(value);
}

const KIND = /^[a-zA-Z][a-zA-Z0-9-]*$/;
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** A ref as typed (`team-a`, `group:team-a`) in full form, or undefined. */
export function normaliseRef(
  ref: string,
  defaultKind: string,
): string | undefined {
  try {
    const parsed = parseEntityRef(ref.trim(), {
      defaultKind,
      defaultNamespace: 'default',
    });
    if (
      !KIND.test(parsed.kind) ||
      !NAME.test(parsed.namespace) ||
      !NAME.test(parsed.name)
    ) {
      return undefined;
    }
    return stringifyEntityRef(parsed);
  } catch {
    return undefined;
  }
}

/** Splits a list typed with commas, spaces or new lines. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map(s => s.trim())
    .filter(Boolean);
}

/** Today as `YYYY-MM-DD` in the viewer's zone. */
export function todayIso(): string {
  return DateTime.now().toISODate()!;
}

/** `YYYY-MM-DD` a number of days from today. */
export function daysFromToday(days: number): string {
  return DateTime.now().plus({ days }).toISODate()!;
}

/** `12 Dec 2026`. */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '–';
  return DateTime.fromISO(date).toLocaleString(DateTime.DATE_MED);
}

/**
 * Splits a backend validation message
 * (`Invalid body: metric.target: the target must be below …; title: …`)
 * into messages per field path; what names no field is `general`.
 */
export function serverFieldErrors(
  error: unknown,
  knownFields: readonly string[],
): { fields: Record<string, string>; general?: string } {
  const e = error as {
    message?: string;
    body?: { error?: { message?: string } };
    cause?: { message?: string };
  };
  const message =
    e?.body?.error?.message ?? e?.cause?.message ?? e?.message ?? String(error);
  const text = message.replace(/^Invalid (body|request|query)[^:]*:\s*/i, '');
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const part of text.split(/;\s+/)) {
    const match = /^([A-Za-z][\w.[\]]*):\s*(.+)$/.exec(part.trim());
    const path = match?.[1].replace(/\[\d+\]|\.\d+/g, '');
    if (match && path && knownFields.includes(path)) {
      fields[path] = fields[path]
        ? `${fields[path]}; ${match[2]}`
        : capitalise(match[2]);
    } else {
      general.push(part.trim());
    }
  }
  return {
    fields,
    general: general.length ? capitalise(general.join('; ')) : undefined,
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The HTTP status of an API error, if it has one. */
export function errorStatus(error: unknown): number | undefined {
  const e = error as { statusCode?: number; response?: { status?: number } };
  return e?.statusCode ?? e?.response?.status;
}

/**
 * The owners a user is offered for an improvement: their groups (sorted),
 * then themself, from their ownership claims. The backend refuses any other
 * owner unless the user is an ITSM administrator.
 */
export function ownerChoices(ownershipEntityRefs: readonly string[]): string[] {
  const kindOf = (ref: string) => ref.split(':')[0].toLocaleLowerCase('en-US');
  const unique = [...new Set(ownershipEntityRefs)];
  return [
    ...unique.filter(ref => kindOf(ref) === 'group').sort(),
    ...unique.filter(ref => kindOf(ref) === 'user').sort(),
  ];
}
