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

import { itsmOwnershipQuerySchema } from '@backstage-itsm/plugin-itsm-common';
import type { Router } from 'express';
import type { OwnershipService } from '../../ownership/OwnershipService';
import { bindItsmRoute, parseItsmQuery } from '../itsmRoute';
import { checkEntities } from './checkEntities';
import type { EndpointContext } from './types';

/** `GET /ownership?entityRef=`: who owns an entity and how to reach them. */
export function bindGetOwnership(
  router: Router,
  context: EndpointContext & { ownership: OwnershipService },
): void {
  const { httpAuth, ownership } = context;
  bindItsmRoute(router, 'get', '/ownership', async (req, res) => {
    const { entityRef } = parseItsmQuery(itsmOwnershipQuerySchema, req);
    const [ref] = await checkEntities(context, req, [entityRef]);
    const credentials = await httpAuth.credentials(req);
    res.json(await ownership.getOwnership(ref, credentials));
  });
}
