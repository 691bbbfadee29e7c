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

import { permissionRules as catalogPermissionRules } from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  createPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  itsmImprovementCreatePermission,
  itsmImprovementDeletePermission,
  itsmImprovementReadPermission,
  itsmImprovementUpdatePermission,
  itsmIngestPermission,
  itsmMetricsReadPermission,
  itsmRecordReadPermission,
  itsmReviewHoldPermission,
  itsmReviewUpdatePermission,
  itsmSyncReadPermission,
  itsmSyncTriggerPermission,
} from '@backstage-itsm/plugin-itsm-common';
import { DemoPermissionPolicy } from './permissionPolicy';

function user(ownershipEntityRefs: string[]): PolicyQueryUser {
  return {
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
  } as unknown as PolicyQueryUser;
}

/** Another plugin's permission, as the catalog declares it. */
const catalogEntityReadPermission = createPermission({
  name: 'catalog.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

describe('DemoPermissionPolicy', () => {
  const policy = new DemoPermissionPolicy();

  it('lets users read non-HR records, and HR records of entities they own', async () => {
    const decision = await policy.handle(
      { permission: itsmRecordReadPermission },
      user(['user:default/guest', 'group:default/payments']),
    );
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'itsm',
      resourceType: 'itsm-record',
      conditions: {
        anyOf: [
          {
            not: {
              rule: 'IS_IN_DEPARTMENT',
              resourceType: 'itsm-record',
              params: { departments: ['hr'] },
            },
          },
          {
            rule: 'IS_ENTITY_OWNER',
            resourceType: 'itsm-record',
            params: {
              claims: ['user:default/guest', 'group:default/payments'],
            },
          },
        ],
      },
    });
  });

  it('takes the confidential departments from its options', async () => {
    const decision = await new DemoPermissionPolicy({
      confidentialDepartments: ['hr', 'legal'],
    }).handle(
      { permission: itsmRecordReadPermission },
      user(['user:default/x']),
    );
    expect(JSON.stringify(decision)).toContain('"departments":["hr","legal"]');
  });

  // Services never reach the policy: Backstage's permissions service decides
  // for them. A query without a user comes from an unauthenticated caller.
  it.each([
    itsmRecordReadPermission,
    itsmMetricsReadPermission,
    itsmImprovementCreatePermission,
    itsmImprovementReadPermission,
    itsmImprovementUpdatePermission,
    itsmImprovementDeletePermission,
    catalogEntityReadPermission,
  ])('denies $name to a query without a user', async permission => {
    await expect(policy.handle({ permission })).resolves.toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('allows users the permissions it does not restrict', async () => {
    for (const permission of [
      itsmMetricsReadPermission,
      itsmImprovementCreatePermission,
      catalogEntityReadPermission,
    ]) {
      await expect(
        policy.handle({ permission }, user(['user:default/x'])),
      ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    }
  });

  const guest = user(['user:default/guest', 'group:default/payments']);
  const admin = user([
    'user:default/nadia.cole',
    'group:default/service-management-office',
  ]);

  it.each([itsmSyncReadPermission, itsmSyncTriggerPermission])(
    'lets only administrators hold $name',
    async permission => {
      await expect(policy.handle({ permission }, admin)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
      await expect(policy.handle({ permission }, guest)).resolves.toEqual({
        result: AuthorizeResult.DENY,
      });
      // A query without a user is an unauthenticated caller: services are
      // decided by the permissions service and never reach the policy.
      await expect(policy.handle({ permission })).resolves.toEqual({
        result: AuthorizeResult.DENY,
      });
    },
  );

  it('takes the administrators from its options', async () => {
    const custom = new DemoPermissionPolicy({
      adminRefs: ['group:default/payments'],
    });
    await expect(
      custom.handle({ permission: itsmSyncTriggerPermission }, guest),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      custom.handle({ permission: itsmSyncTriggerPermission }, admin),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('lets no user push records, administrators included', async () => {
    for (const who of [guest, admin, undefined]) {
      await expect(
        policy.handle({ permission: itsmIngestPermission }, who),
      ).resolves.toEqual({ result: AuthorizeResult.DENY });
    }
  });

  describe('service reviews', () => {
    /** The catalog's own rules, as the catalog applies them to an entity. */
    const applies = createConditionAuthorizer(
      Object.values(catalogPermissionRules),
    );
    type Entity = Parameters<typeof applies>[1];
    function entity(kind: string, name: string, owner?: string): Entity {
      return {
        apiVersion: 'backstage.io/v1alpha1',
        kind,
        metadata: { name, namespace: 'default' },
        spec: owner ? { owner } : {},
        relations: owner ? [{ type: 'ownedBy', targetRef: owner }] : [],
      };
    }
    const paymentsApi = entity(
      'Component',
      'payments-api',
      'group:default/payments',
    );
    const onboarding = entity(
      'Component',
      'employee-onboarding',
      'group:default/hr-operations',
    );
    const paymentsTeam = entity('Group', 'payments');
    const hrTeam = entity('Group', 'hr-operations');
    // A user named like a group: the group's own review is for groups only.
    const paymentsUser = entity('User', 'payments');

    it.each([itsmReviewHoldPermission, itsmReviewUpdatePermission])(
      'lets owners and team members hold $name, as catalog conditions',
      async permission => {
        const decision = await policy.handle({ permission }, guest);
        expect(decision).toMatchObject({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'catalog',
          resourceType: 'catalog-entity',
        });
        const allowed = (e: Entity) => applies(decision as PolicyDecision, e);
        expect(allowed(paymentsApi)).toBe(true);
        expect(allowed(paymentsTeam)).toBe(true);
        expect(allowed(onboarding)).toBe(false);
        expect(allowed(hrTeam)).toBe(false);
        expect(allowed(paymentsUser)).toBe(false);
      },
    );

    it.each([itsmReviewHoldPermission, itsmReviewUpdatePermission])(
      'lets administrators hold $name on every entity, and no unauthenticated caller',
      async permission => {
        await expect(policy.handle({ permission }, admin)).resolves.toEqual({
          result: AuthorizeResult.ALLOW,
        });
        await expect(policy.handle({ permission })).resolves.toEqual({
          result: AuthorizeResult.DENY,
        });
      },
    );
  });
});
