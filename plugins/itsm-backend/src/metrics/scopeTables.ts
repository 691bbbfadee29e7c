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
import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import { TABLE_RECORD_ENTITIES, TABLE_RECORDS } from '../database/tables';
import { readable, relevantRecords } from './sql';
import type { MetricScope, ScopeTables } from './types';

/**
 * Returns a function that gives the event loop a turn when `budgetMs` have
 * passed since the last one: long work on SQLite (better-sqlite3 runs every
 * statement on the event loop) calls it between statements, so that other
 * requests are served in between.
 */
export function loopYielder(budgetMs = 20): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last >= budgetMs) {
      await nextLoopTurn();
      last = performance.now();
    }
  };
}

/** Ids read or records copied per statement while filling the scope tables. */
const SCOPE_TABLE_SLICE = 2000;

let scopeTableSequence = 0;

/**
 * SQLite: runs `work` on one pinned connection (a read transaction, so every
 * statement sees the same data) with the scope held in two temporary tables
 * (`ScopeTables`): the mapped record ids, and the readable non-cancelled
 * records that `relevance` selects. Both are filled in short statements,
 * yielding to the event loop between them; `work` then reads them instead
 * of resolving the scope again in every statement, so it too can run as
 * many short statements. The tables live as long as the transaction.
 */
export async function withScopeTables<T>(
  scope: MetricScope,
  relevance: string[],
  work: (scope: MetricScope, yieldLoop: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const yieldLoop = loopYielder();
  return scope.db.transaction(async trx => {
    const n = ++scopeTableSequence;
    const tables: ScopeTables = {
      ids: `itsm_scope_ids_${n}`,
      records: `itsm_scope_records_${n}`,
    };
    await trx.raw(`create temp table ${tables.ids} (id text primary key)`);
    for (const ref of new Set(scope.entityRefs)) {
      let after = '';
      for (;;) {
        const page: Array<{ record_id: string }> = await trx(
          TABLE_RECORD_ENTITIES,
        )
          .select('record_id')
          .where('entity_ref', ref)
          .where('record_id', '>', after)
          .orderBy('record_id')
          .limit(SCOPE_TABLE_SLICE);
        if (page.length > 0) {
          await trx.raw(
            `insert or ignore into ${tables.ids} (id) select value from json_each(?)`,
            [JSON.stringify(page.map(row => row.record_id))],
          );
        }
        await yieldLoop();
        if (page.length < SCOPE_TABLE_SLICE) {
          break;
        }
        after = page[page.length - 1].record_id;
      }
    }

    const base = { ...scope, db: trx, tables: undefined };
    const slice = (ids: string[]) =>
      relevantRecords(
        base,
        readable(
          trx(`${TABLE_RECORDS} as r`).whereRaw(
            'r.id in (select value from json_each(?))',
            [JSON.stringify(ids)],
          ),
          scope.filter,
        ),
        relevance.length > 0 ? relevance : ['0 = 1'],
      ).toSQL();
    const empty = slice([]);
    await trx.raw(
      `create temp table ${tables.records} as ${empty.sql}`,
      empty.bindings as Knex.RawBinding[],
    );
    let after = '';
    for (;;) {
      const ids: string[] = (
        await trx(tables.ids)
          .select('id')
          .where('id', '>', after)
          .orderBy('id')
          .limit(SCOPE_TABLE_SLICE)
      ).map((row: { id: string }) => row.id);
      if (ids.length > 0 && relevance.length > 0) {
        const insert = slice(ids);
        await trx.raw(
          `insert into ${tables.records} ${insert.sql}`,
          insert.bindings as Knex.RawBinding[],
        );
      }
      await yieldLoop();
      if (ids.length < SCOPE_TABLE_SLICE) {
        break;
      }
      after = ids[ids.length - 1];
    }

    const result = await work({ ...scope, db: trx, tables }, yieldLoop);
    await trx.raw(`drop table temp.${tables.records}`);
    await trx.raw(`drop table temp.${tables.ids}`);
    return result;
  });
}
