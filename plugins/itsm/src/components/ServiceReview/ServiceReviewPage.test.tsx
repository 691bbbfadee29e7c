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
import { ResponseError } from '@backstage/errors';
import {
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  formatItsmReviewPeriod,
  type ItsmDataSource,
  parseItsmReviewPeriod,
} from '@backstage-itsm/plugin-itsm-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router-dom';
import { mockItsmApi } from '../../__fixtures__/mockItsmApi';
import {
  heldPaymentsReview,
  hrReview,
  paymentsReview,
} from '../../__fixtures__/review';
import { ItsmApi, itsmApiRef } from '../../api';
import { formatAsOf } from '../DataFreshness';
import { lastCompleteQuarter, nextReviewDueDate } from './period';
import { ServiceReviewContent, ServiceReviewPage } from './ServiceReviewPage';

const PAYMENTS = 'component:default/payments-api';
/**
 * The entity of the tests where the policy denies: usePermission caches
 * answers per permission and entity for the whole file (SWR), so a denial
 * must not share its entity with a test that was allowed.
 */
const OTHER_TEAM = 'component:default/hr-portal';
/**
 * A second entity for the test that denies only `itsm.review.update`: the
 * test that denies hold on OTHER_TEAM is allowed update there, and a cached
 * allow would show the buttons until SWR revalidates.
 */
const THIRD_TEAM = 'component:default/facilities-desk';

// Whole-page renders with charts and several clicks: slow on a busy CI box.
jest.setTimeout(30_000);

function LocationProbe() {
  const location = useLocation();
  return <div data-testid="location">{location.search}</div>;
}

function mockApi(overrides: Partial<ItsmApi> = {}): jest.Mocked<ItsmApi> {
  return mockItsmApi({
    getReview: jest.fn().mockResolvedValue(paymentsReview),
    ...overrides,
  }) as jest.Mocked<ItsmApi>;
}

/** What the permission policy answers, per permission name; allow by default. */
type Decisions = Record<string, AuthorizeResult.ALLOW | AuthorizeResult.DENY>;

function permissionApi(decisions: Decisions = {}) {
  return mockApis.permission({
    authorize: request =>
      decisions[request.permission.name] ?? AuthorizeResult.ALLOW,
  });
}

/** The catalog the entity picker searches; empty unless a test fills it. */
const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    title: 'Payments API',
  },
  spec: { type: 'service', owner: 'payments', lifecycle: 'production' },
};

