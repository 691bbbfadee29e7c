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

import { itsmRecordsQuerySchema } from '@backstage-itsm/plugin-itsm-common';
import type { Router } from 'express';
import { bindItsmRoute, parseItsmQuery } from '../itsmRoute';
import { checkEntities } from './checkEntities';
import type { EndpointContext } from './types';

/** `GET /records`: a page of the records the caller may read. */
export function bindListRecords(
  router: Router,
  context: EndpointContext,
): void {
  const { store, authorizer } = context;
  bindItsmRoute(router, 'get', '/records', async (req, res) => {
    const query = parseItsmQuery(itsmRecordsQuerySchema, req);
    const filter = await authorizer.recordReadFilter(
      await authorizer.credentials(req),
    );
    const entityRefs = query.entityRef
      ? await checkEntities(context, req, query.entityRef)
      : undefined;
    const page = await store.listRecords({
      entityRefs,
      kinds: query.kind,
      states: query.state,
      priorities: query.priority,
      providerIds: query.providerId,
      from: query.from,
      to: query.to,
      q: query.q,
      limit: query.limit,
      cursor: query.cursor,
      order: query.order,
      filter,
    });
    res.json(page);
  });
}
