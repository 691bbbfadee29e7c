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
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockItsmApi } from '../../__fixtures__/mockItsmApi';
import { ItsmApi, itsmApiRef } from '../../api';
import { makeImprovement, responseError } from './improvementFixtures';
import { ImprovementTrackerPage } from './ImprovementTrackerPage';

const measured = makeImprovement({
  id: 'imp-mttr',
  title: 'Faster restores for payments',
  status: 'in_progress',
  priority: 'high',
  dueDate: '2026-01-15',
  metric: {
    metricId: 'mttr',
    entityRef: 'component:default/payments-api',
    target: 14400,
    direction: 'lower_is_better',
    windowDays: 30,
    sustainWeeks: 4,
    baseline: 21600,
    baselineN: 12,
    baselineCapturedAt: '2025-11-01T00:00:00.000Z',
  },
  progress: {
    status: 'overdue',
    baseline: 21600,
    current: 18000,
    n: 9,
    target: 14400,
    fraction: 0.5,
    elapsed: 1,
    window: null,
    weeks: [],
    overdue: true,
  },
});
const plain = makeImprovement({
  id: 'imp-plain',
  title: 'Document the payments runbook',
  ownerRef: 'group:default/sre',
});

function api(overrides: Partial<ItsmApi> = {}) {
  return mockItsmApi({
    getImprovements: jest
      .fn()
      .mockResolvedValue({ items: [measured, plain], totalCount: 2 }),
    ...overrides,
  });
}

async function renderPage(itsmApi: ItsmApi, route = '/') {
  await renderInTestApp(
    <TestApiProvider apis={[[itsmApiRef, itsmApi]]}>
      <ImprovementTrackerPage />
    </TestApiProvider>,
    {
      routeEntries: [route],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

// The full page with MUI tables is slow to re-render in jsdom.
jest.setTimeout(30_000);

describe('ImprovementTrackerPage', () => {
  it('lists improvements with status, priority, owner, due date and progress', async () => {
    const itsmApi = api();
    await renderPage(itsmApi);
    expect(screen.getByText('Continual improvement')).toBeInTheDocument();
    const row = await screen.findByTestId('itsm-improvement-imp-mttr');
    expect(
      within(row).getByText('Faster restores for payments'),
    ).toBeInTheDocument();
    expect(within(row).getByText('In progress')).toBeInTheDocument();
    expect(within(row).getByText('High')).toBeInTheDocument();
    expect(within(row).getByText('Mean time to resolve')).toBeInTheDocument();
    expect(within(row).getByText('6h → 5h → 4h')).toBeInTheDocument();
    expect(within(row).getByText('50%')).toBeInTheDocument();
    expect(within(row).getByText('overdue')).toBeInTheDocument();
    expect(within(row).getByTitle('Overdue')).toBeInTheDocument();
    const other = screen.getByTestId('itsm-improvement-imp-plain');
    expect(within(other).getByText('No bound metric')).toBeInTheDocument();
    expect(screen.getByText('2 improvements')).toBeInTheDocument();
    expect(itsmApi.getImprovements).toHaveBeenCalledWith({
      sort: 'dueDate',
      order: 'asc',
      limit: 25,
      offset: 0,
    });
  });

  it('sends the filters and sort as the query', async () => {
    const itsmApi = api();
    await renderPage(itsmApi);
    await screen.findByTestId('itsm-improvement-imp-mttr');
    await userEvent.click(screen.getByRole('button', { name: 'Proposed' }));
    await userEvent.click(screen.getByRole('button', { name: 'Approved' }));
    await userEvent.click(screen.getByLabelText('Overdue only'));
    fireEvent.change(screen.getByLabelText('Search'), {
      target: { value: 'runbook' },
    });
    fireEvent.change(screen.getByLabelText('Owner'), {
      target: { value: 'sre' },
    });
    fireEvent.change(screen.getByLabelText('Entity'), {
      target: { value: 'payments-api' },
    });
    await userEvent.click(screen.getByRole('combobox', { name: 'Sort by' }));
    await userEvent.click(screen.getByRole('option', { name: 'Last updated' }));
    await waitFor(() =>
      expect(itsmApi.getImprovements).toHaveBeenLastCalledWith({
        ownerRef: 'group:default/sre',
        entityRef: 'component:default/payments-api',
        status: ['proposed', 'approved'],
        overdue: true,
        q: 'runbook',
        sort: 'updatedAt',
        order: 'desc',
        limit: 25,
        offset: 0,
      }),
    );
  });

  it('takes filters from the URL', async () => {
    const itsmApi = api();
    await renderPage(
      itsmApi,
      '/?entityRef=component%3Adefault%2Fpayments-api&status=proposed,bogus',
    );
    await screen.findByTestId('itsm-improvement-imp-mttr');
    expect(itsmApi.getImprovements).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: 'component:default/payments-api',
        status: ['proposed'],
      }),
    );
  });

  it("shows a team's improvements from the team card's link, until the filter is removed", async () => {
    const itsmApi = api();
    await renderPage(itsmApi, '/?ownedBy=group%3Adefault%2Fpayments');
    await screen.findByTestId('itsm-improvement-imp-mttr');
    expect(itsmApi.getImprovements).toHaveBeenLastCalledWith(
      expect.objectContaining({ ownedBy: 'group:default/payments' }),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'New improvement' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'New improvement',
    });
    expect(
      within(dialog).getByLabelText('Owner', { exact: false }),
    ).toHaveValue('group:default/payments');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    const chip = screen.getByRole('button', {
      name: 'Owned or led by group:default/payments',
    });
    await userEvent.click(within(chip).getByTestId('CancelIcon'));
    await waitFor(() =>
      expect(itsmApi.getImprovements).toHaveBeenLastCalledWith(
        expect.not.objectContaining({ ownedBy: expect.anything() }),
      ),
    );
  });

  it('opens the details of an improvement from its title', async () => {
    const itsmApi = api({
      getImprovement: jest.fn().mockResolvedValue({ ...plain, events: [] }),
    });
    await renderPage(itsmApi);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Document the payments runbook',
      }),
    );
    expect(
      await screen.findByRole('region', {
        name: 'Improvement Document the payments runbook',
      }),
    ).toBeInTheDocument();
    expect(itsmApi.getImprovement).toHaveBeenCalledWith('imp-plain');
  });

  it('explains what an improvement is when there is none, and opens the create dialog', async () => {
    const itsmApi = api({
      getImprovements: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0 }),
    });
    await renderPage(itsmApi);
    expect(await screen.findByText('No improvements yet')).toBeInTheDocument();
    expect(
      screen.getByText(/An improvement is an agreed change/),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getAllByRole('button', { name: 'New improvement' })[0],
    );
    expect(
      await screen.findByRole('dialog', { name: 'New improvement' }),
    ).toBeInTheDocument();
  });

  it('says so when the user may not read improvements', async () => {
    const itsmApi = api({
      getImprovements: jest
        .fn()
        .mockRejectedValue(await responseError(403, 'not allowed')),
    });
    await renderPage(itsmApi);
    expect(
      await screen.findByText('You do not have permission to see this'),
    ).toBeInTheDocument();
  });
});
