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
import { itsmEntityRefSchema, itsmInstantParamSchema } from './params';

/**
 * The longest decisions of a held review, in characters.
 * @public
 */
export const ITSM_MAX_REVIEW_DECISIONS_LENGTH = 50_000;

/**
 * The query of `GET /reviews`: an entity and a period (`period`, or
 * `from` and `to`).
 * @public
 */
export const itsmReviewQuerySchema = z
  .object({
    entityRef: itsmEntityRefSchema(),
    period: z.string().min(1).optional(),
    from: itsmInstantParamSchema.optional(),
    to: itsmInstantParamSchema.optional(),
    format: z.enum(['json', 'markdown']).default('json'),
  })
  .strict();

const decisions = z.string().max(ITSM_MAX_REVIEW_DECISIONS_LENGTH);

/**
 * The body of `POST /reviews` (hold a review).
 * @public
 */
export const itsmReviewHoldSchema = z
  .object({
    entityRef: itsmEntityRefSchema(),
    period: z.string().min(1).optional(),
    // Refused with a message of their own: a hold names a period.
    from: z.unknown().optional(),
    to: z.unknown().optional(),
    decisions: decisions.default(''),
  })
  .strict();

/**
 * The body of `PATCH /reviews/held/{id}` (amend the decisions).
 * @public
 */
export const itsmReviewAmendSchema = z.object({ decisions }).strict();
