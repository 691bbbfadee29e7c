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

import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';

jest.setTimeout(60_000);

const DATABASE_IDS = ['POSTGRES_15', 'SQLITE_3'] as const;
const databases = TestDatabases.create({ ids: [...DATABASE_IDS] });
const unsupported = DATABASE_IDS.filter(id => !databases.supports(id));

const directory = resolvePackagePath(
  '@backstage-itsm/plugin-itsm-backend',
  'migrations',
);

const TABLES = [
  'records',
  'record_entities',
  'record_mappings',
  'slas',
  'feedback',
  'sync_state',
  'dead_letters',
  'improvements',
  'improvement_entities',
  'improvement_events',
  'service_reviews',
  'record_tombstones',
];

describe.each(databases.eachSupportedId())('migrations on %s', databaseId => {
  it('migrates up, all the way down, and up again', async () => {
    const knex = await databases.init(databaseId);
    const present = async () => {
      const result: string[] = [];
      for (const table of TABLES) {
        if (await knex.schema.hasTable(table)) {
          result.push(table);
        }
      }
      return result;
    };

    await knex.migrate.latest({ directory });
    await expect(present()).resolves.toEqual(TABLES);
    await expect(
      knex.schema.hasColumn('records', 'caused_by_change'),
    ).resolves.toBe(true);

    // The schema takes a row in every table.
    await knex('records').insert({
      id: 'r1',
      provider_id: 'p',
      external_id: 'e',
      kind: 'incident',
      department: 'it',
      title: 't',
      state: 'new',
      opened_at: 1767225600000,
      source_updated_at: 1767225600000,
      content_hash: 'h',
      created_at: 1767225600000,
      updated_at: 1767225600000,
    });
    await knex('record_entities').insert({
      record_id: 'r1',
      entity_ref: 'component:default/a',
      via: 'provider',
    });
    await knex('record_mappings').insert({
      record_id: 'r1',
      annotation: 'a',
      value: 'v',
    });
    await knex('slas').insert({
      record_id: 'r1',
      name: 's',
      kind: 'response',
      stage: 'completed',
      breached: true,
      start_at: 1767225600000,
    });
    await knex('feedback').insert({
      id: 'f1',
      provider_id: 'p',
      external_id: 'f',
      scale: 'csat5',
      score: 5,
      responded_at: 1767225600000,
    });
    await knex('sync_state').insert({
      provider_id: 'p',
      department: 'it',
      kinds: '[]',
    });
    await knex('dead_letters').insert({
      id: 'd1',
      provider_id: 'p',
      payload: '{}',
      error: 'x',
      at: 1767225600000,
    });
    await knex('improvements').insert({
      id: 'i1',
      title: 't',
      owner_ref: 'group:default/a',
      department: 'it',
      status: 'proposed',
      priority: 'high',
      created_at: 1767225600000,
      created_by: 'user:default/a',
      updated_at: 1767225600000,
      updated_by: 'user:default/a',
    });
    await knex('improvement_entities').insert({
      improvement_id: 'i1',
      entity_ref: 'component:default/a',
    });
    await knex('improvement_events').insert({
      id: 'e1',
      improvement_id: 'i1',
      at: 1767225600000,
      actor: 'user:default/a',
      type: 'created',
    });
    await knex('record_tombstones').insert({
      provider_id: 'p',
      external_id: 'gone',
      department: 'it',
      deleted_at: 1767225600000,
      detected_at: 1767225600000,
      reason: 'audit',
    });
    await knex('service_reviews').insert({
      id: 's1',
      entity_ref: 'component:default/a',
      period_from: 1767225600000,
      period_to: 1775001600000,
      label: '2026-Q1',
      held_by: 'user:default/a',
      held_at: 1775001600000,
      snapshot: '{}',
    });
    // Deleting an improvement takes its entities and history with it.
    if (knex.client.config.client !== 'pg') {
      await knex.raw('PRAGMA foreign_keys = ON');
    }
    await knex('improvements').where({ id: 'i1' }).delete();
    const [{ events }] = await knex('improvement_events').count({
      events: '*',
    });
    expect(Number(events)).toBe(0);
    // Instants beyond 32 bits are kept exactly.
    const [row] = await knex('records').select('opened_at');
    expect(Number(row.opened_at)).toBe(1767225600000);
    const [state] = await knex('sync_state').select('last_read');
    expect(Number(state.last_read)).toBe(0);
    // The upsert key is unique. (The driver's error may come from another
    // module realm when suites share a process, so match on its message.)
    const duplicate = await knex('records')
      .insert({
        id: 'r2',
        provider_id: 'p',
        external_id: 'e',
        kind: 'incident',
        department: 'it',
        title: 't',
        state: 'new',
        opened_at: 1,
        source_updated_at: 1,
        content_hash: 'h',
        created_at: 1,
        updated_at: 1,
      })
      .then(
        () => undefined,
        (error: Error) => error,
      );
    expect(String(duplicate?.message)).toMatch(/unique|duplicate key/i);

    await knex.migrate.rollback({ directory }, true);
    await expect(present()).resolves.toEqual([]);

    await knex.migrate.latest({ directory });
    await expect(present()).resolves.toEqual(TABLES);
    const [{ n }] = await knex('records').count({ n: '*' });
    expect(Number(n)).toBe(0);
  });
});

