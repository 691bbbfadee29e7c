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

import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  ITSM_BUILTIN_METRIC_DEFINITIONS,
  ItsmDataSource,
  ItsmMetricsResponse,
} from '@backstage-itsm/plugin-itsm-common';
import { fireEvent, screen, within } from '@testing-library/react';
import { makeRecord } from '../../__fixtures__/records';
import { ItsmApi, itsmApiRef } from '../../api';
import { OutcomeMetricsCard } from './OutcomeMetricsCard';
import { mockItsmApi } from '../../__fixtures__/mockItsmApi';
import { formatAsOf } from '../DataFreshness';

const response: ItsmMetricsResponse = {
  entityRef: 'component:default/payments-api',
  from: '2026-10-24T00:00:00.000Z',
  to: '2026-11-23T00:00:00.000Z',
  previous: {
    from: '2026-09-24T00:00:00.000Z',
    to: '2026-10-24T00:00:00.000Z',
  },
  scope: { entityCount: 1 },
  metrics: {
    mttr: {
      value: 15120,
      n: 12,
      unit: 'seconds',
      mean: 15120,
      p50: 7200,
      p90: 36000,
      target: 14400,
      status: 'at_risk',
      previous: { value: 18000, n: 9 },
      definition: ITSM_BUILTIN_METRIC_DEFINITIONS.mttr,
    },
    availability: {
      value: 0.9995,
      n: 1,
      unit: 'ratio',
      target: 0.999,
      status: 'met',
      previous: { value: 0.998, n: 2 },
      definition: ITSM_BUILTIN_METRIC_DEFINITIONS.availability,
    },
    csat: {
      value: null,
      n: 0,
      unit: 'ratio',
      definition: ITSM_BUILTIN_METRIC_DEFINITIONS.csat,
    },
  },
  series: {
    mttr: [
      {
        start: '2026-10-24T00:00:00.000Z',
        end: '2026-10-31T00:00:00.000Z',
        value: 20000,
        n: 3,
      },
      {
        start: '2026-10-31T00:00:00.000Z',
        end: '2026-11-07T00:00:00.000Z',
        value: 12000,
        n: 4,
      },
    ],
  },
  health: { verdict: 'degraded', reasons: [] },
  warnings: [],
};

function mockApi(overrides: Partial<ItsmApi> = {}): jest.Mocked<ItsmApi> {
  return mockItsmApi({
    getRecords: jest.fn(),
    getRecord: jest.fn(async (id: string) =>
      makeRecord({ id, number: `INC-${id}`, title: `Incident ${id}` }),
    ),
    getMetrics: jest.fn(async query =>
      query.explain
        ? {
            ...response,
            explain: {
              metricId: 'mttr',
              recordIds: ['a', 'b'],
              truncated: false,
            },
          }
        : response,
    ),
    getOwnership: jest.fn(),
    getSyncStatus: jest.fn(),
    ...overrides,
  }) as jest.Mocked<ItsmApi>;
}

