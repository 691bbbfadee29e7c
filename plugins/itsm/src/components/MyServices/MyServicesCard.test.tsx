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
import { identityApiRef } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import type { ItsmMetricsResponse } from '@backstage-itsm/plugin-itsm-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockItsmApi } from '../../__fixtures__/mockItsmApi';
import { type ItsmApi, itsmApiRef } from '../../api';
import { MyServicesContent } from './MyServicesCard';
import { catalogIndexRouteRef } from './routes';

jest.setTimeout(30_000);

const GUEST = ['user:default/guest', 'group:default/payments'];

const entity = (kind: string, name: string, title?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default', ...(title ? { title } : {}) },
});

// What the catalog answers for the guest, by name as the card asks for it.
const OWNED = [
  entity('Component', 'card-gateway-adapter', 'Card gateway adapter'),
  entity('Component', 'fraud-scoring', 'Fraud scoring'),
  entity('Component', 'payments-api', 'Payments API'),
  entity('Resource', 'payments-db'),
  entity('System', 'payments-platform', 'Payments Platform'),
];

const metrics = (
  verdict: 'healthy' | 'degraded' | 'unhealthy',
  reasons: string[],
  covered = true,
): ItsmMetricsResponse =>
  ({
    health: { verdict, reasons },
    coverage: {
      covered,
      annotations: ['pagerduty.com/service-id', 'servicenow.com/ci-sysid'],
    },
  } as unknown as ItsmMetricsResponse);

const HEALTH: Record<string, ItsmMetricsResponse> = {
  'component:default/card-gateway-adapter': metrics('healthy', []),
  'component:default/fraud-scoring': metrics('degraded', [
    '1 P1/P2 incident is open',
  ]),
  'component:default/payments-api': metrics('unhealthy', [
    'MTTR 6h breaches its target 4h',
    'Change failure rate 40% breaches its target 15%',
  ]),
  'resource:default/payments-db': metrics('healthy', [], false),
  'system:default/payments-platform': metrics('healthy', [
    'No targets are set: add backstage-itsm.io/*-target annotations',
  ]),
};

async function responseError(status: number, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: status === 403 ? 'NotAllowedError' : 'Error', message },
        response: { statusCode: status },
      }),
      { status, headers: { 'Content-Type': 'application/json' } },
    ),
  );
}

function catalogWith(items: Entity[], totalItems = items.length) {
  return catalogApiMock.mock({
    queryEntities: jest.fn().mockResolvedValue({
      items,
      totalItems,
      pageInfo: {},
    }),
  });
}

async function renderContent(options: {
  catalog: ReturnType<typeof catalogApiMock.mock>;
  itsm: ItsmApi;
  ownershipEntityRefs?: string[];
}) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [
          identityApiRef,
          mockApis.identity({
            userEntityRef: 'user:default/guest',
            ownershipEntityRefs: options.ownershipEntityRefs ?? GUEST,
          }),
        ],
        [catalogApiRef, options.catalog],
        [itsmApiRef, options.itsm],
      ]}
    >
      <MyServicesContent />
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        '/catalog': catalogIndexRouteRef,
      },
    },
  );
}

const rowTexts = () =>
  screen.getAllByTestId('my-services-row').map(row => row.textContent ?? '');

