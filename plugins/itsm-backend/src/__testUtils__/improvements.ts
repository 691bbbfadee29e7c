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
import type { StoredImprovement } from '../improvements/ImprovementStore';
import type { HeldReview } from '../reviews/ReviewStore';

let sequence = 0;

/** A stored improvement, proposed and about payments-api; override any field. */
export function storedImprovement(
  overrides: Partial<StoredImprovement> = {},
): StoredImprovement {
  sequence++;
  return {
    id: `imp-${sequence}`,
    title: `Fewer payment timeouts (${sequence})`,
    description: 'Retry the acquirer with backoff',
    entityRefs: ['component:default/payments-api'],
    ownerRef: 'group:default/payments',
    department: 'it',
    status: 'proposed',
    priority: 'medium',
    dueDate: '2026-06-30',
    recordIds: [],
    metric: null,
    createdAt: '2026-03-01T10:00:00.000Z',
    createdBy: 'user:default/priya',
    updatedAt: '2026-03-01T10:00:00.000Z',
    updatedBy: 'user:default/priya',
    completedAt: null,
    ...overrides,
  };
}

/** A review of payments-api held for 2026-01; override any field. */
export function heldReview(overrides: Partial<HeldReview> = {}): HeldReview {
  sequence++;
  return {
    id: `rev-${sequence}`,
    entityRef: 'component:default/payments-api',
    from: Date.parse('2026-01-01T00:00:00Z'),
    to: Date.parse('2026-02-01T00:00:00Z'),
    label: '2026-01',
    heldBy: 'user:default/priya',
    heldAt: Date.parse('2026-02-03T09:00:00Z'),
    decisions: 'Canary first',
    snapshot: { entityRef: 'component:default/payments-api' } as any,
    ...overrides,
  };
}

/** The external ids of stored records, in the order of `ids`. */
export async function externalIdsOf(
  knex: Knex,
  ids: string[],
): Promise<string[]> {
  const rows: Array<{ id: string; external_id: string }> = await knex('records')
    .whereIn('id', ids)
    .select('id', 'external_id');
  const byId = new Map(rows.map(r => [r.id, r.external_id]));
  return ids.map(id => byId.get(id) ?? id);
}

/** The stored id of a record by its external id. */
export async function recordIdOf(
  knex: Knex,
  externalId: string,
): Promise<string> {
  const row = await knex('records')
    .where({ external_id: externalId })
    .first('id');
  return row.id;
}