describe('OutcomeMetricsCard', () => {
  it('shows each metric with its target status, trend and n, and hides metrics without data', async () => {
    const api = mockApi();
    await renderInTestApp(
      <TestApiProvider apis={[[itsmApiRef, api]]}>
        <OutcomeMetricsCard entityRef="component:default/payments-api" />
      </TestApiProvider>,
    );
    expect(await screen.findByTestId('itsm-metric-mttr')).toHaveTextContent(
      '4h 12m',
    );
    expect(screen.getByText('p50 2h · p90 10h')).toBeInTheDocument();
    expect(screen.getByText('−48m vs previous · n = 12')).toBeInTheDocument();
    expect(screen.getByText('at risk: target 4h')).toBeInTheDocument();
    expect(screen.getByTestId('itsm-metric-availability')).toHaveTextContent(
      '99.95%',
    );
    expect(screen.getByText('met: target 99.9%')).toBeInTheDocument();
    expect(screen.queryByTestId('itsm-metric-csat')).not.toBeInTheDocument();
    expect(
      screen.getByText(/1 metrics without data hidden/),
    ).toBeInTheDocument();
    expect(api.getMetrics).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: 'component:default/payments-api',
        bucket: 'day',
      }),
    );
  });

  it('opens the records behind a number', async () => {
    const api = mockApi();
    await renderInTestApp(
      <TestApiProvider apis={[[itsmApiRef, api]]}>
        <OutcomeMetricsCard entityRef="component:default/payments-api" />
      </TestApiProvider>,
    );
    fireEvent.click(await screen.findByTestId('itsm-metric-mttr'));
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText('INC-a: Incident a'),
    ).toBeInTheDocument();
    expect(within(dialog).getByText('INC-b: Incident b')).toBeInTheDocument();
    expect(api.getMetrics).toHaveBeenCalledWith(
      expect.objectContaining({ explain: 'mttr', metrics: ['mttr'] }),
    );
  });

  it('says how many records behind a number the viewer may not read', async () => {
    const api = mockApi({
      getMetrics: jest.fn(async query =>
        query.explain
          ? {
              ...response,
              explain: {
                metricId: 'mttr',
                recordIds: [],
                hiddenRecordCount: 3,
                truncated: false,
              },
            }
          : response,
      ),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[itsmApiRef, api]]}>
        <OutcomeMetricsCard entityRef="component:default/payments-api" />
      </TestApiProvider>,
    );
    fireEvent.click(await screen.findByTestId('itsm-metric-mttr'));
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByTestId('itsm-hidden-records'),
    ).toHaveTextContent(
      '3 records are not listed because you may not read them.',
    );
    expect(api.getRecord).not.toHaveBeenCalled();
  });

  it('shows an HR desk its own headline metrics, fulfilment time first and no MTTR', async () => {
    const hr: ItsmMetricsResponse = {
      ...response,
      metrics: {
        ...response.metrics,
        fulfilment_time: {
          value: 259200,
          n: 41,
          unit: 'seconds',
          target: 345600,
          status: 'met',
          previous: { value: 345600, n: 37 },
          definition: ITSM_BUILTIN_METRIC_DEFINITIONS.fulfilment_time,
        },
        backlog: {
          value: 6,
          n: 6,
          unit: 'count',
          definition: ITSM_BUILTIN_METRIC_DEFINITIONS.backlog,
        },
        sla_attainment: {
          value: null,
          n: 0,
          unit: 'ratio',
          definition: ITSM_BUILTIN_METRIC_DEFINITIONS.sla_attainment,
        },
      },
    };
    const api = mockApi({ getMetrics: jest.fn().mockResolvedValue(hr) });
    await renderInTestApp(
      <TestApiProvider apis={[[itsmApiRef, api]]}>
        <OutcomeMetricsCard
          entityRef="component:default/hr-onboarding"
          department="hr"
        />
      </TestApiProvider>,
    );
    expect(
      await screen.findByTestId('itsm-metric-fulfilment_time'),
    ).toHaveTextContent('3d');
    expect(screen.getByText('Mean fulfilment time')).toBeInTheDocument();
    // The backlog counts incidents: not a case desk's number.
    expect(screen.queryByTestId('itsm-metric-backlog')).not.toBeInTheDocument();
    // A headline metric without data says so rather than disappearing.
    expect(screen.getByTestId('itsm-metric-sla_attainment')).toHaveTextContent(
      'no data',
    );
    expect(screen.queryByTestId('itsm-metric-mttr')).not.toBeInTheDocument();
    expect(
      screen.queryByTestId('itsm-metric-availability'),
    ).not.toBeInTheDocument();
    expect(screen.queryByText('Mean time to resolve')).not.toBeInTheDocument();
    expect(
      screen.getAllByTestId(/^itsm-metric-/).map(e => e.dataset.testid),
    ).toEqual(['itsm-metric-fulfilment_time', 'itsm-metric-sla_attainment']);
    // Satisfaction shows once surveys answer; without any it stays out.
    expect(screen.queryByTestId('itsm-metric-csat')).not.toBeInTheDocument();
    expect(
      screen.getByText(/3 IT service metrics not shown/),
    ).toBeInTheDocument();
  });
});

