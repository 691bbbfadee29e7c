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
import { readFileSync } from 'node:fs';
import { formatItsmMetricValue } from '@backstage-itsm/plugin-itsm-common';

const token = process.env.ITSM_STATIC_TOKEN ?? 'itsm-local-development-token';
const backend = process.env.ITSM_BACKEND_URL ?? 'http://localhost:7007';
const auth = { Authorization: `Bearer ${token}` };
const DAY = 86_400_000;

function card(page: Page, title: string) {
  return page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText(title, { exact: true }) })
    .first();
}

async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

/** The current UTC quarter, and a due date in it a week out (or its last day). */
function quarterAndDueDate(now = Date.now()) {
  const d = new Date(now);
  const q = Math.floor(d.getUTCMonth() / 3);
  const lastDay = Date.UTC(d.getUTCFullYear(), q * 3 + 3, 1) - DAY;
  const due = new Date(Math.max(now, Math.min(now + 7 * DAY, lastDay)));
  return {
    period: `${d.getUTCFullYear()}-Q${q + 1}`,
    dueDate: due.toISOString().slice(0, 10),
  };
}

test('a service owner binds an improvement to MTTR, approves it, and finds it in the quarterly review', async ({
  page,
  request,
}) => {
  const entityRef = 'component:default/card-gateway-adapter';
  const now = await request.get(
    `${backend}/api/itsm/metrics?entityRef=${entityRef}&metrics=mttr`,
    { headers: auth },
  );
  expect(now.ok()).toBeTruthy();
  const mttr: number = (await now.json()).metrics.mttr.value;
  expect(mttr).toBeGreaterThan(120);
  const targetMinutes = Math.floor(mttr / 2 / 60);
  const { period, dueDate } = quarterAndDueDate();
  const title = `Halve card gateway MTTR ${Date.now()}`;

  await signIn(page);
  await page.goto('/catalog/default/component/card-gateway-adapter');

  // Propose it from the entity's card: entity and owner are prefilled.
  const improvements = card(page, 'Continual improvement');
  // The card's action (an empty card offers a second button in its body).
  await improvements
    .getByRole('button', { name: 'New improvement' })
    .first()
    .click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Title').fill(title);
  await dialog.getByLabel('Due date').fill(dueDate);
  await dialog.getByLabel('Metric').click();
  await page.getByRole('option', { name: 'Mean time to resolve' }).click();
  await dialog.getByLabel('Target').fill(`${targetMinutes}m`);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();

  // The new item opens in the details drawer, not started until approved.
  const progress = page.getByTestId('itsm-improvement-progress');
  await expect(page.getByText(title).first()).toBeVisible();
  await expect(progress).toContainText('not started');

  // Approve it: the baseline is taken from the metrics engine.
  await page.getByLabel('Edit improvement').click();
  const edit = page.getByRole('dialog').filter({
    has: page.getByRole('button', { name: 'Save' }),
  });
  await edit.getByLabel('Status').click();
  await page.getByRole('option', { name: 'Approved' }).click();
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toBeHidden();

  const list = await request.get(
    `${backend}/api/itsm/improvements?q=${encodeURIComponent(title)}`,
    { headers: auth },
  );
  const [created] = (await list.json()).items;
  expect(created).toMatchObject({
    status: 'approved',
    ownerRef: 'group:default/payments',
    dueDate,
    metric: { metricId: 'mttr', target: targetMinutes * 60 },
  });
  expect(created.metric.baseline).toBeCloseTo(mttr, 3);
  await expect(progress).toContainText(
    formatItsmMetricValue(created.metric.baseline, 'seconds'),
  );
  await expect(progress).toContainText(
    formatItsmMetricValue(targetMinutes * 60, 'seconds'),
  );
  await expect(
    page.getByTestId('itsm-improvement-event').filter({ hasText: /baseline/i }),
  ).not.toHaveCount(0);
  await page.screenshot({
    path: 'e2e-test-report/screenshots/itsm-improvement-details.png',
  });

  // The quarterly review lists it, with the numbers the API computes.
  const reviewResponse = await request.get(
    `${backend}/api/itsm/reviews?entityRef=${entityRef}&period=${period}`,
    { headers: auth },
  );
  const review = await reviewResponse.json();
  await page.goto(
    `/catalog/default/component/card-gateway-adapter/service-review?period=${period}`,
  );
  await expect(page.getByTestId('itsm-review-period')).toContainText(
    period.replace('-', ' ').replace(/^(\d+) (Q\d)$/, '$2 $1'),
  );
  const mttrRow = page.getByTestId('itsm-review-metric-mttr');
  await expect(mttrRow).toContainText(
    formatItsmMetricValue(review.metrics.mttr.value, 'seconds'),
  );
  await expect(
    page.getByRole('table', { name: /due/i }).getByText(title),
  ).toBeVisible();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/itsm-service-review.png',
    fullPage: true,
  });

  // Markdown export: the same figures.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download Markdown' }).click(),
  ]);
  const markdown = readFileSync((await download.path())!, 'utf8');
  expect(markdown).toContain(title);
  expect(markdown).toContain(
    `| Mean time to resolve | ${formatItsmMetricValue(
      review.metrics.mttr.value,
      'seconds',
    )} |`,
  );

  // The tracker shows every improvement the guest may read.
  await page.goto('/itsm/improvements');
  await expect(page.getByText(title, { exact: true })).toBeVisible();
  await page.screenshot({
    path: 'e2e-test-report/screenshots/itsm-improvement-tracker.png',
    fullPage: true,
  });
});

