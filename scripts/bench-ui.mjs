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

// Frontend benchmark in Debian's headless chromium against the production
// build of the app (scripts/bench-ui.sh builds it, starts the portal and
// pushes 10,000 open incidents to component:default/ci-runners first).
// Prints: entity page to ownership + metrics cards rendered, the timeline tab
// with 10,000 items to first render, and frame times while zooming.
import { chromium } from 'playwright-core';

const base = process.env.ITSM_BENCH_URL ?? 'http://localhost:7007';
const runs = Number(process.env.ITSM_BENCH_RUNS ?? 10);

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = q =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    n: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1],
  };
}
const ms = v => `${Math.round(v)} ms`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({
    viewport: { width: 1440, height: 900 },
  });
  await page.goto(base);
  await page.getByRole('button', { name: 'Enter' }).click();
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Catalog', exact: true })
    .waitFor();

  // 1. Entity page to both cards rendered (from navigation start).
  const cards = [];
  for (let i = 0; i < runs + 1; i++) {
    await page.goto(`${base}/catalog/default/component/payments-api`);
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="itsm-metric-mttr"]') &&
        [...document.querySelectorAll('p')].some(p =>
          p.textContent?.startsWith('Hours:'),
        ),
      undefined,
      { polling: 'raf', timeout: 30_000 },
    );
    const t = await page.evaluate(() => performance.now());
    if (i > 0) cards.push(t); // the first load warms the HTTP cache, as a user's second visit
  }

  // 2. Timeline tab with 10,000 items to first render.
  const timeline = [];
  for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
    await page.goto(`${base}/catalog/default/component/ci-runners/itsm`);
    await page.waitForFunction(
      () => {
        const summary = /([\d,]+) of ([\d,]+) records/.exec(
          document.body.innerText,
        );
        const loaded = summary ? Number(summary[2].replace(/,/g, '')) : 0;
        return (
          loaded >= 10_000 &&
          document.querySelector('[aria-label="ITSM records"] [role="row"]') &&
          document.querySelector(
            '[data-testid="itsm-timeline-chart"] svg circle',
          )
        );
      },
      undefined,
      { polling: 'raf', timeout: 120_000 },
    );
    timeline.push(await page.evaluate(() => performance.now()));
  }
  const rows = await page.getAttribute(
    '[aria-label="ITSM records"]',
    'aria-rowcount',
  );

  // 3. Frame times while zooming: drag the start of the range across the axis.
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = t => {
      window.__frames.push(t - last);
      last = t;
      if (window.__recording) requestAnimationFrame(tick);
    };
    window.__recording = true;
    requestAnimationFrame(tick);
  });
  const thumb = page.getByRole('slider', {
    name: 'Start of the visible range',
  });
  const box = await thumb.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  for (let step = 1; step <= 40; step++) {
    await page.mouse.move(
      box.x + box.width / 2 + step * 15,
      box.y + box.height / 2,
    );
  }
  await page.mouse.up();
  await page.waitForTimeout(300);
  const frames = await page.evaluate(() => {
    window.__recording = false;
    return window.__frames.slice(1);
  });

  const c = stats(cards);
  const tl = stats(timeline);
  const f = stats(frames);
  console.log(
    `Frontend benchmark, production build, ${base}, headless chromium`,
  );
  console.log(
    `entity page -> ownership + metrics cards rendered: p50 ${ms(
      c.p50,
    )}, p95 ${ms(c.p95)}, max ${ms(c.max)} (n=${c.n})`,
  );
  console.log(
    `timeline tab, ${rows} items -> first render: p50 ${ms(tl.p50)}, p95 ${ms(
      tl.p95,
    )}, max ${ms(tl.max)} (n=${tl.n})`,
  );
  console.log(
    `zoom (40 drag steps): frames p50 ${ms(f.p50)}, p95 ${ms(f.p95)}, max ${ms(
      f.max,
    )} (n=${f.n} frames)`,
  );
} finally {
  await browser.close();
}