describe('MyServicesContent', () => {
  it("lists the guest's services worst first, each with its verdict, first reason and entity link", async () => {
    const catalog = catalogWith(OWNED);
    const getMetrics = jest.fn(
      async ({ entityRef }: { entityRef: string }) => HEALTH[entityRef],
    );
    await renderContent({ catalog, itsm: mockItsmApi({ getMetrics }) });

    const list = await screen.findByRole('list', {
      name: 'Your services, worst health first',
    });
    expect(rowTexts()).toEqual([
      'UnhealthyPayments APIComponentMTTR 6h breaches its target 4h (and 1 more)',
      'DegradedFraud scoringComponent1 P1/P2 incident is open',
      'Unknownpayments-dbResourceNo ITSM source covers it: add the pagerduty.com/service-id or servicenow.com/ci-sysid annotation to its catalog-info.yaml',
      'HealthyCard gateway adapterComponentEvery metric with a target meets it',
      'HealthyPayments PlatformSystemNo targets are set: add backstage-itsm.io/*-target annotations',
    ]);
    expect(
      within(list).getByRole('link', { name: 'Payments API' }),
    ).toHaveAttribute('href', '/catalog/default/component/payments-api');
    expect(
      within(list).getByRole('link', { name: 'payments-db' }),
    ).toHaveAttribute('href', '/catalog/default/resource/payments-db');
    expect(screen.getByTestId('my-services-summary')).toHaveTextContent(
      '1 unhealthy · 1 degraded · 1 unknown · 2 healthy',
    );
    expect(screen.queryByText(/more in the catalog/)).not.toBeInTheDocument();

    // One bounded catalog query for what the guest and their teams own.
    expect(catalog.queryEntities).toHaveBeenCalledTimes(1);
    expect(catalog.queryEntities).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: {
          kind: ['component', 'system', 'resource'],
          'relations.ownedBy': GUEST,
        },
        limit: 50,
      }),
    );
    expect(getMetrics.mock.calls.map(([q]) => q.entityRef).sort()).toEqual(
      Object.keys(HEALTH).sort(),
    );
  });

  it('links to the rest of what the user owns beyond the first 50', async () => {
    await renderContent({
      catalog: catalogWith(OWNED.slice(0, 2), 62),
      itsm: mockItsmApi({
        getMetrics: jest.fn(async ({ entityRef }) => HEALTH[entityRef]),
      }),
    });
    expect(
      await screen.findByRole('link', { name: 'and 60 more in the catalog' }),
    ).toHaveAttribute('href', '/catalog?filters[user]=owned');
  });

  it('shows a service whose metrics cannot be read as unknown, with why, and the others as usual', async () => {
    const forbidden = await responseError(403, 'You are not allowed');
    await renderContent({
      catalog: catalogWith(OWNED.slice(0, 3)),
      itsm: mockItsmApi({
        getMetrics: jest.fn(async ({ entityRef }) => {
          if (entityRef === 'component:default/card-gateway-adapter') {
            throw forbidden;
          }
          return HEALTH[entityRef];
        }),
      }),
    });
    await screen.findByRole('list', {
      name: 'Your services, worst health first',
    });
    expect(rowTexts()[2]).toBe(
      'UnknownCard gateway adapterComponentYou may not read its ITSM metrics (itsm.metrics.read): ask a Backstage admin',
    );
    expect(
      screen.queryByText(/so no verdict can be shown/),
    ).not.toBeInTheDocument();
  });

  it('says so once when the user may read no ITSM metrics at all', async () => {
    const forbidden = await responseError(403, 'You are not allowed');
    await renderContent({
      catalog: catalogWith(OWNED.slice(0, 2)),
      itsm: mockItsmApi({ getMetrics: jest.fn().mockRejectedValue(forbidden) }),
    });
    expect(
      await screen.findByText(
        /You may not read ITSM metrics, so no verdict can be shown/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByTestId('my-services-summary')).toHaveTextContent(
      '0 unhealthy · 0 degraded · 2 unknown · 0 healthy',
    );
  });

  it('tells a user who owns nothing how to own a service', async () => {
    const itsm = mockItsmApi();
    await renderContent({ catalog: catalogWith([]), itsm });
    expect(
      await screen.findByText('You own no services in the catalog yet'),
    ).toBeInTheDocument();
    const empty = screen.getByTestId('my-services-empty');
    expect(empty).toHaveTextContent('Add spec.owner');
    expect(empty).toHaveTextContent('owner: group:default/payments');
    expect(itsm.getMetrics).not.toHaveBeenCalled();
  });

  it('tells a user whose sign-in owns nothing to get a User entity', async () => {
    const catalog = catalogWith([]);
    await renderContent({
      catalog,
      itsm: mockItsmApi(),
      ownershipEntityRefs: [],
    });
    expect(
      await screen.findByText('Your sign-in names no owner in the catalog'),
    ).toBeInTheDocument();
    expect(catalog.queryEntities).not.toHaveBeenCalled();
  });

  it('shows the error when the catalog cannot be read, and tries again', async () => {
    const catalog = catalogApiMock.mock({
      queryEntities: jest
        .fn()
        .mockRejectedValueOnce(new Error('catalog is down'))
        .mockResolvedValueOnce({
          items: OWNED.slice(2, 3),
          totalItems: 1,
          pageInfo: {},
        }),
    });
    await renderContent({
      catalog,
      itsm: mockItsmApi({
        getMetrics: jest.fn(async ({ entityRef }) => HEALTH[entityRef]),
      }),
    });
    expect(
      await screen.findByText(/Your services could not be loaded/),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/catalog is down/)[0]).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByRole('link', { name: 'Payments API' }),
    ).toBeInTheDocument();
    expect(catalog.queryEntities).toHaveBeenCalledTimes(2);
  });
});
