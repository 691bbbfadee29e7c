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

import { entity, rec } from '../../../__testUtils__/storeFixtures';
import { prepareRecord } from './prepareRecord';

const input = { providerId: 'sn:corp', department: 'it' };

describe('prepareRecord', () => {
  it('turns a record into rows with instants in epoch milliseconds', () => {
    const prepared = prepareRecord(
      input,
      rec('a', { entityRefs: ['component:default/x'] }, [
        entity('component:default/a'),
        entity('component:default/a', 'group:default/dup'),
      ]),
      42,
    );
    expect(prepared.row).toMatchObject({
      provider_id: 'sn:corp',
      external_id: 'a',
      department: 'it',
      opened_at: Date.parse('2026-01-01T00:00:00Z'),
      source_updated_at: Date.parse('2026-01-01T01:00:00Z'),
      payload: JSON.stringify({ sys_id: 'a' }),
      created_at: 42,
      updated_at: 42,
    });
    expect(prepared.mappings).toEqual([
      { annotation: '@entity-ref', value: 'component:default/x' },
    ]);
    // One row per entity ref: the first one wins.
    expect(prepared.entities).toEqual([
      {
        entity_ref: 'component:default/a',
        via: 'servicenow.com/ci-sysid',
        owner_ref: null,
      },
    ]);
  });

  it('hashes the content only: same content, same hash', () => {
    const first = prepareRecord(input, rec('a'), 1);
    const again = prepareRecord(input, rec('a'), 2);
    const changed = prepareRecord(input, rec('a', { title: 'Other' }), 1);
    expect(again.row.id).not.toBe(first.row.id);
    expect(again.row.content_hash).toBe(first.row.content_hash);
    expect(changed.row.content_hash).not.toBe(first.row.content_hash);
  });
});
