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
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { homePageWidgetDataRef } from '@backstage/plugin-home-react/alpha';
import type { ItsmMetricsResponse } from '@backstage-itsm/plugin-itsm-common';
import { screen } from '@testing-library/react';
import { mockItsmApi } from '../../__fixtures__/mockItsmApi';
import { itsmApiRef } from '../../api';
import { myServicesHomePageWidget } from '../../alpha';

jest.setTimeout(30_000);

const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    title: 'Payments API',
  },
};

describe('myServicesHomePageWidget', () => {
  it('is a home page widget named ItsmMyServices that lists the user’s services in a My services card', async () => {
    const widget = createExtensionTester(myServicesHomePageWidget).get(
      homePageWidgetDataRef,
    );
    expect(widget.name).toBe('ItsmMyServices');
    expect(widget.title).toBe('My services');

    await renderInTestApp(widget.component, {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [
        [
          identityApiRef,
          mockApis.identity({
            userEntityRef: 'user:default/guest',
            ownershipEntityRefs: [
              'user:default/guest',
              'group:default/payments',
            ],
          }),
        ],
        [
          catalogApiRef,
          catalogApiMock.mock({
            queryEntities: jest.fn().mockResolvedValue({
              items: [paymentsApi],
              totalItems: 1,
              pageInfo: {},
            }),
          }),
        ],
        [
          itsmApiRef,
          mockItsmApi({
            getMetrics: jest.fn().mockResolvedValue({
              health: {
                verdict: 'degraded',
                reasons: ['1 P1/P2 incident is open'],
              },
              coverage: { covered: true, annotations: [] },
            } as unknown as ItsmMetricsResponse),
          }),
        ],
      ],
    });
    expect(await screen.findByText('My services')).toBeInTheDocument();
    expect(await screen.findByText('Payments API')).toBeInTheDocument();
    expect(screen.getByText('Degraded')).toBeInTheDocument();
    expect(screen.getByText('1 P1/P2 incident is open')).toBeInTheDocument();
  });
});
