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

import { test, expect, Page } from '@playwright/test';

const token = process.env.ITSM_STATIC_TOKEN ?? 'itsm-local-development-token';
const backend = process.env.ITSM_BACKEND_URL ?? 'http://localhost:7007';

/** The Backstage InfoCard with the given title. */
function card(page: Page, title: string) {
  return page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText(title, { exact: true }) })
    .first();
}

async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await expect(
    nav.getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

test('a service owner sees ownership, metrics and the timeline of a demo component', async ({
  page,
  request,
}) => {
  // What the backend computes for the component over the card's default window.
  const metrics = await request.get(
    `${backend}/api/itsm/metrics?entityRef=component:default/payments-api&metrics=incident_count,change_count`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  expect(metrics.ok()).toBeTruthy();
  const body = await metrics.json();
  const incidentCount: number | null = body.metrics.incident_count.value;
  const changeCount: number | null = body.metrics.change_count.value;

  await signIn(page);
  await page.goto('/catalog/default/component/payments-api');

  // Ownership card: the owning team from the catalog, support facts from annotations.
  const ownership = card(page, 'Service ownership');
  await expect(
    ownership.getByRole('link', { name: 'Payments', exact: true }),
  ).toBeVisible();
  await expect(ownership.getByText('Hours: 24x7 · Tier: 1')).toBeVisible();

  // Metrics card: the same numbers the API returns.
  const metricsCard = card(page, 'Outcome metrics');
  await expect(metricsCard.getByTestId('itsm-metric-mttr')).toBeVisible();
  if (incidentCount !== null) {
    await expect(
      metricsCard.getByTestId('itsm-metric-incident_count'),
    ).toHaveText(incidentCount.toLocaleString('en-US'));
  }
  if (changeCount !== null) {
    await expect(
      metricsCard.getByTestId('itsm-metric-change_count'),
    ).toHaveText(changeCount.toLocaleString('en-US'));
  }
  await page.screenshot({
    path: 'e2e-test-report/screenshots/itsm-overview.png',
    fullPage: true,
  });

  // The timeline tab opens on the window's whole history: resolved incidents
  // are there without touching a filter.
  await page.getByRole('link', { name: 'Incidents & changes' }).click();
  await expect(page.getByTestId('itsm-timeline-chart')).toBeVisible();
  const list = page.getByRole('table', { name: 'ITSM records' });
  const rows = list.getByRole('row');
  await expect(page.getByLabel('Open only')).not.toBeChecked();
  await expect(
    rows
      .filter({ hasText: /INC\d+/ })
      .filter({ hasText: /resolved|closed/ })
      .first(),
  ).toBeVisible();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/itsm-timeline.png',
    fullPage: true,
  });

  // The whole year, failed changes only.
  await page.getByLabel('Window').click();
  await page.getByRole('option', { name: '365 days' }).click();
  await page.getByLabel('Failed changes').check();
  await expect(rows.first()).toBeVisible();
  const failedRows = await rows.count();
  expect(failedRows).toBeGreaterThan(0);
  await expect(
    rows.first().getByText(/^(failed|successful with issues)$/),
  ).toBeVisible();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/itsm-timeline-failed-changes.png',
    fullPage: true,
  });

  // An incident and its details.
  await page.getByLabel('Failed changes').uncheck();
  await page.getByPlaceholder('Number, title, assignee').fill('INC');
  await expect(rows.first()).toContainText(/INC\d+/);
  await rows.first().click();
  const details = page.getByRole('region', { name: /^Details of INC/ });
  await expect(details).toBeVisible();
  await expect(details.getByText('Opened')).toBeVisible();
  await expect(
    details.getByRole('link', { name: /Open in the source system/ }),
  ).toBeVisible();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/itsm-incident-details.png',
    fullPage: true,
  });
});
