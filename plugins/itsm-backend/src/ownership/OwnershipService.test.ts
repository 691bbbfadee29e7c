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

import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Entity } from '@backstage/catalog-model';
import type { ItsmOwnershipSource } from '@backstage-itsm/plugin-itsm-node';
import { namesMatch, OwnershipService } from './OwnershipService';

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments-api',
      namespace: 'default',
      annotations: {
        'backstage-itsm.io/tier': '1',
        'backstage-itsm.io/support-hours': '24x7',
        'pagerduty.com/service-id': 'PPAY001',
      },
    },
    spec: { owner: 'payments' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/payments' }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'payments', namespace: 'default', title: 'Payments' },
    spec: {
      type: 'team',
      profile: { displayName: 'Payments', email: 'payments@example.com' },
      children: [],
    },
    relations: [{ type: 'hasMember', targetRef: 'user:default/priya' }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'priya', namespace: 'default' },
    spec: {
      profile: { displayName: 'Priya Raman', email: 'priya@example.com' },
      memberOf: ['payments'],
    },
  },
];

function service(sources: ItsmOwnershipSource[]) {
  return new OwnershipService({
    catalog: catalogServiceMock({ entities }),
    auth: mockServices.auth(),
    logger: mockServices.logger.mock(),
    sources,
  });
}

const asOf = '2026-11-23T10:00:00.000Z';

describe('OwnershipService', () => {
  it('combines the catalog owner, service facts and sources, and reports drift', async () => {
    const pagerduty: ItsmOwnershipSource = {
      id: 'pagerduty:main',
      getOwnershipFacts: async () => ({
        sourceId: 'pagerduty:main',
        sourceName: 'PagerDuty',
        onCall: [{ name: 'Priya Raman', email: 'priya@example.com' }],
        escalationPolicy: { name: 'Payments escalation', levels: [] },
        asOf,
      }),
    };
    const cmdb: ItsmOwnershipSource = {
      id: 'servicenow:corp',
      getOwnershipFacts: async () => ({
        sourceId: 'servicenow:corp',
        sourceName: 'ServiceNow',
        owner: { name: 'Priya Raman', email: 'PRIYA@example.com' },
        supportGroup: { name: 'Database Operations' },
        criticality: '1 - most critical',
        asOf,
      }),
    };
    const failing: ItsmOwnershipSource = {
      id: 'broken',
      getOwnershipFacts: async () => {
        throw new Error('401 Unauthorized');
      },
    };
    const result = await service([pagerduty, cmdb, failing]).getOwnership(
      'component:default/payments-api',
      {
        $$type: '@backstage/BackstageCredentials',
        principal: { type: 'user', userEntityRef: 'user:default/x' },
      } as any,
    );
    expect(result).toMatchObject({
      entityRef: 'component:default/payments-api',
      owner: {
        entityRef: 'group:default/payments',
        title: 'Payments',
        email: 'payments@example.com',
        members: [
          {
            name: 'Priya Raman',
            email: 'priya@example.com',
            entityRef: 'user:default/priya',
          },
        ],
      },
      tier: '1',
      supportHours: '24x7',
      escalationContact: null,
      sourceErrors: [
        {
          sourceId: 'broken',
          error: expect.stringContaining('401 Unauthorized'),
        },
      ],
    });
    expect(result.sources.map(s => s.sourceId)).toEqual([
      'pagerduty:main',
      'servicenow:corp',
    ]);
    // The CMDB owner is a member of the team: no drift. The support group is another team: drift.
    expect(result.drift).toEqual([
      {
        field: 'supportGroup',
        sourceId: 'servicenow:corp',
        catalogValue: 'Payments',
        sourceValue: 'Database Operations',
        message:
          'ServiceNow support group is "Database Operations", the catalog owner is Payments',
      },
    ]);
  });

  it('answers 404 for an unknown entity', async () => {
    await expect(
      service([]).getOwnership('component:default/nope', {} as any),
    ).rejects.toThrow("No entity found with ref 'component:default/nope'");
  });

  it.each([
    [['Payments', 'payments'], 'PAYMENTS', true],
    [['IT Platform', 'it-platform'], 'it_platform on-call', true],
    [['Payments'], 'Database Operations', false],
    [
      ['Customer Support Engineering', 'customer-support'],
      'Customer Support',
      true,
    ],
  ])('namesMatch(%j, %s) is %s', (catalog, source, expected) => {
    expect(namesMatch(catalog, source)).toBe(expected);
  });
});
