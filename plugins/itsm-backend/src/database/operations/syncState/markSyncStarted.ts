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
import type { SyncRunProvider } from '../../ItsmStore';
import { TABLE_SYNC_STATE } from '../../tables';

/** Notes that a provider's run started, with what the provider reads. */
export async function markSyncStarted(
  knex: Knex,
  provider: SyncRunProvider,
): Promise<void> {
  await knex(TABLE_SYNC_STATE)
    .insert({
      provider_id: provider.providerId,
      department: provider.department,
      kinds: JSON.stringify(provider.kinds),
      last_started_at: Date.now(),
    })
    .onConflict('provider_id')
    .merge(['department', 'kinds', 'last_started_at']);
}
