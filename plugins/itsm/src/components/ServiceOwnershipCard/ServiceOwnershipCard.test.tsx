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

import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { ItsmOwnership } from '@backstage-itsm/plugin-itsm-common';
import { screen } from '@testing-library/react';
import { ItsmApi, itsmApiRef } from '../../api';
import { ServiceOwnershipCard } from './ServiceOwnershipCard';
import { mockItsmApi } from '../../__fixtures__/mockItsmApi';

const ownership: ItsmOwnership = {
  entityRef: 'component:default/payments-api',
  owner: {
    entityRef: 'group:default/payments',
    title: 'Payments',
    email: 'payments@northwind.example',
    members: [
      {
        name: 'Priya Raman',
        email: 'priya.raman@northwind.example',
        entityRef: 'user:default/priya.raman',
      },
      { name: 'Diego Álvarez', entityRef: 'user:default/diego.alvarez' },
    ],
  },
  tier: '1',
  supportHours: '24x7',
  escalationContact: 'duty-manager@northwind.example',
  sources: [
    {
      sourceId: 'pagerduty:main',
      sourceName: 'PagerDuty',
      url: 'https://northwind.pagerduty.com/service-directory/PMQSWA6',
      onCall: [{ name: 'Priya Raman', email: 'priya.raman@northwind.example' }],
      escalationPolicy: {
        name: 'Payments escalation',
        levels: [
          { level: 1, targets: [{ name: 'Priya Raman' }], delayMinutes: 15 },
          { level: 2, targets: [{ name: 'Payments lead' }] },
        ],
      },
      asOf: '2026-11-23T10:00:00.000Z',
    },
    {
      sourceId: 'servicenow:corp',
      sourceName: 'ServiceNow',
      supportGroup: { name: 'Database Operations' },
      criticality: '1 - most critical',
      asOf: '2026-11-23T10:00:00.000Z',
    },
  ],
  sourceErrors: [],
  drift: [
    {
      field: 'supportGroup',
      sourceId: 'servicenow:corp',
      catalogValue: 'Payments',
      sourceValue: 'Database Operations',
      message:
        'ServiceNow support group is "Database Operations", the catalog owner is Payments',
    },
  ],
};

function mockApi(overrides: Partial<ItsmApi> = {}): ItsmApi {
  return mockItsmApi({
    getRecords: jest.fn(),
    getRecord: jest.fn(),
    getMetrics: jest.fn().mockResolvedValue({
      entityRef: ownership.entityRef,
      from: '',
      to: '',
      metrics: {},
      health: {
        verdict: 'unhealthy',
        reasons: ['MTTR 9h 30m is above the 4h target'],
      },
    }),
    getOwnership: jest.fn().mockResolvedValue(ownership),
    getSyncStatus: jest.fn(),
    ...overrides,
  });
}

async function renderCard(api: ItsmApi, department?: string) {
  await renderInTestApp(
    <TestApiProvider apis={[[itsmApiRef, api]]}>
      <ServiceOwnershipCard
        entityRef="component:default/payments-api"
        department={department}
      />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('ServiceOwnershipCard', () => {
  it('shows health, owner, on-call chain, support, CMDB and drift', async () => {
    await renderCard(mockApi());
    expect(await screen.findByText('Unhealthy')).toBeInTheDocument();
    expect(
      screen.getByText('MTTR 9h 30m is above the 4h target'),
    ).toBeInTheDocument();
    expect(screen.getByText('Payments').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/group/payments',
    );
    expect(screen.getByText('Diego Álvarez')).toBeInTheDocument();
    expect(
      screen.getByText(/Escalation:\s*Payments escalation/),
    ).toBeInTheDocument();
    expect(screen.getByText('(after 15 min)')).toBeInTheDocument();
    expect(screen.getByText('Hours: 24x7 · Tier: 1')).toBeInTheDocument();
    expect(
      screen.getByText('Escalation contact: duty-manager@northwind.example'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Criticality: 1 - most critical'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('itsm-ownership-drift')).toHaveTextContent(
      'ServiceNow support group is "Database Operations", the catalog owner is Payments',
    );
  });

  it('says no source is connected, and which annotation to add, instead of a verdict', async () => {
    await renderCard(
      mockApi({
        getMetrics: jest.fn().mockResolvedValue({
          entityRef: ownership.entityRef,
          from: '',
          to: '',
          metrics: {},
          health: {
            verdict: 'healthy',
            reasons: [
              'No source connected: add the annotation servicenow.com/ci-sysid to this entity to map its records',
            ],
          },
          coverage: {
            covered: false,
            annotations: ['servicenow.com/ci-sysid'],
          },
        }),
      }),
    );
    const verdict = await screen.findByTestId('itsm-health-verdict');
    expect(verdict).toHaveTextContent('No source connected');
    expect(verdict).toHaveTextContent(
      'add the annotation servicenow.com/ci-sysid to this entity',
    );
    expect(screen.queryByText('Healthy')).not.toBeInTheDocument();
  });

  it('reads the unknown verdict as no source connected', async () => {
    await renderCard(
      mockApi({
        getMetrics: jest.fn().mockResolvedValue({
          entityRef: ownership.entityRef,
          from: '',
          to: '',
          metrics: {},
          health: {
            verdict: 'unknown',
            reasons: [
              'No source connected: add the annotation pagerduty.com/service-id to this entity to map its records',
            ],
          },
        }),
      }),
    );
    const verdict = await screen.findByTestId('itsm-health-verdict');
    expect(verdict).toHaveTextContent('No source connected');
    expect(verdict).toHaveTextContent('pagerduty.com/service-id');
  });

  it('stands without metrics and says what is missing', async () => {
    await renderCard(
      mockApi({
        getMetrics: jest.fn().mockRejectedValue(new Error('metrics down')),
        getOwnership: jest
          .fn()
          .mockResolvedValue({ ...ownership, sources: [], drift: [] }),
      }),
    );
    expect(await screen.findByText('Payments')).toBeInTheDocument();
    expect(screen.queryByTestId('itsm-health-verdict')).not.toBeInTheDocument();
    expect(
      screen.getByText(/No on-call source maps to this entity/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No CMDB record maps to this entity.'),
    ).toBeInTheDocument();
  });

  it('shows the error when ownership cannot be read', async () => {
    await renderCard(
      mockApi({ getOwnership: jest.fn().mockRejectedValue(new Error('boom')) }),
    );
    expect((await screen.findAllByText(/boom/)).length).toBeGreaterThan(0);
    expect(screen.getByText(/Could not load ownership/)).toBeInTheDocument();
  });

  it('speaks of a service desk, not on-call and CMDB, for an HR entity', async () => {
    await renderCard(
      mockApi({
        getOwnership: jest
          .fn()
          .mockResolvedValue({ ...ownership, sources: [], drift: [] }),
      }),
      'hr',
    );
    expect(await screen.findByText('Payments')).toBeInTheDocument();
    expect(
      screen.getByText('No on-duty rota maps to this service desk.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No service desk record maps to this entity.'),
    ).toBeInTheDocument();
    expect(screen.queryByText(/pagerduty/)).not.toBeInTheDocument();
    expect(screen.queryByText('CMDB')).not.toBeInTheDocument();
  });
});
