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

import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import {
  batch,
  clearStoreTables,
  createStoreDatabase,
  P1,
  P2,
  rec,
  STORE_DATABASE_IDS,
} from '../../../__testUtils__/storeFixtures';
import { commitBatch } from './commitBatch';
import { getRecord } from './getRecords';
import { listRecords } from './listRecords';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: [...STORE_DATABASE_IDS] });
const unsupported = STORE_DATABASE_IDS.filter(id => !databases.supports(id));

describe.each(databases.eachSupportedId())('getRecords on %s', databaseId => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await createStoreDatabase(databases, databaseId);
  });

  afterEach(async () => {
    await clearStoreTables(knex);
  });

  describe('links', () => {
    it('resolves a link when its target arrives after the source', async () => {
      await commitBatch(
        knex,
        batch([rec('INC1', { causedByChange: 'CHG1', problemId: 'PRB1' })]),
      );
      let [incident] = (await listRecords(knex, { limit: 10 })).items;
      expect(incident.causedByChange).toEqual({
        externalId: 'CHG1',
        id: null,
        number: null,
        title: null,
      });

      // A record with that external id in another provider is not it.
      await commitBatch(knex, {
        ...batch([rec('CHG1', { kind: 'change', title: 'Elsewhere' })]),
        providerId: P2,
      });
      await commitBatch(
        knex,
        batch([
          rec('CHG1', {
            kind: 'change',
            number: 'CHG0001',
            title: 'Bad deploy',
            openedAt: '2025-12-31T00:00:00Z',
          }),
        ]),
      );
      const change = (
        await listRecords(knex, {
          limit: 10,
          providerIds: [P1],
          kinds: ['change'],
        })
      ).items[0];
      incident = (await getRecord(knex, { id: incident.id }))!;
      expect(incident.causedByChange).toEqual({
        externalId: 'CHG1',
        id: change.id,
        number: 'CHG0001',
        title: 'Bad deploy',
      });
      expect(incident.problem).toEqual({
        externalId: 'PRB1',
        id: null,
        number: null,
        title: null,
      });

      // A linked record the filter hides reads as not arrived.
      const hidden = await getRecord(knex, {
        id: incident.id,
        filter: {
          key: 'kind',
          values: ['incident'],
        },
      });
      expect(hidden?.causedByChange).toEqual({
        externalId: 'CHG1',
        id: null,
        number: null,
        title: null,
      });
    });
  });
});

if (unsupported.length > 0) {
  describe.each(unsupported)('getRecords on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}
