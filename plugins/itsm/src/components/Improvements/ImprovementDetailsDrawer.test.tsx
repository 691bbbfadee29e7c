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
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockItsmApi } from '../../__fixtures__/mockItsmApi';
import { ItsmApi, itsmApiRef } from '../../api';
import { ImprovementDetailsDrawer } from './ImprovementDetailsDrawer';
import { makeImprovementDetails, responseError } from './improvementFixtures';

jest.setTimeout(30_000);

const details = makeImprovementDetails({
  id: 'imp-1',
  title: 'Halve the restore time of payments',
  description: 'Runbooks and alerts for the top three failure modes.',
  status: 'in_progress',
  priority: 'high',
  records: [
    {
      id: 'r1',
      number: 'INC0001',
      title: 'Card payments fail',
      kind: 'incident',
    },
    { id: 'r2', number: 'PRB0001', title: 'Pool exhaustion', kind: 'problem' },
  ],
  hiddenRecordCount: 2,
  metric: {
    metricId: 'mttr',
    entityRef: 'component:default/payments-api',
    target: 14400,
    direction: 'lower_is_better',
    windowDays: 30,
    sustainWeeks: 3,
    baseline: 28800,
    baselineN: 12,
    baselineCapturedAt: '2026-01-01T00:00:00.000Z',
  },
  progress: {
    status: 'sustained',
    baseline: 28800,
    current: 10800,
    n: 7,
    target: 14400,
    fraction: 1.25,
    elapsed: 0.5,
    window: null,
    weeks: [
      { start: '2026-02-02T00:00:00.000Z', value: 12000, n: 2, met: true },
      { start: '2026-02-09T00:00:00.000Z', value: 9000, n: 3, met: true },
      { start: '2026-02-16T00:00:00.000Z', value: 10800, n: 2, met: true },
    ],
    overdue: false,
  },
  events: [
    {
      id: 'e1',
      improvementId: 'imp-1',
      at: '2026-01-01T00:00:00.000Z',
      actor: 'user:default/alice',
      type: 'created',
      changes: {},
      comment: null,
    },
    {
      id: 'e2',
      improvementId: 'imp-1',
      at: '2026-01-02T00:00:00.000Z',
      actor: 'user:default/bob',
      type: 'status_changed',
      changes: { status: { from: 'approved', to: 'in_progress' } },
      comment: 'Work started after the review',
    },
  ],
});

