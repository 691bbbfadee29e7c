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

import type { ItsmRecord } from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import type { ListRecordsQuery } from '../../ItsmStore';
import { R, recordIdsWhere } from '../../permissionCriteria';
import type { RecordsReadRow } from '../../tables';
import { checkLimit } from '../util/conversions';
import { decodeCursor, encodeCursor, SortOrder } from './pageCursor';
import { selectRecords, toRecords } from './readRecords';

/**
 * A page of records, newest opened first unless asked otherwise, keyed by
 * (opened_at, id). A list filter that is given but empty (`kinds: []`)
 * matches nothing, like an empty `anyOf`.
 */
export async function listRecords(
  knex: Knex,
  query: ListRecordsQuery,
): Promise<{ items: ItsmRecord[]; nextCursor?: string }> {
  const limit = checkLimit(query.limit);
  const order: SortOrder = query.order ?? 'desc';
  const builder = selectRecords(knex, query.filter);
  applyRecordQuery(builder, query);
  if (query.cursor !== undefined) {
    const cursor = decodeCursor(query.cursor, order);
    // A row comparison, so both databases seek in the (opened_at, id) index.
    builder.whereRaw(
      `(${R}.opened_at, ${R}.id) ${order === 'desc' ? '<' : '>'} (?, ?)`,
      [cursor.openedAt, cursor.id],
    );
  }
  builder
    .orderBy([
      { column: `${R}.opened_at`, order },
      { column: `${R}.id`, order },
    ])
    .limit(limit + 1);

  const rows: RecordsReadRow[] = await builder;
  const page = rows.slice(0, limit);
  const items = await toRecords(knex, page, query.filter);
  if (rows.length <= limit) {
    return { items };
  }
  const last = page[page.length - 1];
  return {
    items,
    nextCursor: encodeCursor({
      openedAt: Number(last.opened_at),
      id: last.id,
      order,
    }),
  };
}

/** Applies the non-permission filters of a list query to `records as r`. */
function applyRecordQuery(builder: Knex.QueryBuilder, query: ListRecordsQuery) {
  if (query.entityRefs !== undefined) {
    builder.whereIn(`${R}.id`, recordIdsWhere('entity_ref', query.entityRefs));
  }
  if (query.kinds !== undefined) {
    builder.whereIn(`${R}.kind`, query.kinds);
  }
  if (query.states !== undefined) {
    builder.whereIn(`${R}.state`, query.states);
  }
  if (query.priorities !== undefined) {
    builder.whereIn(`${R}.priority`, query.priorities);
  }
  if (query.providerIds !== undefined) {
    builder.whereIn(`${R}.provider_id`, query.providerIds);
  }
  if (query.to !== undefined) {
    builder.where(`${R}.opened_at`, '<', query.to);
  }
  if (query.from !== undefined) {
    const from = query.from;
    const end = `coalesce(${R}.closed_at, ${R}.resolved_at)`;
    builder.where(overlap =>
      overlap.whereRaw(`${end} is null`).orWhereRaw(`${end} > ?`, [from]),
    );
  }
  if (query.q !== undefined && query.q !== '') {
    const pattern = `%${escapeLike(query.q.toLowerCase())}%`;
    builder.where(text =>
      text
        .whereRaw(`lower(${R}.number) like ? escape '\\'`, [pattern])
        .orWhereRaw(`lower(${R}.title) like ? escape '\\'`, [pattern]),
    );
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, c => `\\${c}`);
}
