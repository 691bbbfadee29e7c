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

import type {
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';

/**
 * A user info service answering from a fixed membership table, as the
 * catalog-backed one would: each user's ownership claims are themself and
 * their groups. Unknown users belong to no group.
 */
export function fakeUserInfo(
  membership: Record<string, string[]>,
): UserInfoService {
  return {
    async getUserInfo(credentials: BackstageCredentials) {
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
          ...(membership[principal.userEntityRef] ?? []),
        ],
      };
    },
  };
}