async function renderDrawer(api: ItsmApi) {
  const onClose = jest.fn();
  const onChanged = jest.fn();
  await renderInTestApp(
    <TestApiProvider apis={[[itsmApiRef, api]]}>
      <ImprovementDetailsDrawer
        improvementId="imp-1"
        onClose={onClose}
        onChanged={onChanged}
        recordLink={r =>
          r.kind === 'incident' ? `/records/${r.id}` : undefined
        }
      />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
  return { onClose, onChanged };
}

describe('ImprovementDetailsDrawer', () => {
  it('shows progress, motivating records, hidden records and history', async () => {
    const api = mockItsmApi({
      getImprovement: jest.fn().mockResolvedValue(details),
    });
    await renderDrawer(api);
    const region = await screen.findByRole('region', {
      name: 'Improvement Halve the restore time of payments',
    });
    expect(
      within(region).getByText(
        'Runbooks and alerts for the top three failure modes.',
      ),
    ).toBeInTheDocument();

    const progress = within(region).getByTestId('itsm-improvement-progress');
    expect(within(progress).getByText('8h')).toBeInTheDocument();
    expect(within(progress).getByText('3h')).toBeInTheDocument();
    expect(within(progress).getByText('4h')).toBeInTheDocument();
    expect(within(progress).getByText('125%')).toBeInTheDocument();
    expect(within(progress).getByText('sustained')).toBeInTheDocument();
    expect(
      within(progress).getByText('Target met for 3 consecutive weeks'),
    ).toBeInTheDocument();
    expect(
      within(progress).getByRole('img', {
        name: 'Weekly Mean time to resolve over the last 3 weeks',
      }),
    ).toBeInTheDocument();

    expect(
      within(region).getByRole('link', { name: 'INC0001: Card payments fail' }),
    ).toHaveAttribute('href', '/records/r1');
    expect(
      within(region).getByText('PRB0001: Pool exhaustion'),
    ).toBeInTheDocument();
    expect(
      within(region).getByText('2 records you may not see'),
    ).toBeInTheDocument();

    const events = within(region).getAllByTestId('itsm-improvement-event');
    expect(events).toHaveLength(2);
    expect(events[0]).toHaveTextContent('changed the status');
    expect(events[0]).toHaveTextContent('status: Approved → In progress');
    expect(events[0]).toHaveTextContent('Work started after the review');
    expect(events[1]).toHaveTextContent('created the improvement');
  });

  it('says how to link records and bind a metric when it has neither', async () => {
    const api = mockItsmApi({
      getImprovement: jest
        .fn()
        .mockResolvedValue(
          makeImprovementDetails({ id: 'imp-1', title: 'Bare improvement' }),
        ),
    });
    await renderDrawer(api);
    expect(
      await screen.findByText(
        'No record motivated this improvement. Link the incidents or problems behind it with Edit improvement (Motivating records).',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'No metric is bound to this improvement, so its progress is not measured. Bind one with Edit improvement (Metric and Target) to measure it against a target.',
      ),
    ).toBeInTheDocument();
  });

  it('adds a comment and reloads', async () => {
    const api = mockItsmApi({
      getImprovement: jest.fn().mockResolvedValue(details),
      updateImprovement: jest.fn().mockResolvedValue(details),
    });
    const { onChanged } = await renderDrawer(api);
    await userEvent.type(
      await screen.findByLabelText('Add a comment'),
      'Alerts are live',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Add comment' }));
    await waitFor(() =>
      expect(api.updateImprovement).toHaveBeenCalledWith('imp-1', {
        comment: 'Alerts are live',
      }),
    );
    await waitFor(() => expect(api.getImprovement).toHaveBeenCalledTimes(2));
    expect(onChanged).toHaveBeenCalled();
  });

  it('deletes only after confirmation, and explains a 403', async () => {
    const api = mockItsmApi({
      getImprovement: jest.fn().mockResolvedValue(details),
      deleteImprovement: jest
        .fn()
        .mockRejectedValueOnce(await responseError(403, 'not allowed'))
        .mockResolvedValueOnce(undefined),
    });
    const { onClose, onChanged } = await renderDrawer(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Delete improvement' }),
    );
    const confirm = await screen.findByRole('dialog', {
      name: 'Delete improvement?',
    });
    expect(api.deleteImprovement).not.toHaveBeenCalled();
    await userEvent.click(
      within(confirm).getByRole('button', { name: 'Delete' }),
    );
    expect(
      await within(confirm).findByText(
        'You do not have permission to delete this improvement.',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      within(confirm).getByRole('button', { name: 'Delete' }),
    );
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(onChanged).toHaveBeenCalledWith(undefined);
    expect(api.deleteImprovement).toHaveBeenCalledWith('imp-1');
  });

  it('opens the edit dialog with the improvement', async () => {
    const api = mockItsmApi({
      getImprovement: jest.fn().mockResolvedValue(details),
    });
    await renderDrawer(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Edit improvement' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Edit improvement',
    });
    expect(
      within(dialog).getByLabelText('Title', { exact: false }),
    ).toHaveValue('Halve the restore time of payments');
    expect(
      within(dialog).getByLabelText('Target', { exact: false }),
    ).toHaveValue('4h');
  });

  it('shows a permission message when the improvement may not be read', async () => {
    const api = mockItsmApi({
      getImprovement: jest
        .fn()
        .mockRejectedValue(await responseError(403, 'not allowed')),
    });
    await renderDrawer(api);
    expect(
      await screen.findByText('You do not have permission to see this'),
    ).toBeInTheDocument();
  });
});
