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
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  ItsmImprovement,
  RESOURCE_TYPE_ITSM_IMPROVEMENT,
} from '@backstage-itsm/plugin-itsm-common';
import { z } from 'zod';

/** A criterion of an improvement filter; permission conditions turn into these. */
export type ImprovementCriterion =
  | { key: 'department'; values: string[] }
  /** The improvement's owner (group or user ref) is one of `values`. */
  | { key: 'owner'; values: string[] };

export type ImprovementFilter = PermissionCriteria<ImprovementCriterion>;

/**
 * Continual-improvement items as a permission resource; conditions become
 * SQL filters on the improvements table.
 * @public
 */
export const itsmImprovementPermissionResourceRef = createPermissionResourceRef<
  ItsmImprovement,
  ImprovementCriterion
>().with({
  pluginId: 'itsm',
  resourceType: RESOURCE_TYPE_ITSM_IMPROVEMENT,
});

const isInDepartment = createPermissionRule({
  name: 'IS_IN_DEPARTMENT',
  description:
    'Allow improvements of the given service desks (it, hr, facilities, ...)',
  resourceRef: itsmImprovementPermissionResourceRef,
  paramsSchema: z.object({
    departments: z
      .array(z.string())
      .describe('Departments the improvement may belong to'),
  }),
  apply: (item, { departments }) => departments.includes(item.department),
  toQuery: ({ departments }) => ({ key: 'department', values: departments }),
});

const isOwner = createPermissionRule({
  name: 'IS_OWNER',
  description:
    'Allow improvements owned by one of the given refs (typically the user ownership refs)',
  resourceRef: itsmImprovementPermissionResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Entity refs of owners, e.g. group:default/payments'),
  }),
  apply: (item, { claims }) => claims.includes(item.ownerRef),
  toQuery: ({ claims }) => ({ key: 'owner', values: claims }),
});

/** @public */
export const itsmImprovementPermissionRules = { isInDepartment, isOwner };

const { conditions, createConditionalDecision } = createConditionExports({
  resourceRef: itsmImprovementPermissionResourceRef,
  rules: itsmImprovementPermissionRules,
});

/**
 * Conditions for a permission policy, e.g.
 * `itsmImprovementConditions.isOwner({ claims: user.info.ownershipEntityRefs })`.
 * @public
 */
export const itsmImprovementConditions = conditions;

/** @public */
export const createItsmImprovementConditionalDecision =
  createConditionalDecision;
