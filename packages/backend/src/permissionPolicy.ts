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

import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isPermission,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  itsmImprovementDeletePermission,
  itsmImprovementReadPermission,
  itsmImprovementUpdatePermission,
  itsmIngestPermission,
  itsmRecordReadPermission,
  itsmReviewHoldPermission,
  itsmReviewUpdatePermission,
  itsmSyncReadPermission,
  itsmSyncTriggerPermission,
} from '@backstage-itsm/plugin-itsm-common';
import {
  createItsmImprovementConditionalDecision,
  createItsmRecordConditionalDecision,
  itsmImprovementConditions,
  itsmRecordConditions,
} from '@backstage-itsm/plugin-itsm-backend';

/**
 * The demo portal's permission policy.
 *
 * - ITSM records of confidential service desks (HR by default) are readable
 *   only by users who own an entity the record maps to, that is members of
 *   the owning group. Everyone may still count them into aggregate metrics
 *   (`itsm.metrics.read`): how the desk performs, never what a case says.
 * - Improvements of confidential desks are readable by their owner only;
 *   every improvement may be changed or deleted by its owner (the owning
 *   group's members) and by ITSM administrators.
 * - ITSM administrators (members of `adminRefs`) read everything.
 * - A service review is held, amended and released (`itsm.review.hold`,
 *   `itsm.review.update`) by the owners of the entity under review (the
 *   members of its owning group), by the members of a group for the group's
 *   own review, and by ITSM administrators. These are catalog conditions on
 *   the entity: the catalog applies them.
 * - Operating the ingestion (`itsm.sync.read`, `itsm.sync.trigger`) is for
 *   ITSM administrators; pushing records (`itsm.ingest`) for no user at all.
 *   Service principals hold all three without asking this policy: Backstage's
 *   permissions service decides for them (their token's access
 *   restrictions), as it does for every permission.
 * - A query without a user therefore never comes from a service: it comes
 *   from an unauthenticated caller (the `none` principal, which reaches the
 *   policy when an adopter lets such callers through), who is denied
 *   everything.
 * - Everything else is allowed to signed-in users, as in Backstage's
 *   allow-all policy.
 *
 * Every ITSM condition is applied by the ITSM backend in SQL; the review
 * conditions by the catalog, on the entity the review is about.
 */
export class DemoPermissionPolicy implements PermissionPolicy {
  readonly #confidentialDepartments: string[];
  readonly #adminRefs: string[];

  constructor(
    options: { confidentialDepartments?: string[]; adminRefs?: string[] } = {},
  ) {
    this.#confidentialDepartments = options.confidentialDepartments ?? ['hr'];
    this.#adminRefs = options.adminRefs ?? [
      'group:default/service-management-office',
    ];
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      // Not a service (see above): an unauthenticated caller.
      return { result: AuthorizeResult.DENY };
    }
    const claims = user.info.ownershipEntityRefs;
    const admin = claims.some(ref => this.#adminRefs.includes(ref));
    if (
      isPermission(request.permission, itsmSyncReadPermission) ||
      isPermission(request.permission, itsmSyncTriggerPermission)
    ) {
      return { result: admin ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    }
    if (isPermission(request.permission, itsmIngestPermission)) {
      return { result: AuthorizeResult.DENY };
    }
    if (
      isPermission(request.permission, itsmReviewHoldPermission) ||
      isPermission(request.permission, itsmReviewUpdatePermission)
    ) {
      if (admin) {
        return { result: AuthorizeResult.ALLOW };
      }
      return createCatalogConditionalDecision(request.permission, {
        anyOf: [
          catalogConditions.isEntityOwner({ claims }),
          ...claims.flatMap(ownGroup),
        ],
      });
    }
    if (admin) {
      return { result: AuthorizeResult.ALLOW };
    }
    const notConfidential = {
      departments: this.#confidentialDepartments,
    };
    if (isPermission(request.permission, itsmRecordReadPermission)) {
      return createItsmRecordConditionalDecision(request.permission, {
        anyOf: [
          { not: itsmRecordConditions.isInDepartment(notConfidential) },
          itsmRecordConditions.isEntityOwner({ claims }),
        ],
      });
    }
    if (isPermission(request.permission, itsmImprovementReadPermission)) {
      return createItsmImprovementConditionalDecision(request.permission, {
        anyOf: [
          { not: itsmImprovementConditions.isInDepartment(notConfidential) },
          itsmImprovementConditions.isOwner({ claims }),
        ],
      });
    }
    if (
      isPermission(request.permission, itsmImprovementUpdatePermission) ||
      isPermission(request.permission, itsmImprovementDeletePermission)
    ) {
      return createItsmImprovementConditionalDecision(
        request.permission,
        itsmImprovementConditions.isOwner({ claims }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

/** The catalog condition "this entity is the group `ref`" (a team's own review). */
function ownGroup(
  ref: string,
): PermissionCriteria<PermissionCondition<'catalog-entity'>>[] {
  // Ownership claims are full refs: `group:default/payments`.
  const match = /^group:([^/]+)\/(.+)$/i.exec(ref);
  if (!match) {
    return [];
  }
  const [, namespace, name] = match;
  return [
    {
      allOf: [
        catalogConditions.isEntityKind({ kinds: ['Group'] }),
        catalogConditions.hasMetadata({ key: 'namespace', value: namespace }),
        catalogConditions.hasMetadata({ key: 'name', value: name }),
      ],
    },
  ];
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'demo-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new DemoPermissionPolicy());
      },
    });
  },
});