test('the service review page finds an entity by part of its name', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/itsm/reviews');
  const picker = page.getByRole('combobox', { name: 'Entity to review' });
  await expect(picker).toBeVisible();
  await picker.fill('paym');
  await page.getByRole('option', { name: /Payments API/ }).click();
  await expect(page).toHaveURL(
    /entityRef=component(%3A|:)default(%2F|\/)payments-api/,
  );
  await expect(
    page.getByRole('heading', { name: 'Payments API' }).first(),
  ).toBeVisible();
  await expect(page.getByTestId('itsm-review-metric-mttr')).toBeVisible();
});

test('an employee outside HR sees the HR service aggregates, never a case', async ({
  page,
  request,
}) => {
  const entityRef = 'component:default/employee-onboarding';
  // The static token is a service: it reads every case, the guest may not.
  const cases = await request.get(
    `${backend}/api/itsm/records?entityRef=${entityRef}&limit=200`,
    { headers: auth },
  );
  const items: Array<{ title: string; number: string | null }> = (
    await cases.json()
  ).items;
  expect(items.length).toBeGreaterThan(10);
  const metrics = await request.get(
    `${backend}/api/itsm/metrics?entityRef=${entityRef}&metrics=fulfilment_time`,
    { headers: auth },
  );
  const fulfilment = (await metrics.json()).metrics.fulfilment_time;
  expect(fulfilment.n).toBeGreaterThan(0);

  await signIn(page);
  await page.goto('/catalog/default/component/employee-onboarding');
  const outcome = card(page, 'Outcome metrics');
  await expect(outcome.getByTestId('itsm-metric-fulfilment_time')).toHaveText(
    formatItsmMetricValue(fulfilment.value, 'seconds'),
  );
  await outcome.getByTestId('itsm-metric-fulfilment_time').click();
  await expect(page.getByTestId('itsm-hidden-records')).toContainText(
    'not listed because you may not read them',
  );
  await page.keyboard.press('Escape');
  await page.screenshot({
    path: 'e2e-test-report/screenshots/itsm-hr-aggregates.png',
    fullPage: true,
  });

  await page.getByRole('link', { name: 'Incidents & changes' }).click();
  await page.waitForLoadState('networkidle');
  const body = await page.locator('body').innerText();
  for (const item of items.slice(0, 50)) {
    if (item.number) expect(body).not.toContain(item.number);
  }
});
