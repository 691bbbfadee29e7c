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
  ItsmMetricContext,
  ItsmMetricInstant,
  ItsmMetricRecordQuery,
  ItsmMetricRecordRow,
  ItsmMetricRecordSet,
} from '../metrics';
import { summariseDurations } from '../durationStats';

/** Most rows `list()` returns, as in the backend. */
const MAX_LIST = 10000;

/** A record for {@link createInMemoryItsmMetricContext}: instants as ISO strings or Dates. */
export type InMemoryItsmMetricRecord = Partial<
  Omit<ItsmMetricRecordRow, ItsmMetricInstant>
> &
  Pick<ItsmMetricRecordRow, 'id'> &
  Partial<Record<ItsmMetricInstant, Date | string | null>>;

const INSTANTS: ItsmMetricInstant[] = [
  'openedAt',
  'acknowledgedAt',
  'resolvedAt',
  'closedAt',
  'impactStart',
  'impactEnd',
  'plannedStart',
  'plannedEnd',
  'actualStart',
  'actualEnd',
];

function toRow(record: InMemoryItsmMetricRecord): ItsmMetricRecordRow {
  const date = (v: Date | string | null | undefined) =>
    v === null || v === undefined ? null : new Date(v);
  const row = {
    kind: 'request',
    department: 'it',
    state: 'resolved',
    priority: null,
    number: null,
    title: record.id,
    category: null,
    reopenCount: 0,
    ...record,
  } as Record<string, unknown>;
  for (const instant of INSTANTS) row[instant] = date(record[instant]);
  if (row.openedAt === null) row.openedAt = new Date(0);
  return row as unknown as ItsmMetricRecordRow;
}

/**
 * An `ItsmMetricContext` over records in memory, with the backend's query
 * semantics (every state but cancelled by default, `within` in [from, to),
 * durations of records with both instants, negative ones counted apart), to
 * test a module's metric on hand-computed data. Every query asked is kept
 * in `queries`.
 * @public
 */
export function createInMemoryItsmMetricContext(options: {
  records: InMemoryItsmMetricRecord[];
  window: { from: Date | string; to: Date | string };
  now?: Date | string;
  entityRef?: string;
  annotations?: Record<string, string>;
}): ItsmMetricContext & { queries: ItsmMetricRecordQuery[] } {
  const rows = options.records.map(toRow);
  const window = {
    from: new Date(options.window.from),
    to: new Date(options.window.to),
  };
  const queries: ItsmMetricRecordQuery[] = [];
  const entityRef = options.entityRef ?? 'component:default/example';

  const select = (query: ItsmMetricRecordQuery) => {
    const from = (query.from ?? window.from).getTime();
    const to = (query.to ?? window.to).getTime();
    const within = query.within ?? 'openedAt';
    return rows.filter(row => {
      if (query.kinds && !query.kinds.includes(row.kind)) return false;
      if (query.departments && !query.departments.includes(row.department))
        return false;
      if (
        query.states
          ? !query.states.includes(row.state)
          : row.state === 'cancelled'
      )
        return false;
      if (
        query.categories &&
        (row.category === null || !query.categories.includes(row.category))
      )
        return false;
      if (
        query.priorities &&
        (row.priority === null || !query.priorities.includes(row.priority))
      )
        return false;
      const at = row[within]?.getTime();
      return at !== undefined && at >= from && at < to;
    });
  };

  const records = (query: ItsmMetricRecordQuery = {}): ItsmMetricRecordSet => {
    queries.push(query);
    return {
      async count() {
        return select(query).length;
      },
      async countBy(field) {
        const counts: Record<string, number> = {};
        for (const row of select(query)) {
          const key = row[field] === null ? 'none' : String(row[field]);
          counts[key] = (counts[key] ?? 0) + 1;
        }
        return counts;
      },
      async durations(start, end) {
        return summariseDurations(
          select(query)
            .filter(row => row[start] && row[end])
            .map(row => (row[end]!.getTime() - row[start]!.getTime()) / 1000),
        );
      },
      async list(listOptions) {
        const limit = Math.max(
          1,
          Math.min(MAX_LIST, Math.floor(listOptions?.limit ?? MAX_LIST)),
        );
        return select(query)
          .sort(
            (a, b) =>
              a.openedAt.getTime() - b.openedAt.getTime() ||
              a.id.localeCompare(b.id, 'en'),
          )
          .slice(0, limit);
      },
    };
  };

  return {
    entityRef,
    entityRefs: [entityRef],
    annotations: options.annotations ?? {},
    window,
    now: new Date(options.now ?? window.to),
    records,
    queries,
  };
}