async function renderPage(
  api: ItsmApi,
  route = `/review?entityRef=${encodeURIComponent(PAYMENTS)}&period=2026-Q3`,
  decisions: Decisions = {},
  entities: Entity[] = [],
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [itsmApiRef, api],
        [permissionApiRef, permissionApi(decisions)],
        [catalogApiRef, catalogApiMock({ entities })],
      ]}
    >
      <ServiceReviewPage />
      <LocationProbe />
    </TestApiProvider>,
    {
      routeEntries: [route],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

function section(title: string): HTMLElement {
  const heading = screen.getByText(title);
  return heading.closest('.itsm-review-section') as HTMLElement;
}

async function forbidden(): Promise<Error> {
  const response = new Response(
    JSON.stringify({
      error: { name: 'NotAllowedError', message: 'no' },
      request: { method: 'GET', url: '/reviews' },
      response: { statusCode: 403 },
    }),
    { status: 403, headers: { 'content-type': 'application/json' } },
  );
  return ResponseError.fromResponse(response as any);
}

describe('ServiceReviewPage', () => {
  it('renders every section of the review from one response', async () => {
    const api = mockApi();
    await renderPage(api);
    expect(
      await screen.findByRole('heading', { name: 'Payments API' }),
    ).toBeInTheDocument();
    expect(api.getReview).toHaveBeenCalledTimes(1);
    expect(api.getReview).toHaveBeenCalledWith({
      entityRef: PAYMENTS,
      period: '2026-Q3',
    });
    expect(screen.getByTestId('itsm-review-period')).toHaveTextContent(
      'Q3 2026',
    );
    expect(
      screen.getByText(/Jul 1, 2026 – Sep 30, 2026, UTC/),
    ).toBeInTheDocument();

    // Health verdict and reasons.
    expect(screen.getByTestId('itsm-health-verdict')).toHaveTextContent(
      'Degraded',
    );
    expect(
      screen.getByText(/Availability 99.71% is below the 99.9% target/),
    ).toBeInTheDocument();

    // Metrics against target and previous period; no-data metrics left out.
    const mttr = screen.getByTestId('itsm-review-metric-mttr');
    expect(within(mttr).getByText('Mean time to resolve')).toBeInTheDocument();
    expect(within(mttr).getByText('4h 12m')).toBeInTheDocument();
    expect(within(mttr).getByText('4h')).toBeInTheDocument();
    expect(within(mttr).getByText('at risk')).toBeInTheDocument();
    expect(within(mttr).getByText('5h')).toBeInTheDocument();
    expect(within(mttr).getByText('−48m')).toHaveAttribute(
      'data-trend',
      'better',
    );
    const availability = screen.getByTestId('itsm-review-metric-availability');
    expect(within(availability).getByText('breached')).toBeInTheDocument();
    expect(within(availability).getByText('−0.2 pp')).toHaveAttribute(
      'data-trend',
      'worse',
    );
    expect(
      screen.queryByTestId('itsm-review-metric-csat'),
    ).not.toBeInTheDocument();
    // Headline metrics first, in the department's order.
    expect(
      screen
        .getAllByTestId(/^itsm-review-metric-/)
        .map(row => row.dataset.testid),
    ).toEqual([
      'itsm-review-metric-incident_count',
      'itsm-review-metric-mtta',
      'itsm-review-metric-mttr',
      'itsm-review-metric-availability',
      'itsm-review-metric-change_failure_rate',
      'itsm-review-metric-sla_attainment',
      'itsm-review-metric-backlog',
    ]);
    // Trend charts of the headline metrics.
    for (const id of ['incident_count', 'mttr', 'availability']) {
      expect(screen.getByTestId(`itsm-review-trend-${id}`)).toBeInTheDocument();
    }
    expect(
      screen.getByText('Mean time to resolve by week · target 4h'),
    ).toBeInTheDocument();

    // Worst incidents, linked to the source.
    const worst = section('Worst incidents');
    expect(within(worst).getByText('INC0010231').closest('a')).toHaveAttribute(
      'href',
      'https://northwind.service-now.com/nav_to.do?uri=incident.do?sys_id=1',
    );
    expect(
      within(worst).getByText('Refunds take 10 minutes to confirm'),
    ).toBeInTheDocument();
    expect(within(worst).getByText('6h 30m')).toBeInTheDocument();

    // Failed changes with the incidents they caused.
    const failed = section('Failed changes');
    expect(
      within(failed).getByText('Deploy payment gateway 4.2'),
    ).toBeInTheDocument();
    expect(
      within(failed).getByText(
        'Card payments fail with 502 after gateway deploy',
      ),
    ).toBeInTheDocument();
    expect(within(failed).getByText('(P1, 6h 30m)')).toBeInTheDocument();

    // SLA breaches and open problems.
    expect(
      within(section('SLA breaches')).getByText('P1 resolution 4h'),
    ).toBeInTheDocument();
    expect(
      within(section('Open problems')).getByText(
        'Gateway connection pool exhausted under retry storms',
      ),
    ).toBeInTheDocument();

    // Improvements with their measured effect.
    const improvements = section('Improvements');
    expect(
      within(improvements).getByRole('table', { name: 'Overdue improvements' }),
    ).toHaveTextContent('Runbook for gateway rollback');
    expect(
      within(improvements).getByText(
        'Change failure rate: 20% → 12.5% (target 10%)',
      ),
    ).toBeInTheDocument();
    expect(
      within(improvements).getByText(
        'Mean time to acknowledge: 25m → 9m (target 15m)',
      ),
    ).toBeInTheDocument();
    expect(within(improvements).getByText('sustained')).toBeInTheDocument();

    // Hidden records, decisions, and the controls.
    expect(screen.getByTestId('itsm-review-hidden')).toHaveTextContent(
      '3 records hidden by permissions',
    );
    expect(
      within(section('Decisions and actions')).getByText(/Not held yet/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Hold this review' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Print / PDF' }),
    ).toBeInTheDocument();
  });

  it('moves between periods and keeps the choice in the URL', async () => {
    const api = mockApi();
    await renderPage(api);
    await screen.findByRole('heading', { name: 'Payments API' });

    await userEvent.click(
      screen.getByRole('button', { name: 'Previous period' }),
    );
    await waitFor(() =>
      expect(api.getReview).toHaveBeenLastCalledWith({
        entityRef: PAYMENTS,
        period: '2026-Q2',
      }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent('period=2026-Q2');
    expect(screen.getByTestId('location')).toHaveTextContent(
      'entityRef=component%3Adefault%2Fpayments-api',
    );

    await userEvent.click(screen.getByRole('button', { name: 'Month' }));
    await waitFor(() =>
      expect(api.getReview).toHaveBeenLastCalledWith({
        entityRef: PAYMENTS,
        period: '2026-06',
      }),
    );
    expect(screen.getByTestId('itsm-review-period')).toHaveTextContent(
      'June 2026',
    );
    expect(screen.getByTestId('location')).toHaveTextContent('period=2026-06');
  });

  it('opens the last complete quarter by default and names it in the URL', async () => {
    const api = mockApi();
    await renderPage(api, `/review?entityRef=${PAYMENTS}`);
    const expected = formatItsmReviewPeriod(lastCompleteQuarter());
    await waitFor(() =>
      expect(api.getReview).toHaveBeenCalledWith({
        entityRef: PAYMENTS,
        period: expected,
      }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      `period=${expected}`,
    );
  });

  it('asks for an entity and opens the review of the one found by typing part of its name', async () => {
    const api = mockApi();
    await renderPage(api, '/review', {}, [paymentsApi]);
    expect(screen.getByText('Choose an entity to review')).toBeInTheDocument();
    expect(api.getReview).not.toHaveBeenCalled();
    await userEvent.type(
      screen.getByRole('combobox', { name: 'Entity to review' }),
      'paym',
    );
    await userEvent.click(
      await screen.findByRole('option', { name: /Payments API/ }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      `entityRef=${encodeURIComponent(PAYMENTS)}`,
    );
    expect(
      await screen.findByRole('heading', { name: 'Payments API' }),
    ).toBeInTheDocument();
    expect(api.getReview).toHaveBeenCalledWith(
      expect.objectContaining({ entityRef: PAYMENTS }),
    );
  });

  it('says what to check when nothing falls in the period', async () => {
    await renderPage(
      mockApi({
        getReview: jest.fn().mockResolvedValue({
          ...paymentsReview,
          metrics: {},
          series: {},
          worstIncidents: [],
          failedChanges: [],
          slaBreaches: [],
          openProblems: [],
          hiddenRecordCount: 0,
        }),
      }),
    );
    expect(
      await screen.findByText(
        /No record of this entity falls in the period\. If you expected some, check that the entity bears the annotation a connected source maps on \(for example servicenow\.com\/ci-sysid or pagerduty\.com\/service-id\), or pick another period\./,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /No metric has data in this period: .* Add the source's annotation to the entity, or pick a longer period\./,
      ),
    ).toBeInTheDocument();
  });

  it('shows who held the review, and the decisions taken', async () => {
    await renderPage(
      mockApi({ getReview: jest.fn().mockResolvedValue(heldPaymentsReview) }),
    );
    const banner = await screen.findByTestId('itsm-review-held');
    expect(banner).toHaveTextContent(/Held by\s*priya.raman on/);
    expect(banner).toHaveTextContent('The numbers are frozen');
    expect(
      screen.getByText(/Gateway deploys go canary-first from November/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Hold this review' }),
    ).not.toBeInTheDocument();
  });

  it('holds the review with the decisions and then shows it held', async () => {
    const api = mockApi({
      holdReview: jest.fn().mockResolvedValue(heldPaymentsReview),
    });
    await renderPage(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Hold this review' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Hold the review of Q3 2026'),
    ).toBeInTheDocument();
    fireEvent.change(within(dialog).getByLabelText('Decisions and actions'), {
      target: { value: 'Canary deploys from November.' },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Hold review' }),
    );
    expect(api.holdReview).toHaveBeenCalledWith({
      entityRef: PAYMENTS,
      period: '2026-Q3',
      decisions: 'Canary deploys from November.',
    });
    expect(await screen.findByTestId('itsm-review-held')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.getReview).toHaveBeenCalledTimes(1);
  });

  it('says so in the dialog when the user may not hold the review', async () => {
    const api = mockApi({
      holdReview: jest.fn().mockRejectedValue(await forbidden()),
    });
    await renderPage(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Hold this review' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Hold review' }),
    );
    expect(
      await within(dialog).findByText(
        'You do not have permission to hold reviews of this entity.',
      ),
    ).toBeInTheDocument();
  });

  it('disables holding with a reason while the period has not ended', async () => {
    const future = {
      ...paymentsReview,
      period: {
        label: '2099-Q1',
        from: '2099-01-01T00:00:00.000Z',
        to: '2099-04-01T00:00:00.000Z',
      },
    };
    await renderPage(
      mockApi({ getReview: jest.fn().mockResolvedValue(future) }),
      `/review?entityRef=${encodeURIComponent(PAYMENTS)}&period=2099-Q1`,
    );
    const button = await screen.findByRole('button', {
      name: 'Hold this review',
    });
    expect(button).toBeDisabled();
    expect(button).toHaveAccessibleDescription(
      'A review can be held once its period has ended: from 1 Apr 2099.',
    );
  });

  it('disables holding with a reason when the user may not hold it', async () => {
    const api = mockApi();
    await renderPage(api, `/review?entityRef=${OTHER_TEAM}&period=2026-Q3`, {
      'itsm.review.hold': AuthorizeResult.DENY,
    });
    const button = await screen.findByRole('button', {
      name: 'Hold this review',
    });
    await waitFor(() =>
      expect(button).toHaveAccessibleDescription(
        'Only the owners of this entity and ITSM administrators can hold its review.',
      ),
    );
    expect(button).toBeDisabled();
    await userEvent.click(button).catch(() => undefined);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.holdReview).not.toHaveBeenCalled();
  });

  it('amends the decisions of a held review and shows their history', async () => {
    const amended = {
      ...heldPaymentsReview,
      held: {
        ...heldPaymentsReview.held!,
        decisions: 'Canary-first for every deploy.',
        amendments: [
          {
            at: '2026-10-08T09:30:00.000Z',
            by: 'user:default/nadia.cole',
            decisions: {
              from: heldPaymentsReview.held!.decisions,
              to: 'Canary-first for every deploy.',
            },
          },
        ],
      },
    };
    const api = mockApi({
      getReview: jest.fn().mockResolvedValue(heldPaymentsReview),
      amendReview: jest.fn().mockResolvedValue(amended),
    });
    await renderPage(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Amend decisions' }),
    );
    const dialog = await screen.findByRole('dialog');
    const field = within(dialog).getByLabelText('Decisions and actions');
    expect(field).toHaveValue(heldPaymentsReview.held!.decisions);
    fireEvent.change(field, {
      target: { value: 'Canary-first for every deploy.' },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Save decisions' }),
    );
    expect(api.amendReview).toHaveBeenCalledWith('rev-1', {
      decisions: 'Canary-first for every deploy.',
    });
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(screen.getByTestId('itsm-review-held')).toHaveTextContent(
      /Decisions amended once, last by\s*nadia.cole on/,
    );
    expect(
      screen.getByText('Canary-first for every deploy.'),
    ).toBeInTheDocument();
    const history = screen.getByTestId('itsm-review-decision-history');
    expect(history).toHaveTextContent('amended by user:default/nadia.cole');
    expect(history).toHaveTextContent(
      'Before: Gateway deploys go canary-first from November.',
    );
  });

  it('shows a zero count as 0, an unmeasured metric as unknown with its reason, and the notes of the sources', async () => {
    const metrics = paymentsReview.metrics;
    await renderPage(
      mockApi({
        getReview: jest.fn().mockResolvedValue({
          ...paymentsReview,
          metrics: {
            ...metrics,
            incident_count: {
              ...metrics.incident_count,
              value: 0,
              n: 0,
            },
            change_failure_rate: {
              ...metrics.change_failure_rate,
              notes: [
                'PagerDuty links a change to an incident by correlation: a heuristic.',
              ],
            },
            sla_attainment: {
              ...metrics.sla_attainment,
              value: null,
              n: 0,
              target: undefined,
              status: undefined,
              unknownReason: 'PagerDuty has no SLA data',
            },
          },
        }),
      }),
    );
    const count = await screen.findByTestId(
      'itsm-review-metric-incident_count',
    );
    expect(within(count).getByText('0')).toBeInTheDocument();
    const sla = screen.getByTestId('itsm-review-metric-sla_attainment');
    expect(within(sla).getByText('unknown')).toBeInTheDocument();
    expect(
      within(sla).getByText('PagerDuty has no SLA data'),
    ).toBeInTheDocument();
    expect(
      within(
        screen.getByTestId('itsm-review-metric-change_failure_rate'),
      ).getByTestId('itsm-review-note-change_failure_rate'),
    ).toHaveTextContent('a heuristic');
  });

  it('releases a held review after confirmation and reads it live again', async () => {
    const api = mockApi({
      getReview: jest
        .fn()
        .mockResolvedValueOnce(heldPaymentsReview)
        .mockResolvedValueOnce(paymentsReview),
      releaseReview: jest.fn().mockResolvedValue(undefined),
    });
    await renderPage(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Release' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Release the review of Q3 2026?'),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Release' }),
    );
    expect(api.releaseReview).toHaveBeenCalledWith('rev-1');
    expect(
      await screen.findByRole('button', { name: 'Hold this review' }),
    ).toBeEnabled();
    expect(screen.queryByTestId('itsm-review-held')).not.toBeInTheDocument();
    expect(api.getReview).toHaveBeenCalledTimes(2);
  });

  it('offers amend and release only to those who may change the held review', async () => {
    await renderPage(
      mockApi({ getReview: jest.fn().mockResolvedValue(heldPaymentsReview) }),
      `/review?entityRef=${THIRD_TEAM}&period=2026-Q3`,
      { 'itsm.review.update': AuthorizeResult.DENY },
    );
    expect(await screen.findByTestId('itsm-review-held')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Amend decisions' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Release' }),
    ).not.toBeInTheDocument();
  });

  it("says when a held review shows live numbers under the reader's permissions", async () => {
    await renderPage(
      mockApi({
        getReview: jest.fn().mockResolvedValue({
          ...heldPaymentsReview,
          held: { ...heldPaymentsReview.held!, figures: 'live' },
        }),
      }),
    );
    const banner = await screen.findByTestId('itsm-review-held');
    expect(banner).toHaveTextContent(
      'the numbers below are computed now, under your permissions',
    );
    expect(banner).not.toHaveTextContent('The numbers are frozen');
  });

  it('downloads the review as Markdown', async () => {
    const createObjectURL = jest.fn(() => 'blob:review');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const downloads: string[] = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        downloads.push(this.download);
      });
    try {
      const api = mockApi({
        getReviewMarkdown: jest.fn().mockResolvedValue('# Payments API'),
      });
      await renderPage(api);
      await userEvent.click(
        await screen.findByRole('button', { name: 'Download Markdown' }),
      );
      await waitFor(() =>
        expect(downloads).toEqual([
          'service-review-component-default-payments-api-2026-Q3.md',
        ]),
      );
      expect(api.getReviewMarkdown).toHaveBeenCalledWith({
        entityRef: PAYMENTS,
        period: '2026-Q3',
      });
      const blob = (createObjectURL.mock.calls[0] as unknown[])[0] as Blob;
      expect(blob.type).toBe('text/markdown;charset=utf-8');
      expect(revokeObjectURL).toHaveBeenCalledWith('blob:review');
    } finally {
      click.mockRestore();
    }
  });

  it('leaves out the hidden-records note when nothing is hidden', async () => {
    await renderPage(
      mockApi({
        getReview: jest
          .fn()
          .mockResolvedValue({ ...paymentsReview, hiddenRecordCount: 0 }),
      }),
    );
    await screen.findByRole('heading', { name: 'Payments API' });
    expect(screen.queryByTestId('itsm-review-hidden')).not.toBeInTheDocument();
  });

  it('says so when the user may not read the review', async () => {
    await renderPage(
      mockApi({ getReview: jest.fn().mockRejectedValue(await forbidden()) }),
    );
    expect(
      await screen.findByText('You do not have permission to see this'),
    ).toBeInTheDocument();
  });
});

