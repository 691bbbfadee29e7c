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

import { renderTestApp } from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import type { Entity } from '@backstage/catalog-model';
import { screen, waitFor } from '@testing-library/react';
import { makeRecord } from './__fixtures__/records';
import type { ItsmApi } from './api';
import { itsmApiRef } from './api';
import { serviceOwnershipCard, timelineContent } from './alpha';
import { mockItsmApi } from './__fixtures__/mockItsmApi';

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', owner: 'payments' },
};
const group: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'payments', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

function api(): ItsmApi {
  return mockItsmApi({
    getRecords: jest.fn().mockResolvedValue({
      items: [makeRecord({ state: 'new', title: 'Checkout returns 502' })],
    }),
    getRecord: jest.fn(),
    getMetrics: jest.fn().mockRejectedValue(new Error('not here')),
    getOwnership: jest.fn().mockResolvedValue({
      entityRef: 'component:default/payments-api',
      owner: null,
      tier: '1',
      supportHours: '24x7',
      escalationContact: null,
      sources: [],
      sourceErrors: [],
      drift: [],
    }),
    getSyncStatus: jest.fn(),
  });
}

describe('alpha extensions', () => {
  it('renders the ownership card for a component', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: component }),
        serviceOwnershipCard,
      ],
      apis: [[itsmApiRef, api()]],
    });
    // The app's first render loads every extension: give it the time a busy
    // CI machine needs, as the timeline test below does.
    expect(
      await screen.findByText('Service ownership', undefined, {
        timeout: 5000,
      }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('Hours: 24x7 · Tier: 1', undefined, {
        timeout: 5000,
      }),
    ).toBeInTheDocument();
  });

  it('does not render the ownership card for a group', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: group }),
        serviceOwnershipCard,
      ],
      apis: [[itsmApiRef, api()]],
    });
    await waitFor(() =>
      expect(screen.queryByText('Service ownership')).not.toBeInTheDocument(),
    );
  });

  it('renders the timeline tab for a component', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: component }),
        timelineContent,
      ],
      apis: [[itsmApiRef, api()]],
    });
    expect(
      await screen.findByText('Checkout returns 502', undefined, {
        timeout: 5000,
      }),
    ).toBeInTheDocument();
  });
});
