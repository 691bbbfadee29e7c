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
  ItsmImprovementEvent,
  ItsmImprovementMetric,
} from '@backstage-itsm/plugin-itsm-common';
import type {
  NewImprovementEvent,
  StoredImprovement,
} from './ImprovementStore';

const EDITABLE_FIELDS = [
  'title',
  'description',
  'entityRefs',
  'ownerRef',
  'priority',
  'dueDate',
  'recordIds',
  'status',
  'metric',
] as const;

/** What a person changed between two versions of an item, field by field. */
export function diffImprovements(
  before: StoredImprovement,
  after: StoredImprovement,
): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of EDITABLE_FIELDS) {
    const from =
      field === 'metric' ? bindingSummary(before.metric) : before[field];
    const to = field === 'metric' ? bindingSummary(after.metric) : after[field];
    if (JSON.stringify(from) !== JSON.stringify(to)) {
      changes[field] = { from, to };
    }
  }
  return changes;
}

/**
 * The history entry of a change: a status change, an update, or a comment
 * alone; undefined when nothing changed and nothing was said.
 */
export function changeEvent(
  actor: string,
  changes: NewImprovementEvent['changes'],
  comment: string | undefined,
): NewImprovementEvent | undefined {
  let type: NewImprovementEvent['type'] = 'commented';
  if ('status' in changes) {
    type = 'status_changed';
  } else if (Object.keys(changes).length > 0) {
    type = 'updated';
  }
  if (type === 'commented' && !comment) {
    return undefined;
  }
  return { actor, type, changes, comment: comment ?? null };
}

/** The record ids an entry's `recordIds` change names. */
export function eventRecordIds(event: ItsmImprovementEvent): string[] {
  const change = event.changes.recordIds;
  return change
    ? [change.from, change.to]
        .filter((v): v is string[] => Array.isArray(v))
        .flat()
    : [];
}

/**
 * History as a reader may see it: record ids outside `readable` are left
 * out, and a record change that leaves nothing visible disappears.
 */
export function sealEvents(
  events: ItsmImprovementEvent[],
  readable: Set<string>,
): ItsmImprovementEvent[] {
  const keep = (v: unknown) =>
    Array.isArray(v) ? v.filter(id => readable.has(id)) : v;
  return events.map(e => {
    const change = e.changes.recordIds;
    if (!change) {
      return e;
    }
    const from = keep(change.from);
    const to = keep(change.to);
    const changes = { ...e.changes };
    if (JSON.stringify(from) === JSON.stringify(to)) {
      delete changes.recordIds;
    } else {
      changes.recordIds = { from, to };
    }
    return { ...e, changes };
  });
}

/** The parts of a binding a person chooses (the baseline has its own event). */
function bindingSummary(metric: ItsmImprovementMetric | null) {
  return metric
    ? {
        metricId: metric.metricId,
        entityRef: metric.entityRef,
        target: metric.target,
        windowDays: metric.windowDays,
        sustainWeeks: metric.sustainWeeks,
      }
    : null;
}
