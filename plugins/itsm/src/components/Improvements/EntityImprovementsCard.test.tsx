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

const group: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'payments', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

async function renderCard(api: ItsmApi, trackerLink?: string, of = entity) {
  await renderInTestApp(
    <TestApiProvider apis={[[itsmApiRef, api]]}>
      <EntityProvider entity={of}>
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

  it("lists a group's improvements: about what it owns or led by it, naming each entity", async () => {
    const onOwned = makeImprovement({
      id: 'owned',
      title: 'Halve payments-api MTTR',
      status: 'in_progress',
      entityRefs: ['component:default/payments-api'],
      ownerRef: 'group:default/sre',
    });
    const led = makeImprovement({
      id: 'led',
      title: 'Payroll export',
      entityRefs: ['component:default/payroll', 'api:default/payroll-api'],
      ownerRef: 'group:default/payments',
    });
    const api = mockItsmApi({
      getImprovements: jest
        .fn()
        .mockResolvedValue({ items: [onOwned, led], totalCount: 2 }),
    });
    await renderCard(api, '/itsm/improvements', group);
    expect(api.getImprovements).toHaveBeenCalledWith({
      ownedBy: 'group:default/payments',
      limit: 100,
    });
    const owned = await screen.findByTestId('itsm-improvement-owned');
    expect(within(owned).getByText(/^on/)).toHaveTextContent(
      'on payments-api · led by sre',
    );
    expect(
      within(owned).getByRole('link', { name: 'payments-api' }),
    ).toHaveAttribute('href', '/catalog/default/component/payments-api');
    // Led by the group itself: no "led by".
    expect(
      within(screen.getByTestId('itsm-improvement-led')).getByText(/^on/),
    ).toHaveTextContent(/^on payroll, payroll-api$/);
    expect(
      screen.getByRole('link', { name: /All improvements/ }),
    ).toHaveAttribute(
      'href',
      '/itsm/improvements?ownedBy=group%3Adefault%2Fpayments',
    );
  });

  it('tells a group with no improvements what to do, and prefills the group as owner', async () => {
    const api = mockItsmApi({
      getImprovements: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0 }),
    });
    await renderCard(api, undefined, group);
    expect(
      await screen.findByText('No improvements for this team yet'),
    ).toBeInTheDocument();
    expect(screen.getByText(/set their spec.owner/)).toBeInTheDocument();
    await userEvent.click(
      screen.getAllByRole('button', { name: 'New improvement' })[0],
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'New improvement',
    });
    expect(
      within(dialog).getByLabelText('Owner', { exact: false }),
    ).toHaveValue('group:default/payments');
    expect(
      within(dialog).getByLabelText('Entities', { exact: false }),
    ).toHaveValue('');
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
