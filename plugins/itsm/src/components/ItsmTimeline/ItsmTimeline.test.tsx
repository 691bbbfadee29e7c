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

import { ResponseError } from '@backstage/errors';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { storageApiRef, type StorageApi } from '@backstage/core-plugin-api';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  configure,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { makeRecord } from '../../__fixtures__/records';
import { ItsmApi, itsmApiRef } from '../../api';
import { ItsmTimeline, TimelineView } from './ItsmTimeline';
import { mockItsmApi } from '../../__fixtures__/mockItsmApi';

// The chart and the list render hundreds of elements: on a busy two-core
// machine a test takes seconds, and the first records more than the default
// second to appear.
jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 5_000 });

const now = Date.now();
const hoursAgo = (h: number) => new Date(now - h * 3600_000).toISOString();

const failedChange = makeRecord({
  kind: 'change',
  number: 'CHG0001',
  title: 'Deploy payments-api 4.2',
  state: 'closed',
  outcome: 'failed',
  changeType: 'normal',
  openedAt: hoursAgo(30),
  actualEnd: hoursAgo(26),
  closedAt: hoursAgo(25),
});
const openIncident = makeRecord({
  kind: 'incident',
  number: 'INC0001',
  title: 'Card payments fail with 502',
  state: 'in_progress',
  priority: 1,
  openedAt: hoursAgo(24),
  url: 'https://example.service-now.com/nav_to.do?uri=incident.do?sys_id=1',
  causedByChange: {
    externalId: failedChange.externalId,
    id: failedChange.id,
    number: 'CHG0001',
    title: failedChange.title,
  },
  slas: [
    {
      name: 'P1 resolution',
      kind: 'resolution',
      targetSeconds: 14400,
      stage: 'breached',
      breached: true,
      startAt: hoursAgo(24),
      endAt: null,
      breachAt: hoursAgo(20),
      businessElapsedSeconds: null,
    },
  ],
});
const closedIncident = makeRecord({
  kind: 'incident',
  number: 'INC0002',
  title: 'Slow refunds',
  state: 'closed',
  priority: 3,
  openedAt: hoursAgo(200),
  resolvedAt: hoursAgo(190),
});
const goodChange = makeRecord({
  kind: 'change',
  number: 'CHG0002',
  title: 'Rotate TLS certificates',
  state: 'closed',
  outcome: 'successful',
  openedAt: hoursAgo(300),
  actualEnd: hoursAgo(299),
});

function mockApi(overrides: Partial<ItsmApi> = {}): jest.Mocked<ItsmApi> {
  return mockItsmApi({
    getRecords: jest.fn().mockResolvedValue({
      items: [openIncident, failedChange, closedIncident, goodChange],
    }),
    getRecord: jest.fn(),
    getMetrics: jest.fn(),
    getOwnership: jest.fn(),
    getSyncStatus: jest.fn(),
    ...overrides,
  }) as jest.Mocked<ItsmApi>;
}

/**
 * The timeline of payments-api. Each test gets a storage of its own (the
 * test app's default one lives as long as the file): remembered filters
 * must not leak from one test into the next.
 */
async function renderTimeline(
  api: ItsmApi,
  storage: StorageApi = mockApis.storage(),
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [itsmApiRef, api],
        [storageApiRef, storage],
      ]}
    >
      <ItsmTimeline entityRef="component:default/payments-api" />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

function renderView(element: JSX.Element) {
  return renderInTestApp(
    <TestApiProvider apis={[[storageApiRef, mockApis.storage()]]}>
      {element}
    </TestApiProvider>,
  );
}

function rows() {
  return within(
    screen.getByRole('table', { name: 'ITSM records' }),
  ).queryAllByRole('row');
}

