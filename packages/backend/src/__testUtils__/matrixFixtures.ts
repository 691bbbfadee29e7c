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
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';

/**
 * The callers of the authorization matrix, all people of the demo catalog
 * (examples/org.yaml), and the component whose writes they try.
 */
export const CALLERS = [
  'anonymous',
  'guest',
  'owner',
  'hr',
  'admin',
  'service',
] as const;

export type Caller = (typeof CALLERS)[number];

/** The user each signed-in caller is. */
export const MATRIX_USERS = {
  /** A payments engineer: owns nothing the matrix writes to, reads no HR case. */
  guest: 'user:default/guest',
  /** A member of it-platform, which owns the component under test. */
  owner: 'user:default/amara.okafor',
  /** A member of hr-operations, which owns the HR services. */
  hr: 'user:default/fatima.haddad',
  /** A member of the service management office: an ITSM administrator. */
  admin: 'user:default/nadia.cole',
} as const;

export const MATRIX_GROUPS = {
  itPlatform: 'group:default/it-platform',
  hr: 'group:default/hr-operations',
} as const;

/** The component the writes are about: it-platform owns it, it is not HR's. */
export const COMPONENT_UNDER_TEST = 'component:default/identity-service';

/** Each user's groups, as in examples/org.yaml. */
const MEMBERSHIP: Record<string, string[]> = {
  [MATRIX_USERS.guest]: ['group:default/payments'],
  [MATRIX_USERS.owner]: [MATRIX_GROUPS.itPlatform],
  [MATRIX_USERS.hr]: [MATRIX_GROUPS.hr],
  [MATRIX_USERS.admin]: ['group:default/service-management-office'],
};

/** The Authorization header of a caller; none for the anonymous caller. */
export function authorizationOf(caller: Caller): string | undefined {
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'service':
      return mockCredentials.service.header();
    default:
      return mockCredentials.user.header(MATRIX_USERS[caller]);
  }
}

/**
 * `coreServices.userInfo` for the matrix backend: a user's ownership refs are
 * the user and their demo groups. (The real service reads them from the
 * user's token, which the mock tokens do not carry.)
 */
export const matrixUserInfoServiceFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials) {
      const principal = credentials.principal as {
        type?: string;
        userEntityRef?: string;
      };
      if (principal.type !== 'user' || !principal.userEntityRef) {
        throw new Error(
          `User info not available for principal type '${principal.type}'`,
        );
      }
      return {
        userEntityRef: principal.userEntityRef,
        ownershipEntityRefs: [
          principal.userEntityRef,
          ...(MEMBERSHIP[principal.userEntityRef] ?? []),
        ],
      };
    },
  }),
});
