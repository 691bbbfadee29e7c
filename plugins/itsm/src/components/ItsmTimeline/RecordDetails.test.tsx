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

/* eslint-disable no-script-url -- these tests feed hostile URLs on purpose */

import type { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DateTime } from 'luxon';
import { mockItsmApi } from '../../__fixtures__/mockItsmApi';
import { makeRecord } from '../../__fixtures__/records';
import { ItsmApi, itsmApiRef } from '../../api';
import { RecordDetails } from './RecordDetails';
import type { TimelineItem } from './timelineModel';

jest.setTimeout(30_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { owner: 'group:payments-team', type: 'service' },
};

function item(overrides: Parameters<typeof makeRecord>[0]): TimelineItem {
  const record = makeRecord(overrides);
  return {
    record,
    at: Date.parse(record.openedAt),
    caused: [],
    suspects: [],
    suspectFor: [],
  };
}

async function renderDetails(
  api: ItsmApi,
  timelineItem: TimelineItem,
  withEntity: boolean,
) {
  const details = (
    <RecordDetails
      item={timelineItem}
      onClose={jest.fn()}
      onSelect={jest.fn()}
    />
  );
  await renderInTestApp(
    <TestApiProvider apis={[[itsmApiRef, api]]}>
      {withEntity ? (
        <EntityProvider entity={entity}>{details}</EntityProvider>
      ) : (
        details
      )}
    </TestApiProvider>,
  );
}

describe('RecordDetails: create improvement', () => {
  it('opens a dialog prefilled from an incident and the page entity owner', async () => {
    const api = mockItsmApi({
      createImprovement: jest.fn().mockImplementation(async body => ({
        ...body,
        id: 'imp-1',
      })),
    });
    await renderDetails(
      api,
      item({
        id: 'inc-7',
        kind: 'incident',
        number: 'INC0007',
        title: 'Card payments fail with 502',
        entityRefs: ['component:default/payments-api'],
      }),
      true,
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Create improvement' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'New improvement',
    });
    const field = (label: string) =>
      within(dialog).getByLabelText(label, { exact: false });
    expect(field('Title')).toHaveValue(
      'Prevent recurrence: Card payments fail with 502',
    );
    expect(field('Owner')).toHaveValue('group:default/payments-team');
    expect(field('Entities')).toHaveValue('component:default/payments-api');
    expect(field('Motivating records')).toHaveValue('inc-7');
    const due = DateTime.now().plus({ days: 30 }).toISODate();
    expect(field('Due date')).toHaveValue(due);

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create' }),
    );
    await waitFor(() =>
      expect(api.createImprovement).toHaveBeenCalledWith(
        expect.objectContaining({
          title: 'Prevent recurrence: Card payments fail with 502',
          ownerRef: 'group:default/payments-team',
          entityRefs: ['component:default/payments-api'],
          recordIds: ['inc-7'],
          dueDate: due,
          department: 'it',
        }),
      ),
    );
    expect(
      await screen.findByText(
        'Improvement "Prevent recurrence: Card payments fail with 502" created.',
      ),
    ).toBeInTheDocument();
  });

  it('words a problem differently and leaves the owner empty outside an entity page', async () => {
    await renderDetails(
      mockItsmApi(),
      item({
        id: 'prb-1',
        kind: 'problem',
        number: 'PRB0001',
        title: 'Connection pool exhaustion',
        entityRefs: ['component:default/payments-api'],
      }),
      false,
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Create improvement' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'New improvement',
    });
    expect(
      within(dialog).getByLabelText('Title', { exact: false }),
    ).toHaveValue('Resolve problem: Connection pool exhaustion');
    expect(
      within(dialog).getByLabelText('Owner', { exact: false }),
    ).toHaveValue('');
  });

  it('offers no improvement for changes and requests', async () => {
    await renderDetails(mockItsmApi(), item({ kind: 'change' }), true);
    expect(
      screen.queryByRole('button', { name: 'Create improvement' }),
    ).not.toBeInTheDocument();
  });
});

describe('RecordDetails: link to the source', () => {
  it('links a record to its source system', async () => {
    await renderDetails(
      mockItsmApi(),
      item({ url: 'https://acme.service-now.com/incident.do?sys_id=1' }),
      true,
    );
    expect(
      screen.getByRole('link', { name: /Open in the source system/ }),
    ).toHaveAttribute(
      'href',
      'https://acme.service-now.com/incident.do?sys_id=1',
    );
  });

  it.each([
    'javascript:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    'https://admin:hunter2@acme.example/x',
  ])('renders a record stored with url %j, without a link', async url => {
    await renderDetails(
      mockItsmApi(),
      item({ number: 'INC0666', title: 'Hostile link', url }),
      true,
    );
    expect(screen.getByText(/INC0666/)).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /Open in the source system/ }),
    ).not.toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(url.slice(0, 12));
  });
});
