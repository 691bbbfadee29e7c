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
import AxeBuilder from '@axe-core/playwright';

/** WCAG 2.0 and 2.1, levels A and AA. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** The impacts a page may not have. */
const BLOCKING = new Set(['serious', 'critical']);

/** A page of the portal can take a while on a busy machine. */
const slow = expect.configure({ timeout: 90_000 });

/**
 * Opens the page as the guest: signs in when the sign-in page shows (a reload
 * may ask again while the guest session is being restored).
 */
async function open(page: Page, url: string) {
  await page.goto(url);
  const enter = page.getByRole('button', { name: 'Enter' });
  const nav = page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Catalog', exact: true });
  await slow(enter.or(nav).first()).toBeVisible();
  if (await enter.isVisible()) {
    await enter.click();
    await slow(nav).toBeVisible();
    await page.goto(url);
    await slow(nav).toBeVisible();
  }
}

/** Waits until no indeterminate progress indicator (a loading spinner) shows. */
async function settled(page: Page) {
  await slow(
    page.locator(
      '.MuiLinearProgress-indeterminate, .MuiCircularProgress-indeterminate, [data-testid="progress"]',
    ),
  ).toHaveCount(0);
}

/**
 * Runs axe on the page as it is and returns its serious and critical
 * violations, one line per element.
 */
async function blockingViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(WCAG_TAGS)
    // The development server's own overlays (a compile error while someone
    // edits, an uncaught error), injected by `yarn dev`: not part of the
    // product, and absent from a production build.
    .exclude('#webpack-dev-server-client-overlay')
    .exclude('#react-refresh-overlay')
    .analyze();
  return results.violations
    .filter(v => v.impact && BLOCKING.has(v.impact))
    .flatMap(v =>
      v.nodes.map(
        n =>
          `${v.impact} ${v.id}: ${v.help}\n    target: ${n.target.join(
            ' ',
          )}\n    ${n.html.replace(/\s+/g, ' ').slice(0, 240)}\n    ${
            n.failureSummary?.replace(/\s+/g, ' ') ?? ''
          }`,
      ),
    );
}

type Check = {
  name: string;
  url: string;
  /** Waits for the page's own content, not a spinner. */
  loaded: (page: Page) => Promise<void>;
};

/** The Backstage InfoCard with the given title. */
function card(page: Page, title: string) {
  return page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText(title, { exact: true }) })
    .first();
}

const pages: Check[] = [
  {
    name: 'entity-overview',
    url: '/catalog/default/component/payments-api',
    loaded: async page => {
      await slow(
        card(page, 'Service ownership').getByText('Hours: 24x7 · Tier: 1'),
      ).toBeVisible();
      await slow(
        card(page, 'Outcome metrics').getByTestId('itsm-metric-mttr'),
      ).toBeVisible();
      await slow(
        card(page, 'Continual improvement').getByText(
          'Halve payments-api MTTR with runbook automation',
        ),
      ).toBeVisible();
    },
  },
  {
    name: 'timeline',
    url: '/catalog/default/component/payments-api/itsm',
    loaded: async page => {
      await slow(page.getByTestId('itsm-timeline-chart')).toBeVisible();
      await slow(
        page.getByRole('table', { name: 'ITSM records' }),
      ).toBeVisible();
    },
  },
  {
    name: 'improvement-tracker',
    url: '/itsm/improvements',
    loaded: async page => {
      await slow(
        page
          .getByText('Halve payments-api MTTR with runbook automation')
          .first(),
      ).toBeVisible();
    },
  },
  {
    name: 'service-review',
    url: '/catalog/default/component/payments-api/service-review',
    loaded: async page => {
      await slow(page.getByTestId('itsm-review-period')).toBeVisible();
      await slow(page.getByTestId('itsm-review-metric-mttr')).toBeVisible();
    },
  },
  {
    // The same review on its own page, with the entity picker.
    name: 'service-review-page',
    url: '/itsm/reviews?entityRef=component:default/payments-api',
    loaded: async page => {
      await slow(page.getByTestId('itsm-review-period')).toBeVisible();
      await slow(page.getByTestId('itsm-review-metric-mttr')).toBeVisible();
    },
  },
  {
    name: 'hr-entity',
    url: '/catalog/default/component/employee-onboarding',
    loaded: async page => {
      await slow(page.getByTestId('itsm-metric-fulfilment_time')).toBeVisible();
      await slow(card(page, 'Service ownership')).toBeVisible();
    },
  },
];

test.describe('accessibility (axe, WCAG 2.1 A and AA)', () => {
  for (const check of pages) {
    test(`${check.name} has no serious or critical violation`, async ({
      page,
    }) => {
      // Five pages on a loaded CI machine: leave each its own budget.
      test.setTimeout(180_000);
      await open(page, check.url);
      await check.loaded(page);
      await page.waitForLoadState('networkidle');
      await settled(page);
      await page.screenshot({
        path: `e2e-test-report/screenshots/a11y-${check.name}.png`,
        fullPage: true,
      });
      const violations = await blockingViolations(page);
      expect(violations, `${check.url}:\n${violations.join('\n')}`).toEqual([]);
    });
  }
});