describe('ItsmTimeline', () => {
  it("opens the window's whole history without touching a filter: resolved incidents and the change → incident link", async () => {
    const api = mockApi();
    await renderTimeline(api);
    expect(
      await screen.findByText('Card payments fail with 502'),
    ).toBeInTheDocument();
    expect(api.getRecords).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: 'component:default/payments-api',
        limit: 2000,
      }),
    );
    expect(rows()).toHaveLength(4);
    // Newest first.
    expect(
      rows().map(r => within(r).getAllByText(/^(INC|CHG)/)[0].textContent),
    ).toEqual(['INC0001', 'CHG0001', 'INC0002', 'CHG0002']);
    // The resolved incident is there, and the link both ways.
    expect(within(rows()[2]).getByText('Slow refunds')).toBeInTheDocument();
    expect(
      within(rows()[0]).getByText('caused by CHG0001'),
    ).toBeInTheDocument();
    expect(
      within(rows()[1]).getByText('caused 1 incident'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Open only')).not.toBeChecked();
    expect(
      screen.getByText('4 of 4 records, 1 open', { exact: false }),
    ).toBeInTheDocument();
    // Open records stand out: bold, and said so in the row.
    expect(
      within(rows()[0]).getByText('Card payments fail with 502'),
    ).toHaveStyle({ fontWeight: 600 });
    expect(
      within(rows()[0]).getByText(/^open: in progress/),
    ).toBeInTheDocument();
    expect(within(rows()[2]).queryByText(/^open:/)).not.toBeInTheDocument();
    expect(
      within(screen.getByRole('list', { name: 'Legend' })).getByText(
        'Change → incident it caused',
      ),
    ).toBeInTheDocument();
  });

  it('"Open only" shows the open records alone, and the history again when switched off', async () => {
    await renderTimeline(mockApi());
    await screen.findByText('Card payments fail with 502');
    await userEvent.click(screen.getByLabelText('Open only'));
    expect(rows()).toHaveLength(1);
    expect(
      within(rows()[0]).getByText('Card payments fail with 502'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        '1 of 4 records, 1 open (open only: switch it off to see history)',
      ),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Open only'));
    expect(rows()).toHaveLength(4);
  });

  it('remembers the filter choices and the window in this browser, across remounts', async () => {
    const storage = mockApis.storage();
    const api = mockApi();
    const first = await renderTimeline(api, storage);
    await screen.findByText('Card payments fail with 502');
    await userEvent.click(screen.getByLabelText('Open only'));
    fireEvent.mouseDown(screen.getByLabelText('Window'));
    await userEvent.click(
      within(await screen.findByRole('listbox')).getByText('365 days'),
    );
    await screen.findByText('Card payments fail with 502');
    expect(
      storage.forBucket('itsm.timeline').snapshot('filters').value,
    ).toMatchObject({ openOnly: true });
    expect(storage.forBucket('itsm.timeline').snapshot('days').value).toBe(365);
    first.unmount();

    api.getRecords.mockClear();
    await renderTimeline(api, storage);
    await screen.findByText('Card payments fail with 502');
    expect(screen.getByLabelText('Open only')).toBeChecked();
    expect(rows()).toHaveLength(1);
    // The first request of the new mount already asks for 365 days.
    const from = Date.parse(api.getRecords.mock.calls[0][0].from!);
    expect(Math.round((Date.now() - from) / 86_400_000)).toBe(365);
  });

  it('filters to failed changes and opens an incident with its details and source link', async () => {
    await renderTimeline(mockApi());
    await screen.findByText('Card payments fail with 502');
    await userEvent.click(screen.getByLabelText('Failed changes'));
    expect(rows()).toHaveLength(1);
    expect(
      within(rows()[0]).getByText('Deploy payments-api 4.2'),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByLabelText('Failed changes'));
    fireEvent.click(screen.getByText('Card payments fail with 502'));
    const details = await screen.findByRole('region', {
      name: 'Details of INC0001',
    });
    expect(
      within(details).getByText('P1 resolution (resolution, target 4h)'),
    ).toBeInTheDocument();
    expect(within(details).getByText('breached')).toBeInTheDocument();
    expect(
      within(details).getByText('Open in the source system').closest('a'),
    ).toHaveAttribute(
      'href',
      'https://example.service-now.com/nav_to.do?uri=incident.do?sys_id=1',
    );
    // Following the link to the change that caused it.
    fireEvent.click(
      within(details).getByText('CHG0001: Deploy payments-api 4.2'),
    );
    expect(
      await screen.findByRole('region', { name: 'Details of CHG0001' }),
    ).toBeInTheDocument();
  });

  it('explains how to map a source when no record maps to the entity', async () => {
    const api = mockApi({
      getRecords: jest.fn().mockResolvedValue({ items: [] }),
    });
    await renderTimeline(api);
    expect(
      await screen.findByText('No ITSM source maps to this entity'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /add one of the annotations servicenow.com\/ci-sysid, pagerduty.com\/service-id/,
      ),
    ).toBeInTheDocument();
  });

  it('says so when the user may not read the records', async () => {
    const response = new Response(
      JSON.stringify({
        error: { name: 'NotAllowedError', message: 'no' },
        request: { method: 'GET', url: '/records' },
        response: { statusCode: 403 },
      }),
      { status: 403, headers: { 'content-type': 'application/json' } },
    );
    const error = await ResponseError.fromResponse(response as any);
    await renderTimeline(
      mockApi({ getRecords: jest.fn().mockRejectedValue(error) }),
    );
    expect(
      await screen.findByText('You do not have permission to see this'),
    ).toBeInTheDocument();
  });

  it('renders only the rows in view with 10,000 records', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      makeRecord({
        id: `m${i}`,
        number: `INC${100000 + i}`,
        state: 'in_progress',
        openedAt: new Date(now - i * 60_000).toISOString(),
      }),
    );
    await renderView(
      <TimelineView records={many} days={90} onDaysChange={() => {}} />,
    );
    expect(
      screen.getByText('10,000 of 10,000 records, 10,000 open'),
    ).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'ITSM records' });
    expect(table).toHaveAttribute('aria-rowcount', '10000');
    expect(within(table).getAllByRole('row').length).toBeLessThan(40);
  });

  it("words an HR desk's records as cases and withholds redacted values", async () => {
    const hrCase = makeRecord({
      kind: 'request',
      department: 'hr',
      number: 'HRC0000812',
      title: 'Onboarding for [redacted]: laptop not ready',
      assignee: '[redacted]',
      state: 'in_progress',
      openedAt: hoursAgo(5),
    });
    await renderView(
      <TimelineView records={[hrCase]} days={90} onDaysChange={() => {}} />,
    );
    const row = rows()[0];
    expect(within(row).getByText(/^case · P3/)).toBeInTheDocument();
    expect(within(row).getAllByTestId('itsm-redacted')).toHaveLength(2);
    expect(row).not.toHaveTextContent('[redacted]');
    expect(within(row).getByText(/Onboarding for/)).toBeInTheDocument();

    fireEvent.mouseDown(screen.getByLabelText('Kind'));
    const options = within(await screen.findByRole('listbox')).getAllByRole(
      'option',
    );
    expect(options.map(o => o.textContent)).toEqual(['Cases']);
    expect(screen.queryByLabelText('Failed changes')).not.toBeInTheDocument();
  });

  it("titles the timeline in the department's words", async () => {
    const api = mockApi({
      getRecords: jest.fn().mockResolvedValue({
        items: [
          makeRecord({
            kind: 'request',
            department: 'facilities',
            state: 'new',
            openedAt: hoursAgo(3),
          }),
        ],
      }),
    });
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [itsmApiRef, api],
          [storageApiRef, mockApis.storage()],
        ]}
      >
        <ItsmTimeline
          entityRef="component:default/building-services"
          department="facilities"
        />
      </TestApiProvider>,
    );
    expect(await screen.findByText('Work orders')).toBeInTheDocument();
    expect(screen.getByText(/^work order · P3/)).toBeInTheDocument();
  });

  it('names the range slider and summarises the chart in text', async () => {
    await renderTimeline(mockApi());
    await screen.findByText('Card payments fail with 502');
    const start = screen.getByRole('slider', {
      name: 'Start of the visible time range',
    });
    const end = screen.getByRole('slider', {
      name: 'End of the visible time range',
    });
    expect(start).toHaveAttribute('aria-valuetext');
    expect(end.getAttribute('aria-valuetext')).toMatch(/\d{4}/);
    expect(
      screen.getByRole('img', {
        name: /^4 records from .+: 2 incidents \(1 open\), 2 changes \(0 open\), 0 problems \(0 open\), 0 requests \(0 open\)$/,
      }),
    ).toBe(screen.getByTestId('itsm-timeline-chart'));
  });

  it('says a correlated change → incident link is a heuristic, with its reason', async () => {
    const pdChange = makeRecord({
      providerId: 'pagerduty:main',
      kind: 'change',
      number: null,
      externalId: 'PCHG1',
      title: 'Deploy checkout 7.1',
      state: 'closed',
      openedAt: hoursAgo(10),
      actualEnd: hoursAgo(10),
    });
    const pdIncident = makeRecord({
      providerId: 'pagerduty:main',
      kind: 'incident',
      number: 'Q1ABC',
      title: 'Checkout latency',
      state: 'resolved',
      priority: 2,
      openedAt: hoursAgo(9),
      causedByChange: {
        externalId: 'PCHG1',
        id: pdChange.id,
        number: 'PCHG1',
        title: pdChange.title,
        reason: 'most_recent',
      } as any,
    });
    await renderTimeline(
      mockApi({
        getRecords: jest
          .fn()
          .mockResolvedValue({ items: [pdIncident, pdChange] }),
      }),
    );
    const chip = await screen.findByText('caused by PCHG1 (correlation)');
    fireEvent.click(chip);
    const details = await screen.findByRole('region', {
      name: 'Details of Q1ABC',
    });
    expect(
      within(details).getByText(
        'Linked by correlation (reason: most recent): a heuristic, not a confirmed cause.',
      ),
    ).toBeInTheDocument();
  });

  it('offers a wider window when nothing of a mapped entity is in this one', async () => {
    const getRecords = jest.fn(async (query: { from?: string }) => {
      const days = query.from
        ? (Date.now() - Date.parse(query.from)) / 86_400_000
        : Infinity;
      return { items: days > 200 ? [closedIncident] : [] };
    });
    await renderTimeline(mockApi({ getRecords }));
    expect(
      await screen.findByText(
        'No incidents, changes and problems in the last 90 days',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('itsm-timeline-chart')).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Show the last 365 days' }),
    );
    expect(await screen.findByText('Slow refunds')).toBeInTheDocument();
  });

  it('names the annotations to add when no source covers the entity, and waits for records when one does', async () => {
    const empty = jest.fn().mockResolvedValue({ items: [] });
    const uncovered = await renderTimeline(
      mockApi({
        getRecords: empty,
        getMetrics: jest.fn().mockResolvedValue({
          coverage: { covered: false, annotations: ['acme.io/service-id'] },
        }),
      }),
    );
    expect(
      await screen.findByText('No ITSM source maps to this entity'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/add the annotation acme.io\/service-id/),
    ).toBeInTheDocument();
    uncovered.unmount();

    await renderTimeline(
      mockApi({
        getRecords: empty,
        getMetrics: jest.fn().mockResolvedValue({
          coverage: { covered: true, annotations: ['acme.io/service-id'] },
        }),
      }),
    );
    expect(
      await screen.findByText(
        'No incidents, changes and problems in the last 90 days',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByText('No ITSM source maps to this entity'),
    ).not.toBeInTheDocument();
  });

  it('says how to get records back when the filters hide them all', async () => {
    await renderTimeline(mockApi());
    await screen.findByText('Card payments fail with 502');
    fireEvent.change(screen.getByLabelText('Search'), {
      target: { value: 'no such thing' },
    });
    expect(
      await screen.findByText('No record matches the filters'),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getAllByRole('button', { name: 'Reset filters' })[0],
    );
    await waitFor(() => expect(rows()).toHaveLength(4));
  });
});
