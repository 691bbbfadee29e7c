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
import {
  ITSM_IMPROVEMENT_PRIORITIES,
  ITSM_IMPROVEMENT_STATUSES,
} from '../improvements';
import {
  itsmCalendarDateSchema,
  itsmEntityRefSchema,
  itsmListParamSchema,
} from './params';

/**
 * The most improvements one page lists (`limit`).
 * @public
 */
export const ITSM_MAX_IMPROVEMENTS_PAGE = 100;

/**
 * The metric an improvement is measured by (`metric` of a create or update).
 * @public
 */
export const itsmImprovementMetricInputSchema = z
  .object({
    metricId: z.string().min(1, 'name a metric'),
    entityRef: itsmEntityRefSchema().optional(),
    target: z.number().finite('must be a finite number'),
    windowDays: z.number().int().min(1).max(365).default(30),
    sustainWeeks: z.number().int().min(1).max(26).default(4),
  })
  .strict();

/** @public */
export type ItsmImprovementMetricInput = z.output<
  typeof itsmImprovementMetricInputSchema
>;

const fields = {
  title: z.string().trim().min(1, 'title is required').max(300),
  description: z.string().max(20_000),
  entityRefs: z
    .array(itsmEntityRefSchema())
    .min(1, 'name at least one entity')
    .max(50),
  ownerRef: z
    .string()
    .trim()
    .min(1, 'name an owner group or user')
    .pipe(itsmEntityRefSchema({ defaultKind: 'group' })),
  priority: z.enum(ITSM_IMPROVEMENT_PRIORITIES),
  dueDate: itsmCalendarDateSchema.nullable(),
  recordIds: z.array(z.string().min(1)).max(100),
  metric: itsmImprovementMetricInputSchema.nullable(),
  comment: z.string().trim().min(1).max(5_000),
};

/**
 * The body of `POST /improvements`.
 * @public
 */
export const itsmImprovementCreateSchema = z
  .object({
    title: fields.title,
    description: fields.description.default(''),
    entityRefs: fields.entityRefs,
    ownerRef: fields.ownerRef,
    priority: fields.priority.default('medium'),
    dueDate: fields.dueDate.default(null),
    recordIds: fields.recordIds.default([]),
    department: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'must be a lower-case department id')
      .optional(),
    metric: fields.metric.default(null),
    comment: fields.comment.optional(),
  })
  .strict();

/** @public */
export type ItsmImprovementCreateInput = z.output<
  typeof itsmImprovementCreateSchema
>;

/**
 * The body of `PATCH /improvements/{id}`: at least one field or a comment.
 * @public
 */
export const itsmImprovementUpdateSchema = z
  .object({
    title: fields.title.optional(),
    description: fields.description.optional(),
    entityRefs: fields.entityRefs.optional(),
    ownerRef: fields.ownerRef.optional(),
    priority: fields.priority.optional(),
    dueDate: fields.dueDate.optional(),
    recordIds: fields.recordIds.optional(),
    status: z.enum(ITSM_IMPROVEMENT_STATUSES).optional(),
    metric: fields.metric.optional(),
    comment: fields.comment.optional(),
  })
  .strict()
  .refine(body => Object.keys(body).length > 0, {
    message: 'change at least one field or add a comment',
  });

/** @public */
export type ItsmImprovementUpdateInput = z.output<
  typeof itsmImprovementUpdateSchema
>;

/**
 * The query of `GET /improvements`.
 * @public
 */
export const itsmImprovementsQuerySchema = z
  .object({
    entityRef: itsmEntityRefSchema().optional(),
    ownedBy: itsmEntityRefSchema({ defaultKind: 'group' })
      .refine(ref => /^(group|user):/.test(ref), {
        message: 'must name a group or a user',
      })
      .optional(),
    ownerRef: itsmListParamSchema
      .pipe(z.array(itsmEntityRefSchema({ defaultKind: 'group' })))
      .optional(),
    status: itsmListParamSchema
      .pipe(z.array(z.enum(ITSM_IMPROVEMENT_STATUSES)))
      .optional(),
    department: z.string().min(1).max(64).optional(),
    overdue: z.enum(['true', 'false']).optional(),
    q: z.string().max(200).optional(),
    sort: z
      .enum(['dueDate', 'priority', 'updatedAt', 'createdAt', 'title'])
      .optional(),
    order: z.enum(['asc', 'desc']).optional(),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(ITSM_MAX_IMPROVEMENTS_PAGE)
      .default(ITSM_MAX_IMPROVEMENTS_PAGE),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();
