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
 * Indexes for the outcome metrics. Every metric query starts from the
 * records of an entity set (`record_entities.entity_ref`), so its cost grows
 * with the entity's records, not the table:
 * - record_entities (entity_ref, record_id): the entity's record ids from
 *   the index alone (no heap visit);
 * - feedback (entity_ref, responded_at) and (provider_id,
 *   record_external_id): survey answers about an entity, or about one of its
 *   records;
 * - records (kind, coalesce(resolved_at, closed_at)) and (kind,
 *   coalesce(actual_end, closed_at)): the instants MTTR, reopen rate and
 *   fulfilment time (resp. the change metrics) select on. They give the
 *   planners statistics on those expressions and a range scan for large
 *   rollups, where the window is narrower than the entity set.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('record_entities', table => {
    table.index(
      ['entity_ref', 'record_id'],
      'record_entities_entity_ref_record_idx',
    );
  });
  await knex.schema.alterTable('feedback', table => {
    table.index(['entity_ref', 'responded_at'], 'feedback_entity_ref_idx');
    table.index(
      ['provider_id', 'record_external_id'],
      'feedback_provider_record_idx',
    );
  });
  await knex.raw(
    'create index records_kind_resolved_end_idx on records (kind, (coalesce(resolved_at, closed_at)))',
  );
  await knex.raw(
    'create index records_kind_change_end_idx on records (kind, (coalesce(actual_end, closed_at)))',
  );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.raw('drop index records_kind_change_end_idx');
  await knex.raw('drop index records_kind_resolved_end_idx');
  await knex.schema.alterTable('feedback', table => {
    table.dropIndex([], 'feedback_provider_record_idx');
    table.dropIndex([], 'feedback_entity_ref_idx');
  });
  await knex.schema.alterTable('record_entities', table => {
    table.dropIndex([], 'record_entities_entity_ref_record_idx');
  });
};
