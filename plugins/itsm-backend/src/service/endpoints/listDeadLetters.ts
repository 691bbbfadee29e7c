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

import { NotAllowedError } from '@backstage/errors';
import { itsmDeadLettersQuerySchema } from '@backstage-itsm/plugin-itsm-common';
import type { Router } from 'express';
import { bindItsmRoute, parseItsmQuery } from '../itsmRoute';
import { requireSyncRead } from './requireSyncRead';
import type { EndpointContext } from './types';

/** `GET /sync/{providerId}/dead-letters`: the items a provider could not store. */
export function bindListDeadLetters(
  router: Router,
  { store, engine, authorizer }: EndpointContext,
): void {
  bindItsmRoute(
    router,
    'get',
    '/sync/{providerId}/dead-letters',
    async (req, res) => {
      await requireSyncRead(authorizer, req);
      engine.getProvider(req.params.providerId);
      const { limit } = parseItsmQuery(itsmDeadLettersQuerySchema, req);
      // Dead letters hold raw source payloads: only those who may read every record see them.
      const filter = await authorizer.recordReadFilter(
        await authorizer.credentials(req),
      );
      if (filter) {
        throw new NotAllowedError(
          'Reading dead letters needs unconditional itsm.record.read',
        );
      }
      res.json({
        items: await store.listDeadLetters({
          providerId: req.params.providerId,
          limit,
        }),
      });
    },
  );
}
