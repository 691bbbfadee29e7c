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

import type { ItsmDataSource } from '@backstage-itsm/plugin-itsm-common';
import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DateTime } from 'luxon';
import { DataFreshness, formatAsOf } from './DataFreshness';

const EARLIER = DateTime.now().minus({ minutes: 40 }).toUTC().toISO()!;
const LATER = DateTime.now().minus({ minutes: 10 }).toUTC().toISO()!;

function source(overrides: Partial<ItsmDataSource>): ItsmDataSource {
  return {
    providerId: 'servicenow:corp',
    department: 'it',
    lastSucceededAt: LATER,
    lastFinishedAt: LATER,
    lastRunFailed: false,
    failedParts: [],
    firstRunFinished: true,
    ...overrides,
  };
}

const servicenow = source({});
const pagerduty = source({
  providerId: 'pagerduty:main',
  lastSucceededAt: EARLIER,
  lastFinishedAt: EARLIER,
});

describe('DataFreshness', () => {
  it('names the sources and the oldest of their last successful syncs', async () => {
    await renderInTestApp(<DataFreshness sources={[servicenow, pagerduty]} />);
    expect(screen.getByTestId('itsm-data-freshness')).toHaveTextContent(
      `Data as of ${formatAsOf(EARLIER)} (ServiceNow corp, PagerDuty main)`,
    );
    expect(
      screen.queryByTestId('itsm-data-freshness-warning'),
    ).not.toBeInTheDocument();
  });

  it('shows each source’s last successful sync on hover', async () => {
    await renderInTestApp(<DataFreshness sources={[servicenow, pagerduty]} />);
    await userEvent.hover(screen.getByText(/^Data as of/));
    const tooltip = await screen.findByRole('tooltip');
    expect(tooltip).toHaveTextContent(
      `ServiceNow corp: last successful sync ${formatAsOf(LATER)}`,
    );
    expect(tooltip).toHaveTextContent(
      `PagerDuty main: last successful sync ${formatAsOf(EARLIER)}`,
    );
  });

  it('warns when a source’s last sync failed', async () => {
    await renderInTestApp(
      <DataFreshness
        sources={[servicenow, { ...pagerduty, lastRunFailed: true }]}
      />,
    );
    expect(screen.getByTestId('itsm-data-freshness-warning')).toHaveTextContent(
      'The last PagerDuty main sync failed: figures may be incomplete',
    );
  });

  it('warns before a source’s first run has finished', async () => {
    await renderInTestApp(
      <DataFreshness
        sources={[
          servicenow,
          {
            ...pagerduty,
            lastSucceededAt: null,
            lastFinishedAt: null,
            firstRunFinished: false,
          },
        ]}
      />,
    );
    expect(screen.getByTestId('itsm-data-freshness')).toHaveTextContent(
      `Data as of ${formatAsOf(LATER)} (ServiceNow corp, PagerDuty main)`,
    );
    expect(screen.getByTestId('itsm-data-freshness-warning')).toHaveTextContent(
      'The first PagerDuty main sync has not finished: figures may be incomplete',
    );
  });

  it('lists every warning: a failed run, unreadable parts, a first run under way', async () => {
    await renderInTestApp(
      <DataFreshness
        sources={[
          { ...servicenow, failedParts: ['problem', 'task_sla'] },
          { ...pagerduty, lastRunFailed: true, failedParts: ['log_entries'] },
          source({
            providerId: 'hr:desk',
            lastSucceededAt: null,
            lastFinishedAt: null,
            firstRunFinished: false,
          }),
        ]}
      />,
    );
    const items = within(
      screen.getByTestId('itsm-data-freshness-warning'),
    ).getAllByRole('listitem');
    expect(items.map(item => item.textContent)).toEqual([
      'The last ServiceNow corp sync could not read problem and task_sla: figures may be incomplete',
      'The last PagerDuty main sync failed and could not read log_entries: figures may be incomplete',
      'The first HR desk sync has not finished: figures may be incomplete',
    ]);
  });

  it('says when no sync has succeeded yet', async () => {
    await renderInTestApp(
      <DataFreshness
        sources={[
          {
            ...servicenow,
            lastSucceededAt: null,
            lastRunFailed: true,
          },
        ]}
      />,
    );
    expect(screen.getByTestId('itsm-data-freshness')).toHaveTextContent(
      'No sync has succeeded yet (ServiceNow corp)',
    );
    expect(screen.getByTestId('itsm-data-freshness-warning')).toHaveTextContent(
      'The last ServiceNow corp sync failed: figures may be incomplete',
    );
  });

  it('says when no source has records of the entity', async () => {
    await renderInTestApp(<DataFreshness sources={[]} />);
    expect(screen.getByTestId('itsm-data-freshness')).toHaveTextContent(
      'No source has records of this entity',
    );
    expect(
      screen.queryByTestId('itsm-data-freshness-warning'),
    ).not.toBeInTheDocument();
  });

  it('renders nothing for an answer without sources', async () => {
    await renderInTestApp(<DataFreshness />);
    expect(screen.queryByTestId('itsm-data-freshness')).not.toBeInTheDocument();
  });
});

describe('formatAsOf', () => {
  const now = DateTime.fromISO('2026-11-23T15:00:00', { zone: 'Europe/Paris' });

  it('gives the time alone for an instant of today, in the viewer’s zone', () => {
    expect(formatAsOf('2026-11-23T08:12:00Z', now)).toBe(
      DateTime.fromISO('2026-11-23T09:12:00', {
        zone: 'Europe/Paris',
      }).toLocaleString(DateTime.TIME_SIMPLE),
    );
  });

  it('adds the date for an instant of another day', () => {
    const text = formatAsOf('2026-11-22T22:30:00Z', now);
    expect(text).toBe(
      DateTime.fromISO('2026-11-22T23:30:00', {
        zone: 'Europe/Paris',
      }).toLocaleString(DateTime.DATETIME_MED),
    );
    expect(text).toMatch(/22/);
  });
});
