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

import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { MetricsEngine } from '../metrics/MetricsEngine';
import { MetricProbe } from './MetricProbe';

const system: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'payments', namespace: 'default' },
  spec: { owner: 'group:default/payments' },
  relations: [{ type: 'hasPart', targetRef: 'component:default/payments-api' }],
};
const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: { 'servicenow.com/ci-sysid': 'abc' },
  },
  spec: { owner: 'group:default/payments', system: 'payments' },
};

describe('MetricProbe', () => {
  it("hands the engine the scope's entities, so a rollup is covered through its parts' annotations", async () => {
    const getMetrics = jest.fn().mockResolvedValue({
      metrics: { incident_count: { value: 0, n: 0, unit: 'count' } },
    });
    const probe = new MetricProbe({
      metrics: { getMetrics } as unknown as MetricsEngine,
      catalog: catalogServiceMock({ entities: [system, component] }),
      credentials: mockCredentials.user(),
      filter: undefined,
      now: Date.parse('2026-11-01T00:00:00Z'),
    });
    await expect(
      probe.current('incident_count', 'system:default/payments', 30),
    ).resolves.toMatchObject({ value: 0, n: 0 });
    const request = getMetrics.mock.calls[0][0];
    expect(request.entityRefs).toEqual([
      'system:default/payments',
      'component:default/payments-api',
    ]);
    expect(request.entities).toEqual([
      {
        entityRef: 'system:default/payments',
        ownerRef: 'group:default/payments',
        annotations: [],
      },
      {
        entityRef: 'component:default/payments-api',
        ownerRef: 'group:default/payments',
        annotations: ['servicenow.com/ci-sysid'],
      },
    ]);
  });
});
