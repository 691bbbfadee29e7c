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
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockItsmApi } from '../../__fixtures__/mockItsmApi';
import { ItsmApi, itsmApiRef } from '../../api';
import { EntityImprovementsCard } from './EntityImprovementsCard';
import { makeImprovement, responseError } from './improvementFixtures';

jest.setTimeout(30_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { owner: 'payments-team', type: 'service', lifecycle: 'production' },
};

async function renderCard(api: ItsmApi, trackerLink?: string) {
  await renderInTestApp(
    <TestApiProvider apis={[[itsmApiRef, api]]}>
      <EntityProvider entity={entity}>
        <EntityImprovementsCard trackerLink={trackerLink} />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('EntityImprovementsCard', () => {
  it("lists the entity's improvements, open ones first, and links to the tracker", async () => {
    const done = makeImprovement({
      id: 'done',
      title: 'Old improvement',
      status: 'done',
      dueDate: '2026-01-01',
    });
    const open = makeImprovement({
      id: 'open',
      title: 'Open improvement',
      status: 'approved',
      dueDate: '2026-06-01',
      progress: {
        ...makeImprovement().progress,
        overdue: true,
      },
    });
    const api = mockItsmApi({
      getImprovements: jest
        .fn()
        .mockResolvedValue({ items: [done, open], totalCount: 2 }),
    });
    await renderCard(api, '/itsm/improvements');
    const rows = await screen.findAllByTestId(/^itsm-improvement-/);
    expect(rows.map(r => r.dataset.testid)).toEqual([
      'itsm-improvement-open',
      'itsm-improvement-done',
    ]);
    expect(within(rows[0]).getByText(/\(overdue\)/)).toBeInTheDocument();
    expect(screen.getByText('1 open of 2')).toBeInTheDocument();
    expect(api.getImprovements).toHaveBeenCalledWith({
      entityRef: 'component:default/payments-api',
      limit: 100,
    });
    expect(
      screen.getByRole('link', { name: /All improvements/ }),
    ).toHaveAttribute(
      'href',
      '/itsm/improvements?entityRef=component%3Adefault%2Fpayments-api',
    );
  });

  it('explains improvements when the entity has none, and prefills a new one with the entity and its owner', async () => {
    const api = mockItsmApi({
      getImprovements: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0 }),
    });
    await renderCard(api);
    expect(await screen.findByText('No improvements yet')).toBeInTheDocument();
    await userEvent.click(
      screen.getAllByRole('button', { name: 'New improvement' })[0],
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'New improvement',
    });
    expect(
      within(dialog).getByLabelText('Owner', { exact: false }),
    ).toHaveValue('group:default/payments-team');
    expect(
      within(dialog).getByLabelText('Entities', { exact: false }),
    ).toHaveValue('component:default/payments-api');
  });

  it('shows an error panel when loading fails', async () => {
    const api = mockItsmApi({
      getImprovements: jest
        .fn()
        .mockRejectedValue(await responseError(500, 'database is down')),
    });
    await renderCard(api);
    expect(
      await screen.findByText(/Could not load improvements/),
    ).toBeInTheDocument();
  });

  it('says so when the user may not read improvements', async () => {
    const api = mockItsmApi({
      getImprovements: jest
        .fn()
        .mockRejectedValue(await responseError(403, 'not allowed')),
    });
    await renderCard(api);
    expect(
      await screen.findByText('You do not have permission to see this'),
    ).toBeInTheDocument();
  });
});
