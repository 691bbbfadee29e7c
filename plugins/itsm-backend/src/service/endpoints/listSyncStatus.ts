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

import type { Router } from 'express';
import { bindItsmRoute } from '../itsmRoute';
import { neverRunSyncStatus } from '../../database/syncStatus';
import { requireSyncRead } from './requireSyncRead';
import type { EndpointContext } from './types';

/** `GET /sync`: the sync status of every provider, never-run ones included. */
export function bindListSyncStatus(
  router: Router,
  { store, engine, authorizer }: EndpointContext,
): void {
  bindItsmRoute(router, 'get', '/sync', async (req, res) => {
    await requireSyncRead(authorizer, req);
    const statuses = await store.listSyncStatus();
    const byId = new Map(statuses.map(s => [s.providerId, s]));
    const items = engine.providers.map(
      p => byId.get(p.id) ?? neverRunSyncStatus(p),
    );
    res.json({ items });
  });
}