describe('ServiceReviewPage data freshness', () => {
  const servicenow: ItsmDataSource = {
    providerId: 'servicenow:corp',
    department: 'it',
    lastSucceededAt: '2026-10-01T07:12:00.000Z',
    lastFinishedAt: '2026-10-01T07:12:00.000Z',
    lastRunFailed: false,
    failedParts: [],
    firstRunFinished: true,
  };
  const pagerduty: ItsmDataSource = {
    ...servicenow,
    providerId: 'pagerduty:main',
    lastSucceededAt: '2026-10-01T06:40:00.000Z',
    lastFinishedAt: '2026-10-01T06:40:00.000Z',
  };

  async function renderWith(sources: ItsmDataSource[] | undefined) {
    await renderPage(
      mockApi({
        getReview: jest.fn().mockResolvedValue({ ...paymentsReview, sources }),
      }),
    );
    await screen.findByRole('heading', { name: 'Payments API' });
    return section('Metrics against targets');
  }

  it('says under the numbers how current they are and from which sources', async () => {
    const metrics = await renderWith([pagerduty, servicenow]);
    expect(
      within(metrics).getByTestId('itsm-data-freshness'),
    ).toHaveTextContent(
      `Data as of ${formatAsOf(
        '2026-10-01T06:40:00.000Z',
      )} (PagerDuty main, ServiceNow corp)`,
    );
    expect(
      screen.queryByTestId('itsm-data-freshness-warning'),
    ).not.toBeInTheDocument();
  });

  it('warns when the last sync of a source failed', async () => {
    const metrics = await renderWith([
      { ...pagerduty, lastRunFailed: true },
      servicenow,
    ]);
    expect(
      within(metrics).getByTestId('itsm-data-freshness-warning'),
    ).toHaveTextContent(
      'The last PagerDuty main sync failed: figures may be incomplete',
    );
  });

  it('warns while the first sync of a source has not finished, and names unreadable tables', async () => {
    const metrics = await renderWith([
      {
        ...pagerduty,
        lastSucceededAt: null,
        lastFinishedAt: null,
        firstRunFinished: false,
      },
      { ...servicenow, failedParts: ['problem'] },
    ]);
    const items = within(
      within(metrics).getByTestId('itsm-data-freshness-warning'),
    ).getAllByRole('listitem');
    expect(items.map(item => item.textContent)).toEqual([
      'The first PagerDuty main sync has not finished: figures may be incomplete',
      'The last ServiceNow corp sync could not read problem: figures may be incomplete',
    ]);
  });

  it('says when no source has records of the entity', async () => {
    const metrics = await renderWith([]);
    expect(
      within(metrics).getByTestId('itsm-data-freshness'),
    ).toHaveTextContent('No source has records of this entity');
  });

  it('shows no line for a review held before sources were recorded', async () => {
    await renderWith(undefined);
    expect(screen.queryByTestId('itsm-data-freshness')).not.toBeInTheDocument();
  });
});