describe.each(databases.eachSupportedId())(
  'migration 20261202000000_recordTombstonesAndRunObservations on %s',
  databaseId => {
    const target = '20261202000000_recordTombstonesAndRunObservations.js';

    it('adds tombstones and run observations to existing data, and takes them away again', async () => {
      const knex = await databases.init(databaseId);
      const isPostgres = knex.client.config.client === 'pg';
      const pending = async (): Promise<string[]> => {
        const [, rest] = await knex.migrate.list({ directory });
        return rest.map((m: { file: string }) => m.file);
      };
      while ((await pending())[0] !== target) {
        await knex.migrate.up({ directory });
      }
      await knex('sync_state').insert({
        provider_id: 'sn:corp',
        department: 'it',
        kinds: '["incident"]',
        cursor: 'c1',
        last_succeeded_at: 1767225600000,
        last_read: 7,
      });

      await knex.migrate.up({ directory });
      expect((await pending())[0]).not.toBe(target);
      const [state] = await knex('sync_state').select('*');
      expect(state).toMatchObject({
        provider_id: 'sn:corp',
        cursor: 'c1',
        last_retry_message: null,
        last_failed_parts: '[]',
      });
      for (const column of [
        'last_read',
        'last_deleted',
        'last_requests',
        'last_retries',
        'last_wait_ms',
      ]) {
        expect(Number(state[column])).toBe(column === 'last_read' ? 7 : 0);
      }
      const stone = {
        provider_id: 'sn:corp',
        external_id: 'INC1',
        record_id: null,
        kind: null,
        department: 'it',
        number: null,
        title: null,
        deleted_at: 1767225600000,
        detected_at: 1767225600001,
        reason: 'reconciliation',
        payload: null,
      };
      await knex('record_tombstones').insert(stone);
      const [read] = await knex('record_tombstones').select('*');
      expect({
        ...read,
        deleted_at: Number(read.deleted_at),
        detected_at: Number(read.detected_at),
      }).toEqual(stone);
      // One tombstone per key.
      const duplicate = await knex('record_tombstones')
        .insert(stone)
        .then(
          () => undefined,
          (error: Error) => error,
        );
      expect(String(duplicate?.message)).toMatch(/unique|duplicate key/i);
      // PostgreSQL lists stored ids in code-point order through an index.
      const indexdef = isPostgres
        ? (
            await knex.raw(
              `select indexdef from pg_indexes where indexname = 'records_provider_external_c_idx'`,
            )
          ).rows[0]?.indexdef
        : null;
      expect(/external_id COLLATE "C"/.test(indexdef ?? '')).toBe(isPostgres);

      await knex.migrate.down({ directory });
      expect((await pending())[0]).toBe(target);
      await expect(knex.schema.hasTable('record_tombstones')).resolves.toBe(
        false,
      );
      for (const column of ['last_deleted', 'last_failed_parts']) {
        await expect(knex.schema.hasColumn('sync_state', column)).resolves.toBe(
          false,
        );
      }
      const [kept] = await knex('sync_state').select('*');
      expect(kept).toMatchObject({ provider_id: 'sn:corp', cursor: 'c1' });
      expect(Number(kept.last_read)).toBe(7);
      expect(Number(kept.last_succeeded_at)).toBe(1767225600000);

      await knex.migrate.latest({ directory });
      await expect(knex.schema.hasTable('record_tombstones')).resolves.toBe(
        true,
      );
    });
  },
);

if (unsupported.length > 0) {
  describe.each(unsupported)('migrations on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
