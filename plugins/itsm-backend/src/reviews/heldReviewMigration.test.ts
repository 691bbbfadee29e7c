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
const TARGET = '20261203000000_heldReviewAmendments.js';

describe.each(databases.eachSupportedId())(
  `migration ${TARGET} on %s`,
  databaseId => {
    it('adds the amendment history beside held reviews, and takes it away again', async () => {
      const knex = await databases.init(databaseId);
      const pending = async (): Promise<string[]> => {
        const [, rest] = await knex.migrate.list({ directory });
        return rest.map((m: { file: string }) => m.file);
      };
      while ((await pending())[0] !== TARGET) {
        await knex.migrate.up({ directory });
      }
      const review = {
        id: 'rev-1',
        entity_ref: 'component:default/payments-api',
        period_from: 1767225600000,
        period_to: 1769904000000,
        label: '2026-01',
        held_by: 'user:default/priya',
        held_at: 1770000000000,
        decisions: 'Canary first',
        snapshot: '{}',
      };
      await knex('service_reviews').insert(review);

      await knex.migrate.up({ directory });
      expect((await pending())[0]).not.toBe(TARGET);
      const amendment = {
        review_id: 'rev-1',
        at: 1770000000001,
        actor: 'user:default/nadia',
        decisions_before: 'Canary first',
        decisions_after: 'Canary always',
      };
      await knex('service_review_amendments').insert([
        amendment,
        { ...amendment, decisions_before: 'Canary always' },
      ]);
      const rows = await knex('service_review_amendments').orderBy('seq');
      expect(rows.map(r => r.decisions_before)).toEqual([
        'Canary first',
        'Canary always',
      ]);
      expect(Number(rows[1].seq)).toBeGreaterThan(Number(rows[0].seq));
      // An amendment belongs to a held review.
      const orphan = await knex('service_review_amendments')
        .insert({ ...amendment, review_id: 'no-such-review' })
        .then(
          () => undefined,
          (error: Error) => error,
        );
      expect(String(orphan?.message)).toMatch(/foreign key/i);

      await knex.migrate.down({ directory });
      expect((await pending())[0]).toBe(TARGET);
      await expect(
        knex.schema.hasTable('service_review_amendments'),
      ).resolves.toBe(false);
      const [kept] = await knex('service_reviews').select('*');
      expect(kept).toMatchObject({ id: 'rev-1', decisions: 'Canary first' });

      await knex.migrate.latest({ directory });
      await expect(
        knex.schema.hasTable('service_review_amendments'),
      ).resolves.toBe(true);
    });
  },
);

if (unsupported.length > 0) {
  describe.each(unsupported)(`migration ${TARGET} on %s`, () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
