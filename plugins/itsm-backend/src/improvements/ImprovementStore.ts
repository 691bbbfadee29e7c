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
import { ConflictError } from '@backstage/errors';
import type {
  ItsmImprovementEvent,
  ItsmImprovementEventType,
  ItsmImprovementMetric,
  ItsmImprovementPriority,
  ItsmImprovementStatus,
  ItsmMetricDirection,
} from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import { applyPermissionCriteria } from '../database/permissionCriteria';
import type { DbBigInt } from '../database/tables';
import type {
  ImprovementCriterion,
  ImprovementFilter,
} from '../permissions/improvementRules';

const T_IMPROVEMENTS = 'improvements';
const T_ENTITIES = 'improvement_entities';
const T_EVENTS = 'improvement_events';

/** An improvement as stored, before progress and record links are added. */
export interface StoredImprovement {
  id: string;
  title: string;
  description: string;
  entityRefs: string[];
  ownerRef: string;
  department: string;
  status: ItsmImprovementStatus;
  priority: ItsmImprovementPriority;
  dueDate: string | null;
  recordIds: string[];
  metric: ItsmImprovementMetric | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  completedAt: string | null;
}

export interface NewImprovementEvent {
  actor: string;
  type: ItsmImprovementEventType;
  changes: ItsmImprovementEvent['changes'];
  comment: string | null;
}

export type ImprovementSort =
  | 'dueDate'
  | 'priority'
  | 'updatedAt'
  | 'createdAt'
  | 'title';

export interface ListImprovementsQuery {
  ids?: string[];
  /** Improvements about any of these entities. */
  entityRefs?: string[];
  /**
   * A team's improvements: those about any of `entityRefs` (what it owns)
   * or owned by any of `ownerRefs` (the team itself).
   */
  ownedBy?: { entityRefs: string[]; ownerRefs: string[] };
  ownerRefs?: string[];
  statuses?: ItsmImprovementStatus[];
  department?: string;
  /** Open items whose due date is before this date (YYYY-MM-DD). */
  dueBefore?: string;
  q?: string;
  sort?: ImprovementSort;
  order?: 'asc' | 'desc';
  limit: number;
  offset?: number;
  /** Permission filter, applied in SQL. */
  filter?: ImprovementFilter;
}

/** Statuses of items still being worked on. */
export const OPEN_STATUSES: ItsmImprovementStatus[] = [
  'proposed',
  'approved',
  'in_progress',
];

interface ImprovementRow {
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

interface EventRow {
  id: string;
  improvement_id: string;
  at: DbBigInt;
  actor: string;
  type: string;
  changes: string;
  comment: string | null;
}

const PRIORITY_RANK_SQL =
  "case priority when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end";

/**
 * The continual-improvement register on knex (SQLite and PostgreSQL): items,
 * the entities they are about, and their history. Every write and its
 * history event commit in one transaction.
 */
export class ImprovementStore {
  constructor(private readonly db: Knex) {}

  async list(
    query: ListImprovementsQuery,
  ): Promise<{ items: StoredImprovement[]; totalCount: number }> {
    const base = this.db<ImprovementRow>(T_IMPROVEMENTS);
    applyListQuery(base, query);
    const [{ n }] = await base.clone().count({ n: '*' });
    const order = query.order ?? 'asc';
    const rows: ImprovementRow[] = await base
      .select('*')
      .modify(builder => {
        switch (query.sort ?? 'dueDate') {
          case 'priority':
            builder.orderByRaw(`${PRIORITY_RANK_SQL} ${order}`);
            break;
          case 'updatedAt':
            builder.orderBy('updated_at', order);
            break;
          case 'createdAt':
            builder.orderBy('created_at', order);
            break;
          case 'title':
            builder.orderBy('title', order);
            break;
          default:
            // Items without a due date last, whatever the order.
            builder
              .orderByRaw('case when due_date is null then 1 else 0 end')
              .orderBy('due_date', order);
        }
      })
      .orderBy('id')
      .limit(query.limit)
      .offset(query.offset ?? 0);
    return { items: await this.toItems(rows), totalCount: Number(n) };
  }

  async get(
    id: string,
    filter?: ImprovementFilter,
  ): Promise<StoredImprovement | undefined> {
    const builder = this.db<ImprovementRow>(T_IMPROVEMENTS).where({ id });
    if (filter) {
      applyPermissionCriteria(builder, filter, applyCriterion);
    }
    const [item] = await this.toItems(await builder.select('*'));
    return item;
  }

  async create(
    item: StoredImprovement,
    event: NewImprovementEvent,
  ): Promise<void> {
    await this.db.transaction(async tx => {
      await tx(T_IMPROVEMENTS).insert(toRow(item));
      await this.writeEntities(tx, item.id, item.entityRefs);
      await insertEvent(tx, item.id, Date.parse(item.createdAt), event);
    });
  }

