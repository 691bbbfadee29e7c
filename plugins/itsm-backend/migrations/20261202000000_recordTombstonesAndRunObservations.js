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

// @ts-check

/*
 * Deleted at the source, deleted here, and what a sync run went through.
 *
 * - record_tombstones: a record its source deleted moves here from records
 *   (its slas, mappings and entities are deleted), so no read and no metric
 *   ever sees it, and an older version read again later cannot bring it back.
 * - sync_state gains the last run's deletions, HTTP requests, retries, time
 *   spent waiting, last retry message, and the parts of the source that
 *   failed for good (JSON array of { part, error }).
 * - On PostgreSQL, (provider_id, external_id collate "C") serves the listing
 *   of stored external ids in code-point order whatever the database's
 *   collation (SQLite compares in code-point order already).
 */

const SYNC_STATE_COLUMNS = [
  'last_deleted',
  'last_requests',
  'last_retries',
  'last_wait_ms',
  'last_retry_message',
  'last_failed_parts',
];

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('record_tombstones', table => {
    table.comment(
      'Records deleted at their source: kept for audit, never read as records',
    );
    table.text('provider_id').notNullable();
    table.text('external_id').notNullable();
    table
      .string('record_id')
      .nullable()
      .comment('Our former id of the record; null when it was never stored');
    table.string('kind').nullable();
    table.string('department').notNullable();
    table.text('number').nullable();
    table.text('title').nullable();
    table
      .bigInteger('deleted_at')
      .notNullable()
      .comment(
        'When the source deleted it, or when that was noticed: versions not newer stay deleted',
      );
    table
      .bigInteger('detected_at')
      .notNullable()
      .comment('When the deletion was first recorded here');
    table
      .string('reason')
      .notNullable()
      .comment('audit, reconciliation or export');
    table
      .text('payload')
      .nullable()
      .comment(
        'JSON of the stored record with its SLAs, mappings and entities',
      );
    table.primary(['provider_id', 'external_id'], 'record_tombstones_pkey');
  });

  await knex.schema.alterTable('sync_state', table => {
    table.integer('last_deleted').notNullable().defaultTo(0);
    table.integer('last_requests').notNullable().defaultTo(0);
    table.integer('last_retries').notNullable().defaultTo(0);
    table.bigInteger('last_wait_ms').notNullable().defaultTo(0);
    table.text('last_retry_message').nullable();
    table
      .text('last_failed_parts')
      .notNullable()
      .defaultTo('[]')
      .comment('JSON array of { part, error } of the last run');
  });

  if (knex.client.config.client === 'pg') {
    await knex.raw(
      'create index records_provider_external_c_idx on records (provider_id, external_id collate "C")',
    );
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  if (knex.client.config.client === 'pg') {
    await knex.raw('drop index records_provider_external_c_idx');
  }
  await knex.schema.alterTable('sync_state', table => {
    table.dropColumns(...SYNC_STATE_COLUMNS);
  });
  await knex.schema.dropTable('record_tombstones');
};
