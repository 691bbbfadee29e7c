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
 * The decisions of a held service review can be amended: each change is
 * kept (who, when, the decisions before and after). Releasing a held review
 * deletes it with its amendments, so the period can be held again; the
 * auditor keeps the trail of releases.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('service_review_amendments', table => {
    table.comment('Every change of the decisions of a held service review');
    table
      .bigIncrements('seq')
      .primary()
      .comment('Insertion order: amendments in the same millisecond keep it');
    table
      .string('review_id')
      .notNullable()
      .references('id')
      .inTable('service_reviews')
      .onDelete('CASCADE');
    table.bigInteger('at').notNullable();
    table.string('actor', 255).notNullable();
    table.text('decisions_before').notNullable();
    table.text('decisions_after').notNullable();
    table.index(['review_id', 'seq'], 'service_review_amendments_review_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('service_review_amendments');
};
