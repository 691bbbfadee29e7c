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
import type { Request } from 'express';
import { parseEntityRefInput } from '../validation';
import type { EndpointContext } from './types';

/** Normalises entity refs and checks they exist in the catalog (404 otherwise). */
export async function checkEntities(
  { httpAuth, catalog }: Pick<EndpointContext, 'httpAuth' | 'catalog'>,
  req: Request,
  refs: string[],
): Promise<string[]> {
  const normalised = refs.map(ref => parseEntityRefInput(ref, 'entityRef'));
  const credentials = await httpAuth.credentials(req);
  const { items } = await catalog.getEntitiesByRefs(
    {
      entityRefs: normalised,
      fields: ['kind', 'metadata.name', 'metadata.namespace'],
    },
    { credentials },
  );
  const missing = normalised.filter((_, i) => !items[i]);
  if (missing.length > 0) {
    throw new NotFoundError(
      `No entity found with ref ${missing.map(r => `'${r}'`).join(', ')}`,
    );
  }
  return normalised;
}
