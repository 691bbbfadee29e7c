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

import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  ItsmRecord,
  RESOURCE_TYPE_ITSM_RECORD,
} from '@backstage-itsm/plugin-itsm-common';
import { z } from 'zod';
import type { RecordCriterion } from '../database/ItsmStore';

/**
 * ITSM records as a permission resource; conditions become SQL filters.
 * @public
 */
export const itsmRecordPermissionResourceRef = createPermissionResourceRef<
  ItsmRecord,
  RecordCriterion
>().with({ pluginId: 'itsm', resourceType: RESOURCE_TYPE_ITSM_RECORD });

const isInDepartment = createPermissionRule({
  name: 'IS_IN_DEPARTMENT',
  description:
    'Allow records of the given service desks (it, hr, facilities, ...)',
  resourceRef: itsmRecordPermissionResourceRef,
  paramsSchema: z.object({
    departments: z
      .array(z.string())
      .describe('Departments the record may belong to'),
  }),
  apply: (record, { departments }) => departments.includes(record.department),
  toQuery: ({ departments }) => ({ key: 'department', values: departments }),
});

const isEntityOwner = createPermissionRule({
  name: 'IS_ENTITY_OWNER',
  description:
    'Allow records mapped to a catalog entity owned by one of the given refs (typically the user ownership refs)',
  resourceRef: itsmRecordPermissionResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Entity refs of owners, e.g. group:default/hr-operations'),
  }),
  apply: (record, { claims }) =>
    (record.ownerRefs ?? []).some(owner => claims.includes(owner)),
  toQuery: ({ claims }) => ({ key: 'owner', values: claims }),
});

const isOfKind = createPermissionRule({
  name: 'IS_OF_KIND',
  description:
    'Allow records of the given kinds (incident, change, problem, request)',
  resourceRef: itsmRecordPermissionResourceRef,
  paramsSchema: z.object({
    kinds: z.array(z.string()).describe('Record kinds'),
  }),
  apply: (record, { kinds }) => kinds.includes(record.kind),
  toQuery: ({ kinds }) => ({ key: 'kind', values: kinds }),
});

/** @public */
export const itsmRecordPermissionRules = {
  isInDepartment,
  isEntityOwner,
  isOfKind,
};

const { conditions, createConditionalDecision } = createConditionExports({
  resourceRef: itsmRecordPermissionResourceRef,
  rules: itsmRecordPermissionRules,
});

/**
 * Conditions for a permission policy, e.g.
 * `itsmRecordConditions.isInDepartment({ departments: ['it'] })`.
 * @public
 */
export const itsmRecordConditions = conditions;

/** @public */
export const createItsmRecordConditionalDecision = createConditionalDecision;