describe('ServiceReviewContent', () => {
  const hrEntity: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'hr-onboarding',
      title: 'Employee onboarding',
      annotations: { 'backstage-itsm.io/department': 'hr' },
    },
    spec: { type: 'service', owner: 'people-ops', lifecycle: 'production' },
  };

  async function renderContent(api: ItsmApi) {
    return renderInTestApp(
      <TestApiProvider
        apis={[
          [itsmApiRef, api],
          [permissionApiRef, permissionApi()],
        ]}
      >
        <EntityProvider entity={hrEntity}>
          <ServiceReviewContent />
        </EntityProvider>
      </TestApiProvider>,
      {
        routeEntries: [
          '/catalog/default/component/hr-onboarding/review?period=2026-Q3',
        ],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
  }

  it('words an HR review in cases, with fulfilment time instead of MTTR', async () => {
    const api = mockApi({ getReview: jest.fn().mockResolvedValue(hrReview) });
    await renderContent(api);
    expect(
      await screen.findByRole('heading', { name: 'Employee onboarding' }),
    ).toBeInTheDocument();
    expect(api.getReview).toHaveBeenCalledWith({
      entityRef: 'component:default/hr-onboarding',
      period: '2026-Q3',
    });
    expect(
      within(
        screen.getByTestId('itsm-review-metric-fulfilment_time'),
      ).getByText('Mean fulfilment time'),
    ).toBeInTheDocument();
    // The backlog counts incidents, not cases.
    expect(
      screen.queryByTestId('itsm-review-metric-backlog'),
    ).not.toBeInTheDocument();
    expect(screen.queryByText('Mean time to resolve')).not.toBeInTheDocument();
    expect(
      screen.queryByTestId('itsm-review-metric-mttr'),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByTestId('itsm-review-metric-availability'),
    ).not.toBeInTheDocument();
    expect(
      screen.getByTestId('itsm-review-trend-fulfilment_time'),
    ).toBeInTheDocument();
    // Sections in the desk's words; no changes, problems or incidents.
    const breaches = section('Cases that breached their SLA');
    expect(within(breaches).getByText('Case')).toBeInTheDocument();
    expect(within(breaches).getByTestId('itsm-redacted')).toBeInTheDocument();
    expect(
      within(breaches).queryByText(/\[redacted\]/),
    ).not.toBeInTheDocument();
    expect(screen.queryByText('Failed changes')).not.toBeInTheDocument();
    expect(screen.queryByText('Open problems')).not.toBeInTheDocument();
    expect(screen.queryByText('Worst incidents')).not.toBeInTheDocument();
  });

  it('adds an action owned by the entity owner, due before the next review', async () => {
    const api = mockApi({ getReview: jest.fn().mockResolvedValue(hrReview) });
    await renderContent(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Add action' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('New improvement')).toBeInTheDocument();
    expect(within(dialog).getByLabelText(/^Owner/)).toHaveValue(
      'group:default/people-ops',
    );
    expect(within(dialog).getByLabelText(/^Entities/)).toHaveValue(
      'component:default/hr-onboarding',
    );
    expect(within(dialog).getByLabelText(/^Due date/)).toHaveValue(
      nextReviewDueDate(parseItsmReviewPeriod('2026-Q3')!),
    );
  });
});
