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

import { z } from 'zod';
import { ITSM_RECORD_KINDS, ITSM_RECORD_STATES } from '../records';
import { itsmInstantParamSchema, itsmListParamSchema } from './params';

/**
 * The query of `GET /records`.
 * @public
 */
export const itsmRecordsQuerySchema = z
  .object({
    entityRef: itsmListParamSchema.optional(),
    kind: itsmListParamSchema
      .pipe(z.array(z.enum(ITSM_RECORD_KINDS)))
      .optional(),
    state: itsmListParamSchema
      .pipe(z.array(z.enum(ITSM_RECORD_STATES)))
      .optional(),
    priority: itsmListParamSchema
      .pipe(
        z.array(
          z
            .string()
            .regex(/^[1-5]$/, 'priority must be 1 to 5')
            .transform(Number),
        ),
      )
      .optional(),
    providerId: itsmListParamSchema.optional(),
    from: itsmInstantParamSchema.optional(),
    to: itsmInstantParamSchema.optional(),
    q: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(2000).default(50),
    cursor: z.string().max(1000).optional(),
    order: z.enum(['asc', 'desc']).default('desc'),
  })
  .strict()
  .refine(q => q.from === undefined || q.to === undefined || q.from < q.to, {
    path: ['from'],
    message: 'from must be before to',
  });

/**
 * The query of `GET /sync/{providerId}/dead-letters`.
 * @public
 */
export const itsmDeadLettersQuerySchema = z
  .object({ limit: z.coerce.number().int().min(1).max(500).default(100) })
  .strict();

/**
 * The query of `GET /ownership`.
 * @public
 */
export const itsmOwnershipQuerySchema = z
  .object({ entityRef: z.string().min(1, 'entityRef is required') })
  .strict();
