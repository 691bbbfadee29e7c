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
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { itsmRecordReadPermission } from '@backstage-itsm/plugin-itsm-common';
import {
  createItsmRecordConditionalDecision,
  itsmRecordConditions,
} from '@backstage-itsm/plugin-itsm-backend';

/**
 * The demo portal's permission policy.
 *
 * - ITSM records of confidential service desks (HR by default) are readable
 *   only by users who own an entity the record maps to, that is members of
 *   the owning group; every other record is readable by every signed-in user.
 *   The condition is applied by the ITSM backend in SQL.
 * - Everything else is allowed, as in Backstage's allow-all policy.
 */
export class DemoPermissionPolicy implements PermissionPolicy {
  readonly #confidentialDepartments: string[];

  constructor(options: { confidentialDepartments?: string[] } = {}) {
    this.#confidentialDepartments = options.confidentialDepartments ?? ['hr'];
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (isPermission(request.permission, itsmRecordReadPermission) && user) {
      return createItsmRecordConditionalDecision(request.permission, {
        anyOf: [
          {
            not: itsmRecordConditions.isInDepartment({
              departments: this.#confidentialDepartments,
            }),
          },
          itsmRecordConditions.isEntityOwner({
            claims: user.info.ownershipEntityRefs,
          }),
        ],
      });
    }
    return { result: AuthorizeResult.ALLOW };
  }
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
