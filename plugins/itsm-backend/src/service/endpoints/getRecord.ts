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

import { NotFoundError } from '@backstage/errors';
import type { Router } from 'express';
import { bindItsmRoute } from '../itsmRoute';
import type { EndpointContext } from './types';

/** `GET /records/{id}`: one record with its links, if the caller may read it. */
export function bindGetRecord(
  router: Router,
  { store, authorizer }: EndpointContext,
): void {
  bindItsmRoute(router, 'get', '/records/{id}', async (req, res) => {
    const filter = await authorizer.recordReadFilter(
      await authorizer.credentials(req),
    );
    const record = await store.getRecord(req.params.id, filter);
    if (!record) {
      throw new NotFoundError(
        `No ITSM record found with id '${req.params.id}'`,
      );
    }
    res.json(record);
  });
}
