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
 * The ITSM plugin's schema. Every instant is a bigint of epoch milliseconds
 * (UTC), so metrics can do portable arithmetic on SQLite and PostgreSQL.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('records', table => {
    table.comment(
      'ITSM records (incidents, changes, problems, requests) of every provider',
    );
    table.string('id').primary().notNullable().comment('Our id (uuid)');
    table
      .text('provider_id')
      .notNullable()
      .comment('The provider that yielded the record');
    table
      .text('external_id')
      .notNullable()
      .comment("The source's id of the record");
    table
      .string('kind')
      .notNullable()
      .comment('incident, change, problem or request');
    table
      .string('department')
      .notNullable()
      .comment('The service desk that owns the record');
    table.text('number').nullable().comment('Human id, e.g. INC0012345');
    table.text('title').notNullable();
    table.text('url').nullable().comment('Deep link to the source');
    table.string('state').notNullable().comment('Normalised lifecycle state');
    table.integer('priority').nullable().comment('1 (highest) to 5');
    table.bigInteger('opened_at').notNullable();
    table.bigInteger('acknowledged_at').nullable();
    table.bigInteger('resolved_at').nullable();
    table.bigInteger('closed_at').nullable();
    table.bigInteger('impact_start').nullable();
    table.bigInteger('impact_end').nullable();
    table.string('change_type').nullable();
    table.bigInteger('planned_start').nullable();
    table.bigInteger('planned_end').nullable();
    table.bigInteger('actual_start').nullable();
    table.bigInteger('actual_end').nullable();
    table.string('outcome').nullable();
    table
      .text('caused_by_change')
      .nullable()
      .comment(
        'External id, in the same provider, of the change that caused this record',
      );
    table
      .text('problem_id')
      .nullable()
      .comment(
        'External id, in the same provider, of the problem of this record',
      );
    table.integer('reopen_count').notNullable().defaultTo(0);
    table.text('assignment_group').nullable();
    table.text('assignee').nullable();
    table
      .bigInteger('source_updated_at')
      .notNullable()
      .comment(
        "The source's last-modified instant: an older version never overwrites a newer one",
      );
    table.text('payload').nullable().comment('The raw source record (JSON)');
    table
      .string('content_hash')
      .notNullable()
      .comment(
        'Hash of the normalised record, to tell a re-read from a change',
      );
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();

    table.unique(['provider_id', 'external_id'], {
      indexName: 'records_provider_external_uniq',
    });
    table.index(['kind', 'opened_at'], 'records_kind_opened_at_idx');
    // With id, it serves the keyset pagination order (opened_at, id).
    table.index(['opened_at', 'id'], 'records_opened_at_id_idx');
    table.index(['department'], 'records_department_idx');
    table.index(
      ['provider_id', 'caused_by_change'],
      'records_provider_caused_by_change_idx',
    );
    table.index(['provider_id', 'problem_id'], 'records_provider_problem_idx');
    table.index(['resolved_at'], 'records_resolved_at_idx');
  });

  await knex.schema.createTable('record_entities', table => {
    table.comment('The catalog entities each record maps to');
    table.string('record_id').notNullable();
    table.text('entity_ref').notNullable();
    table
      .text('via')
      .notNullable()
      .comment('The annotation that matched, or provider');
    table
      .text('owner_ref')
      .nullable()
      .comment("The entity's owner, for owner-based permissions");
    table.primary(['record_id', 'entity_ref'], 'record_entities_pkey');
    table
      .foreign('record_id', 'record_entities_record_id_fk')
      .references('id')
      .inTable('records')
      .onDelete('CASCADE');
    table.index(['entity_ref'], 'record_entities_entity_ref_idx');
    table.index(['owner_ref'], 'record_entities_owner_ref_idx');
  });

  await knex.schema.createTable('record_mappings', table => {
    table.comment(
      'What the provider said maps each record: annotation values, and @entity-ref for refs it named',
    );
    table.string('record_id').notNullable();
    table.text('annotation').notNullable();
    table.text('value').notNullable();
    // The primary key also serves lookups by record_id.
    table.primary(['record_id', 'annotation', 'value'], 'record_mappings_pkey');
    table
      .foreign('record_id', 'record_mappings_record_id_fk')
      .references('id')
      .inTable('records')
      .onDelete('CASCADE');
    table.index(
      ['annotation', 'value'],
      'record_mappings_annotation_value_idx',
    );
  });

  await knex.schema.createTable('slas', table => {
    table.comment('SLAs of records, as the source reports them');
    table.increments('id');
    table.string('record_id').notNullable();
    table.text('name').notNullable();
    table.string('kind').notNullable().comment('response or resolution');
    table.integer('target_seconds').nullable();
    table.string('stage').notNullable();
    table.boolean('breached').notNullable();
    table.bigInteger('start_at').notNullable();
    table.bigInteger('end_at').nullable();
    table.bigInteger('breach_at').nullable();
    table.double('business_elapsed_seconds').nullable();
    table
      .foreign('record_id', 'slas_record_id_fk')
      .references('id')
      .inTable('records')
      .onDelete('CASCADE');
    table.index(['record_id'], 'slas_record_id_idx');
    table.index(['end_at'], 'slas_end_at_idx');
  });

  await knex.schema.createTable('feedback', table => {
    table.comment('CSAT, NPS and XLA survey answers');
    table.string('id').primary().notNullable().comment('Our id (uuid)');
    table.text('provider_id').notNullable();
    table.text('external_id').notNullable();
    table.text('record_external_id').nullable();
    table.text('entity_ref').nullable();
    table.string('scale').notNullable().comment('csat5 or nps10');
    table.integer('score').notNullable();
    table.bigInteger('responded_at').notNullable();
    table.text('comment').nullable();
    table.unique(['provider_id', 'external_id'], {
      indexName: 'feedback_provider_external_uniq',
    });
    table.index(['responded_at'], 'feedback_responded_at_idx');
  });

  await knex.schema.createTable('sync_state', table => {
    table.comment('Ingestion bookkeeping, one row per provider');
    table.text('provider_id').primary().notNullable();
    table.string('department').notNullable();
    table.text('kinds').notNullable().comment('JSON array of record kinds');
    table.text('cursor').nullable();
    table.bigInteger('last_started_at').nullable();
    table.bigInteger('last_succeeded_at').nullable();
    table.bigInteger('last_finished_at').nullable();
    table.text('last_error').nullable();
    table.integer('last_read').notNullable().defaultTo(0);
    table.integer('last_upserted').notNullable().defaultTo(0);
    table.integer('last_unchanged').notNullable().defaultTo(0);
    table.integer('last_dead_lettered').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('dead_letters', table => {
    table.comment(
      'Records and answers that failed validation, with the reason',
    );
    table.string('id').primary().notNullable().comment('Our id (uuid)');
    table.text('provider_id').notNullable();
    table.text('external_id').nullable();
    table.text('payload').notNullable();
    table.text('error').notNullable();
    table.bigInteger('at').notNullable();
    table.index(['provider_id', 'at'], 'dead_letters_provider_at_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('dead_letters');
  await knex.schema.dropTable('sync_state');
  await knex.schema.dropTable('feedback');
  await knex.schema.dropTable('slas');
  await knex.schema.dropTable('record_mappings');
  await knex.schema.dropTable('record_entities');
  await knex.schema.dropTable('records');
};
