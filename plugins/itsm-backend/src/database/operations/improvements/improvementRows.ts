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

import { randomUUID } from 'node:crypto';
import type {
  ItsmImprovementPriority,
  ItsmImprovementStatus,
  ItsmMetricDirection,
} from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import type {
  NewImprovementEvent,
  StoredImprovement,
} from '../../../improvements/ImprovementStore';
import {
  type DbBigInt,
  TABLE_IMPROVEMENT_ENTITIES,
  TABLE_IMPROVEMENT_EVENTS,
} from '../../tables';

/** A row of `improvements`. */
export interface ImprovementRow {
  id: string;
  title: string;
  description: string;
  owner_ref: string;
  department: string;
  status: string;
  priority: string;
  due_date: string | null;
  metric_id: string | null;
  metric_entity_ref: string | null;
  metric_target: number | null;
  metric_direction: string | null;
  metric_window_days: number | null;
  metric_sustain_weeks: number | null;
  baseline: number | null;
  baseline_n: number | null;
  baseline_captured_at: DbBigInt | null;
  record_ids: string;
  created_at: DbBigInt;
  created_by: string;
  updated_at: DbBigInt;
  updated_by: string;
  completed_at: DbBigInt | null;
}

/** A row of `improvement_events`. */
export interface ImprovementEventRow {
  id: string;
  improvement_id: string;
  at: DbBigInt;
  actor: string;
  type: string;
  changes: string;
  comment: string | null;
}

/** Items from their rows, with the entities each is about. */
export async function toStoredImprovements(
  knex: Knex | Knex.Transaction,
  rows: ImprovementRow[],
): Promise<StoredImprovement[]> {
  if (rows.length === 0) {
    return [];
  }
  const entities: Array<{ improvement_id: string; entity_ref: string }> =
    await knex(TABLE_IMPROVEMENT_ENTITIES)
      .whereIn(
        'improvement_id',
        rows.map(row => row.id),
      )
      .orderBy('entity_ref');
  const refs = new Map<string, string[]>();
  for (const e of entities) {
    refs.set(e.improvement_id, [
      ...(refs.get(e.improvement_id) ?? []),
      e.entity_ref,
    ]);
  }
  return rows.map(row => fromRow(row, refs.get(row.id) ?? []));
}

/**
 * Sets the entities an item is about, each once, and appends its history
 * events at `at`: the part of every write besides the item's own row.
 */
export async function writeImprovementLinks(
  tx: Knex | Knex.Transaction,
  improvementId: string,
  options: { entityRefs: string[]; at: number; events: NewImprovementEvent[] },
): Promise<void> {
  await tx(TABLE_IMPROVEMENT_ENTITIES)
    .where({ improvement_id: improvementId })
    .delete();
  const unique = [...new Set(options.entityRefs)];
  if (unique.length > 0) {
    await tx(TABLE_IMPROVEMENT_ENTITIES).insert(
      unique.map(entityRef => ({
        improvement_id: improvementId,
        entity_ref: entityRef,
      })),
    );
  }
  for (const event of options.events) {
    await tx(TABLE_IMPROVEMENT_EVENTS).insert({
      id: randomUUID(),
      improvement_id: improvementId,
      at: options.at,
      actor: event.actor,
      type: event.type,
      changes: JSON.stringify(event.changes),
      comment: event.comment,
    });
  }
}

export function toImprovementRow(item: StoredImprovement): ImprovementRow {
  const m = item.metric;
  return {
    id: item.id,
    title: item.title,
    description: item.description,
    owner_ref: item.ownerRef,
    department: item.department,
    status: item.status,
    priority: item.priority,
    due_date: item.dueDate,
    metric_id: m?.metricId ?? null,
    metric_entity_ref: m?.entityRef ?? null,
    metric_target: m?.target ?? null,
    metric_direction: m?.direction ?? null,
    metric_window_days: m?.windowDays ?? null,
    metric_sustain_weeks: m?.sustainWeeks ?? null,
    baseline: m?.baseline ?? null,
    baseline_n: m?.baselineN ?? null,
    baseline_captured_at: m?.baselineCapturedAt
      ? Date.parse(m.baselineCapturedAt)
      : null,
    record_ids: JSON.stringify(item.recordIds),
    created_at: Date.parse(item.createdAt),
    created_by: item.createdBy,
    updated_at: Date.parse(item.updatedAt),
    updated_by: item.updatedBy,
    completed_at: item.completedAt ? Date.parse(item.completedAt) : null,
  };
}

/** An instant column as ISO 8601 UTC. */
export function isoOf(ms: DbBigInt): string {
  return new Date(Number(ms)).toISOString();
}

function fromRow(row: ImprovementRow, entityRefs: string[]): StoredImprovement {
  const num = (v: number | string | null) => (v === null ? null : Number(v));
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    entityRefs,
    ownerRef: row.owner_ref,
    department: row.department,
    status: row.status as ItsmImprovementStatus,
    priority: row.priority as ItsmImprovementPriority,
    dueDate: row.due_date,
    recordIds: JSON.parse(row.record_ids),
    metric:
      row.metric_id === null
        ? null
        : {
            metricId: row.metric_id,
            entityRef: row.metric_entity_ref ?? entityRefs[0],
            target: Number(row.metric_target),
            direction: row.metric_direction as ItsmMetricDirection,
            windowDays: Number(row.metric_window_days ?? 30),
            sustainWeeks: Number(row.metric_sustain_weeks ?? 4),
            baseline: num(row.baseline),
            baselineN: num(row.baseline_n),
            baselineCapturedAt:
              row.baseline_captured_at === null
                ? null
                : isoOf(row.baseline_captured_at),
          },
    createdAt: isoOf(row.created_at),
    createdBy: row.created_by,
    updatedAt: isoOf(row.updated_at),
    updatedBy: row.updated_by,
    completedAt: row.completed_at === null ? null : isoOf(row.completed_at),
  };
}