describe('OutcomeMetricsCard zero, unknown and notes', () => {
  async function renderWith(body: ItsmMetricsResponse) {
    const api = mockApi({ getMetrics: jest.fn().mockResolvedValue(body) });
    await renderInTestApp(
      <TestApiProvider apis={[[itsmApiRef, api]]}>
        <OutcomeMetricsCard entityRef="component:default/payments-api" />
      </TestApiProvider>,
    );
  }

  const covered: ItsmMetricsResponse = {
    ...response,
    bucket: 'week',
    coverage: { covered: true, annotations: ['servicenow.com/ci-sysid'] },
    metrics: {
      ...response.metrics,
      incident_count: {
        value: 0,
        n: 0,
        unit: 'count',
        byKey: {},
        previous: { value: 3, n: 3 },
        definition: ITSM_BUILTIN_METRIC_DEFINITIONS.incident_count,
      },
      backlog: {
        value: 0,
        n: 0,
        unit: 'count',
        p50: null,
        previous: { value: 0, n: 0 },
        definition: ITSM_BUILTIN_METRIC_DEFINITIONS.backlog,
      },
      reopen_rate: {
        value: null,
        n: 4,
        unit: 'ratio',
        previous: { value: null, n: 2 },
        unknownReason: 'PagerDuty does not report reopenings',
        definition: ITSM_BUILTIN_METRIC_DEFINITIONS.reopen_rate,
      },
      change_failure_rate: {
        value: 0.25,
        n: 4,
        unit: 'ratio',
        previous: { value: null, n: 0 },
        notes: [
          'Changes are linked to incidents by PagerDuty correlation: a heuristic.',
        ],
        definition: ITSM_BUILTIN_METRIC_DEFINITIONS.change_failure_rate,
      },
      availability: {
        ...response.metrics.availability,
        notes: [
          'Outages are P1 and P2 incidents (the default; set backstage-itsm.io/outage-priority-threshold to change it).',
        ],
      },
    },
  };

  it('shows zero counts as 0, not among the metrics without data', async () => {
    await renderWith(covered);
    expect(
      await screen.findByTestId('itsm-metric-incident_count'),
    ).toHaveTextContent(/^0$/);
    expect(screen.getByTestId('itsm-metric-backlog')).toHaveTextContent(/^0$/);
    expect(
      screen.getByRole('button', {
        name: /^Incidents 0 .*, show the records behind it$/,
      }),
    ).toBeInTheDocument();
    // Only CSAT (nothing answered) is without data.
    expect(
      screen.getByText(/1 metrics without data hidden/),
    ).toBeInTheDocument();
  });

  it('shows a metric no covering source can measure as unknown, with the reason', async () => {
    await renderWith(covered);
    expect(
      await screen.findByTestId('itsm-metric-reopen_rate'),
    ).toHaveTextContent('unknown');
    expect(
      screen.getByTestId('itsm-metric-reopen_rate-reason'),
    ).toHaveTextContent('PagerDuty does not report reopenings');
    // The tile's name is what it shows, the reason included (label in name).
    expect(
      screen.getByRole('button', {
        name: /^Reopen rate unknown PagerDuty does not report reopenings .*, show the records behind it$/,
      }),
    ).toBeInTheDocument();
  });

  it('puts the sources notes beside the metrics', async () => {
    await renderWith(covered);
    expect(
      await screen.findByTestId('itsm-metric-change_failure_rate-notes'),
    ).toHaveTextContent(
      'Changes are linked to incidents by PagerDuty correlation: a heuristic.',
    );
    expect(
      screen.getByTestId('itsm-metric-availability-notes'),
    ).toHaveTextContent('Outages are P1 and P2 incidents');
  });

  it('gives each chart a text alternative', async () => {
    await renderWith(covered);
    expect(
      await screen.findByRole('img', {
        name: 'Mean time to resolve per week, 2 of 2 buckets with data: first 5h 33m, last 3h 20m, lowest 3h 20m, highest 5h 33m',
      }),
    ).toBeInTheDocument();
  });

  it('says no source is connected, with the annotations to add, when nothing covers the entity', async () => {
    const none = (id: string, unit: 'count' | 'ratio' | 'seconds') => ({
      value: null,
      n: 0,
      unit,
      unknownReason: 'No source connected',
      definition:
        ITSM_BUILTIN_METRIC_DEFINITIONS[
          id as keyof typeof ITSM_BUILTIN_METRIC_DEFINITIONS
        ],
    });
    await renderWith({
      ...response,
      metrics: {
        incident_count: none('incident_count', 'count'),
        mttr: none('mttr', 'seconds'),
        availability: none('availability', 'ratio'),
      },
      series: {},
      sources: [],
      coverage: {
        covered: false,
        annotations: ['pagerduty.com/service-id', 'servicenow.com/ci-sysid'],
      },
    });
    const empty = await screen.findByTestId('itsm-no-source-connected');
    expect(screen.getByText('No source connected')).toBeInTheDocument();
    expect(empty).toHaveTextContent(
      'pagerduty.com/service-id: <id in that source>',
    );
    expect(empty).toHaveTextContent(
      'servicenow.com/ci-sysid: <id in that source>',
    );
    expect(screen.queryByTestId(/^itsm-metric-/)).not.toBeInTheDocument();
  });
});

