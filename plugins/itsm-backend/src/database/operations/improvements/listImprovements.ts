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

import type { Knex } from 'knex';
import {
  type ListImprovementsQuery,
  OPEN_STATUSES,
  type StoredImprovement,
} from '../../../improvements/ImprovementStore';
import { TABLE_IMPROVEMENT_ENTITIES, TABLE_IMPROVEMENTS } from '../../tables';
import { applyImprovementFilter } from './applyImprovementFilter';
import { type ImprovementRow, toStoredImprovements } from './improvementRows';

const PRIORITY_RANK_SQL =
  "case priority when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end";

/** One page of improvements matching a query, and how many match in all. */
export async function listImprovements(
  knex: Knex | Knex.Transaction,
  query: ListImprovementsQuery,
): Promise<{ items: StoredImprovement[]; totalCount: number }> {
  const base = knex<ImprovementRow>(TABLE_IMPROVEMENTS);
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
  return {
    items: await toStoredImprovements(knex, rows),
    totalCount: Number(n),
  };
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
        .from(TABLE_IMPROVEMENT_ENTITIES)
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
            .from(TABLE_IMPROVEMENT_ENTITIES)
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
    applyImprovementFilter(builder, query.filter);
  }
}
