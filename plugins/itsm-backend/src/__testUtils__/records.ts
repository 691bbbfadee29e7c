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

import type { Entity } from '@backstage/catalog-model';
import type { ItsmRecordInput } from '@backstage-itsm/plugin-itsm-common';

/** Catalog entities the fixtures map to. */
export const fixtureEntities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments-api',
      namespace: 'default',
      annotations: {
        'servicenow.com/ci-sysid': 'ci-payments, ci-shared',
        'pagerduty.com/service-id': 'PPAY001',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'payments' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'checkout-web',
      namespace: 'default',
      annotations: { 'servicenow.com/ci-sysid': 'ci-checkout,ci-shared' },
    },
    spec: {
      type: 'website',
      lifecycle: 'production',
      owner: 'group:default/payments',
    },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'employee-onboarding', namespace: 'default' },
    spec: { type: 'service', lifecycle: 'production', owner: 'hr-operations' },
  },
];

let sequence = 0;

/** A valid incident; override any field. */
export function incident(
  overrides: Partial<ItsmRecordInput> = {},
): ItsmRecordInput {
  sequence++;
  return {
    externalId: `inc-${sequence}`,
    kind: 'incident',
    number: `INC${String(sequence).padStart(7, '0')}`,
    title: `Payments API returns 502 (${sequence})`,
    state: 'resolved',
    priority: 2,
    openedAt: '2026-03-01T10:00:00Z',
    acknowledgedAt: '2026-03-01T10:05:00Z',
    resolvedAt: '2026-03-01T12:00:00Z',
    sourceUpdatedAt: '2026-03-01T12:00:00Z',
    mappings: [{ annotation: 'servicenow.com/ci-sysid', value: 'ci-payments' }],
    ...overrides,
  };
}

/** A valid change; override any field. */
export function change(
  overrides: Partial<ItsmRecordInput> = {},
): ItsmRecordInput {
  sequence++;
  return {
    externalId: `chg-${sequence}`,
    kind: 'change',
    number: `CHG${String(sequence).padStart(7, '0')}`,
    title: `Deploy payments-api v${sequence}`,
    state: 'closed',
    changeType: 'normal',
    outcome: 'successful',
    openedAt: '2026-02-28T09:00:00Z',
    actualStart: '2026-03-01T08:00:00Z',
    actualEnd: '2026-03-01T08:30:00Z',
    closedAt: '2026-03-01T09:00:00Z',
    sourceUpdatedAt: '2026-03-01T09:00:00Z',
    mappings: [{ annotation: 'servicenow.com/ci-sysid', value: 'ci-payments' }],
    ...overrides,
  };
}
