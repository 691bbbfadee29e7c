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

import { InputError } from '@backstage/errors';
import {
  ITSM_IMPROVEMENT_PRIORITIES,
  ITSM_IMPROVEMENT_STATUSES,
} from '@backstage-itsm/plugin-itsm-common';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { entityRefParam, listParam } from '../service/validation';

/** A 400 naming the field at fault, like the schema errors. */
export function invalidField(field: string, message: string): InputError {
  return new InputError(`Invalid body: ${field}: ${message}`);
}

const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(v => DateTime.fromISO(v, { zone: 'utc' }).isValid, {
    message: 'is not a calendar date',
  });

const metricBinding = z
  .object({
    metricId: z.string().min(1, 'name a metric'),
    entityRef: entityRefParam().optional(),
    target: z.number().finite('must be a finite number'),
    windowDays: z.number().int().min(1).max(365).default(30),
    sustainWeeks: z.number().int().min(1).max(26).default(4),
  })
  .strict();

export type MetricBindingInput = z.output<typeof metricBinding>;

const fields = {
  title: z.string().trim().min(1, 'title is required').max(300),
  description: z.string().max(20_000),
  entityRefs: z
    .array(entityRefParam())
    .min(1, 'name at least one entity')
    .max(50),
  ownerRef: z
    .string()
    .trim()
    .min(1, 'name an owner group or user')
    .pipe(entityRefParam({ defaultKind: 'group' })),
  priority: z.enum(ITSM_IMPROVEMENT_PRIORITIES),
  dueDate: calendarDate.nullable(),
  recordIds: z.array(z.string().min(1)).max(100),
  metric: metricBinding.nullable(),
  comment: z.string().trim().min(1).max(5_000),
};

export const createImprovementSchema = z
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

export type CreateImprovementInput = z.output<typeof createImprovementSchema>;

export const updateImprovementSchema = z
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

export type UpdateImprovementInput = z.output<typeof updateImprovementSchema>;

/** Largest page of `GET /improvements`: each item may need its progress measured. */
export const MAX_IMPROVEMENTS_PAGE = 100;

/**
 * Most metric measurements one request makes for progress (a bound item
 * takes two: its current window and its weekly series; items sharing a
 * measure share them). Items beyond are answered `not_measured`.
 */
export const MAX_PROGRESS_MEASUREMENTS = 60;

export const listImprovementsSchema = z
  .object({
    entityRef: entityRefParam().optional(),
    ownedBy: entityRefParam({ defaultKind: 'group' })
      .refine(ref => /^(group|user):/.test(ref), {
        message: 'must name a group or a user',
      })
      .optional(),
    ownerRef: listParam
      .pipe(z.array(entityRefParam({ defaultKind: 'group' })))
      .optional(),
    status: listParam
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
      .max(MAX_IMPROVEMENTS_PAGE)
      .default(MAX_IMPROVEMENTS_PAGE),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();