describe('OutcomeMetricsCard data freshness', () => {
  const synced = new Date(Date.now() - 20 * 60_000).toISOString();
  const earlier = new Date(Date.now() - 50 * 60_000).toISOString();
  const servicenow: ItsmDataSource = {
    providerId: 'servicenow:corp',
    department: 'it',
    lastSucceededAt: synced,
    lastFinishedAt: synced,
    lastRunFailed: false,
    failedParts: [],
    firstRunFinished: true,
  };
  const pagerduty: ItsmDataSource = {
    ...servicenow,
    providerId: 'pagerduty:main',
    lastSucceededAt: earlier,
    lastFinishedAt: earlier,
  };

  async function renderWith(sources: ItsmDataSource[] | undefined) {
    const api = mockApi({
      getMetrics: jest.fn().mockResolvedValue({ ...response, sources }),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[itsmApiRef, api]]}>
        <OutcomeMetricsCard entityRef="component:default/payments-api" />
      </TestApiProvider>,
    );
    await screen.findByTestId('itsm-metric-mttr');
  }

  it('says how current the numbers are and from which sources', async () => {
    await renderWith([pagerduty, servicenow]);
    expect(screen.getByTestId('itsm-data-freshness')).toHaveTextContent(
      `Data as of ${formatAsOf(earlier)} (PagerDuty main, ServiceNow corp)`,
    );
    expect(
      screen.queryByTestId('itsm-data-freshness-warning'),
    ).not.toBeInTheDocument();
  });

  it('warns when the last sync of a source failed', async () => {
    await renderWith([
      {
        ...pagerduty,
        lastRunFailed: true,
        lastFinishedAt: new Date().toISOString(),
      },
      servicenow,
    ]);
    expect(screen.getByTestId('itsm-data-freshness')).toHaveTextContent(
      `Data as of ${formatAsOf(earlier)} (PagerDuty main, ServiceNow corp)`,
    );
    expect(screen.getByTestId('itsm-data-freshness-warning')).toHaveTextContent(
      'The last PagerDuty main sync failed: figures may be incomplete',
    );
  });

  it('warns while the first sync of a source has not finished', async () => {
    await renderWith([
      servicenow,
      source({ firstRunFinished: false }, 'hr:desk'),
    ]);
    expect(screen.getByTestId('itsm-data-freshness')).toHaveTextContent(
      `Data as of ${formatAsOf(synced)} (ServiceNow corp, HR desk)`,
    );
    expect(screen.getByTestId('itsm-data-freshness-warning')).toHaveTextContent(
      'The first HR desk sync has not finished: figures may be incomplete',
    );
  });

  it('names a table a source could not read', async () => {
    await renderWith([{ ...servicenow, failedParts: ['problem'] }]);
    expect(screen.getByTestId('itsm-data-freshness-warning')).toHaveTextContent(
      'The last ServiceNow corp sync could not read problem: figures may be incomplete',
    );
  });

  it('shows how to map a source, and no freshness line, when no source covers the entity', async () => {
    const api = mockApi({
      getMetrics: jest.fn().mockResolvedValue({
        ...response,
        metrics: {
          incident_count: {
            value: null,
            n: 0,
            unit: 'count',
            definition: ITSM_BUILTIN_METRIC_DEFINITIONS.incident_count,
          },
          availability: {
            value: null,
            n: 0,
            unit: 'ratio',
            definition: ITSM_BUILTIN_METRIC_DEFINITIONS.availability,
          },
        },
        sources: [],
      }),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[itsmApiRef, api]]}>
        <OutcomeMetricsCard entityRef="component:default/payments-api" />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText('No ITSM source maps to this entity'),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('itsm-data-freshness')).not.toBeInTheDocument();
  });

  function source(
    overrides: Partial<ItsmDataSource>,
    providerId: string,
  ): ItsmDataSource {
    return {
      providerId,
      department: 'hr',
      lastSucceededAt: null,
      lastFinishedAt: null,
      lastRunFailed: false,
      failedParts: [],
      firstRunFinished: true,
      ...overrides,
    };
  }
});
