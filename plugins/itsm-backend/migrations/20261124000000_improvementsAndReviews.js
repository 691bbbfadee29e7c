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
 * The continual-improvement register (DESIGN.md section 8) and held service
 * reviews. Instants are bigint epoch milliseconds like the rest of the
 * schema; due dates are calendar dates (YYYY-MM-DD) because a due date is a
 * day agreed between people, not an instant.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('improvements', table => {
    table.comment('Continual-improvement items');
    table.string('id').primary().notNullable().comment('Our id (uuid)');
    table.text('title').notNullable();
    table.text('description').notNullable().defaultTo('');
    table
      .string('owner_ref', 255)
      .notNullable()
      .comment('Group or user entity ref');
    table
      .string('department', 64)
      .notNullable()
      .comment('Service desk; confidential ones are sealed like records');
    table.string('status', 32).notNullable();
    table.string('priority', 16).notNullable();
    table.string('due_date', 10).nullable().comment('YYYY-MM-DD');
    table.string('metric_id', 255).nullable();
    table.string('metric_entity_ref', 255).nullable();
    table.double('metric_target').nullable();
    table.string('metric_direction', 32).nullable();
    table.integer('metric_window_days').nullable();
    table.integer('metric_sustain_weeks').nullable();
    table.double('baseline').nullable().comment('Captured on approval');
    table.integer('baseline_n').nullable();
    table.bigInteger('baseline_captured_at').nullable();
    table
      .text('record_ids')
      .notNullable()
      .defaultTo('[]')
      .comment('JSON array of the ids of the motivating records');
    table.bigInteger('created_at').notNullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('updated_at').notNullable();
    table.string('updated_by', 255).notNullable();
    table.bigInteger('completed_at').nullable();
    table.index(['status'], 'improvements_status_idx');
    table.index(['owner_ref'], 'improvements_owner_ref_idx');
    table.index(['due_date'], 'improvements_due_date_idx');
  });

  await knex.schema.createTable('improvement_entities', table => {
    table.comment('The catalog entities an improvement is about');
    table
      .string('improvement_id')
      .notNullable()
      .references('id')
      .inTable('improvements')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table.primary(['improvement_id', 'entity_ref']);
    table.index(['entity_ref'], 'improvement_entities_entity_ref_idx');
  });

  await knex.schema.createTable('improvement_events', table => {
    table.comment('The history of every improvement: who changed what, when');
    table
      .bigIncrements('seq')
      .primary()
      .comment('Insertion order: events of one change share their instant');
    table.string('id').notNullable().unique();
    table
      .string('improvement_id')
      .notNullable()
      .references('id')
      .inTable('improvements')
      .onDelete('CASCADE');
    table.bigInteger('at').notNullable();
    table.string('actor', 255).notNullable();
    table.string('type', 32).notNullable();
    table
      .text('changes')
      .notNullable()
      .defaultTo('{}')
      .comment('JSON: field to {from, to}');
    table.text('comment').nullable();
    table.index(['improvement_id', 'seq'], 'improvement_events_item_seq_idx');
  });

  await knex.schema.createTable('service_reviews', table => {
    table.comment('Service reviews that were held: frozen snapshots');
    table.string('id').primary().notNullable();
    table.string('entity_ref', 255).notNullable();
    table.bigInteger('period_from').notNullable();
    table.bigInteger('period_to').notNullable();
    table.string('label', 64).notNullable();
    table.string('held_by', 255).notNullable();
    table.bigInteger('held_at').notNullable();
    table.text('decisions').notNullable().defaultTo('');
    table
      .text('snapshot')
      .notNullable()
      .comment('JSON of the review as generated when held');
    table.unique(['entity_ref', 'period_from', 'period_to'], {
      indexName: 'service_reviews_entity_period_uq',
    });
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('service_reviews');
  await knex.schema.dropTable('improvement_events');
  await knex.schema.dropTable('improvement_entities');
  await knex.schema.dropTable('improvements');
};