  /**
   * Replaces an item with `next` and records the events, unless it changed
   * since `expectedUpdatedAt` (then ConflictError: someone else saved first).
   */
  async update(
    next: StoredImprovement,
    expectedUpdatedAt: string,
    events: NewImprovementEvent[],
  ): Promise<void> {
    await this.db.transaction(async tx => {
      const { id, ...rest } = toRow(next);
      const changed = await tx(T_IMPROVEMENTS)
        .where({ id, updated_at: Date.parse(expectedUpdatedAt) })
        .update(rest);
      if (changed === 0) {
        throw new ConflictError(
          `Improvement '${id}' was changed by someone else; reload and try again`,
        );
      }
      await tx(T_ENTITIES).where({ improvement_id: id }).delete();
      await this.writeEntities(tx, id, next.entityRefs);
      for (const event of events) {
        await insertEvent(tx, id, Date.parse(next.updatedAt), event);
      }
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction(async tx => {
      await tx(T_EVENTS).where({ improvement_id: id }).delete();
      await tx(T_ENTITIES).where({ improvement_id: id }).delete();
      return (await tx(T_IMPROVEMENTS).where({ id }).delete()) > 0;
    });
  }

  async listEvents(id: string): Promise<ItsmImprovementEvent[]> {
    const rows: EventRow[] = await this.db<EventRow>(T_EVENTS)
      .where({ improvement_id: id })
      .orderBy('seq', 'asc');
    return rows.map(row => ({
      id: row.id,
      improvementId: row.improvement_id,
      at: new Date(Number(row.at)).toISOString(),
      actor: row.actor,
      type: row.type as ItsmImprovementEventType,
      changes: JSON.parse(row.changes),
      comment: row.comment,
    }));
  }

  private async writeEntities(
    tx: Knex.Transaction,
    id: string,
    entityRefs: string[],
  ): Promise<void> {
    const unique = [...new Set(entityRefs)];
    if (unique.length > 0) {
      await tx(T_ENTITIES).insert(
        unique.map(entityRef => ({
          improvement_id: id,
          entity_ref: entityRef,
        })),
      );
    }
  }

  private async toItems(rows: ImprovementRow[]): Promise<StoredImprovement[]> {
    if (rows.length === 0) {
      return [];
    }
    const entities: Array<{ improvement_id: string; entity_ref: string }> =
      await this.db(T_ENTITIES)
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
}

function applyListQuery(
  builder: Knex.QueryBuilder,
  query: ListImprovementsQuery,
): void {
  if (query.ids) {
    builder.whereIn('id', query.ids);
  }
  if (query.entityRefs) {
    builder.whereIn('id', sub =>
      sub
        .select('improvement_id')
        .from(T_ENTITIES)
        .whereIn('entity_ref', query.entityRefs!),
    );
  }
  if (query.ownedBy) {
    const { entityRefs, ownerRefs } = query.ownedBy;
    builder.where(q =>
      q
        .whereIn('id', sub =>
          sub
            .select('improvement_id')
            .from(T_ENTITIES)
            .whereIn('entity_ref', entityRefs),
        )
        .orWhereIn('owner_ref', ownerRefs),
    );
  }
  if (query.ownerRefs) {
    builder.whereIn('owner_ref', query.ownerRefs);
  }
  if (query.statuses) {
    builder.whereIn('status', query.statuses);
  }
  if (query.department) {
    builder.where('department', query.department);
  }
  if (query.dueBefore) {
    builder
      .where('due_date', '<', query.dueBefore)
      .whereIn('status', OPEN_STATUSES);
  }
  if (query.q) {
    const like = `%${query.q
      .toLocaleLowerCase('en-US')
      .replace(/[\\%_]/g, c => `\\${c}`)}%`;
    builder.where(q =>
      q
        .whereRaw("lower(title) like ? escape '\\'", [like])
        .orWhereRaw("lower(description) like ? escape '\\'", [like]),
    );
  }
  if (query.filter) {
    applyPermissionCriteria(builder, query.filter, applyCriterion);
  }
}

function applyCriterion(
  builder: Knex.QueryBuilder,
  criterion: ImprovementCriterion,
): void {
  switch (criterion.key) {
    case 'department':
      builder.whereIn('department', criterion.values);
      return;
    case 'owner':
      builder.whereIn('owner_ref', criterion.values);
      return;
    default:
      throw new Error(
        `Unknown improvement filter criterion ${JSON.stringify(criterion)}`,
      );
  }
}

async function insertEvent(
  tx: Knex.Transaction,
  improvementId: string,
  at: number,
  event: NewImprovementEvent,
): Promise<void> {
  await tx(T_EVENTS).insert({
    id: randomUUID(),
    improvement_id: improvementId,
    at,
    actor: event.actor,
    type: event.type,
    changes: JSON.stringify(event.changes),
    comment: event.comment,
  });
}

function toRow(item: StoredImprovement): ImprovementRow {
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

function iso(ms: DbBigInt): string {
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
                : iso(row.baseline_captured_at),
          },
    createdAt: iso(row.created_at),
    createdBy: row.created_by,
    updatedAt: iso(row.updated_at),
    updatedBy: row.updated_by,
    completedAt: row.completed_at === null ? null : iso(row.completed_at),
  };
}
