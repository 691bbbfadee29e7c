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

import { test, expect } from '@playwright/test';

test('guest signs in and sees who owns a demo component', async ({ page }) => {
  await page.goto('/');

  // Guest sign-in page of the local demo.
  await page.getByRole('button', { name: 'Enter' }).click();
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await expect(
    nav.getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();

  // The home page lists the guest's services (they are a Payments engineer),
  // each with its health verdict, worst first.
  const services = page.getByRole('list', {
    name: 'Your services, worst health first',
  });
  await expect(
    services.getByRole('link', { name: 'Payments API' }),
  ).toBeVisible();
  await expect(
    services.getByRole('link', { name: 'Fraud scoring' }),
  ).toBeVisible();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/itsm-home.png',
    fullPage: true,
  });
  await services.getByRole('link', { name: 'Payments API' }).click();

  await expect(page).toHaveURL(/\/catalog\/default\/component\/payments-api/);
  await expect(
    page.getByRole('heading', { name: 'Payments API' }).first(),
  ).toBeVisible();

  // The About card names the owning team and the system.
  const about = page.locator('article').filter({ hasText: 'About' }).first();
  await expect(
    about.getByRole('link', { name: 'Payments', exact: true }),
  ).toBeVisible();
  await expect(
    about.getByRole('link', { name: 'Payments Platform' }),
  ).toBeVisible();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/payments-api-entity-page.png',
    fullPage: true,
  });

  // Following the owner leads to the Payments group page.
  await about.getByRole('link', { name: 'Payments', exact: true }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/group\/payments/);
  await expect(
    page
      .getByText('Checkout, card processing, the ledger and fraud scoring.')
      .first(),
  ).toBeVisible();
  // The team's improvements card lists the improvement on its payments-api.
  const improvements = page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText('Continual improvement', { exact: true }) })
    .first();
  await expect(
    improvements.getByText('Halve payments-api MTTR with runbook automation'),
  ).toBeVisible();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/payments-group-page.png',
    fullPage: true,
  });
});
