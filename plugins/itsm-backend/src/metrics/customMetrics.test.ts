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

import { TestDatabases } from '@backstage/backend-test-utils';
import type { ItsmMetric } from '@backstage-itsm/plugin-itsm-node';
import {
  DAY,
  HOUR,
  HR,
  MetricsHarness,
  T0,
} from '../__testUtils__/metricsHarness';

jest.setTimeout(60_000);

/** Everything a module metric can ask of its context, in one metric. */
const probe: ItsmMetric = {
  id: 'probe',
  title: 'Probe',
  description: 'Exercises the module metric context.',
  unit: 'seconds',
  statistic: 'mean',
  direction: 'lower_is_better',
  async compute(context) {
    const onboarding = context.records({
      kinds: ['request'],
      departments: ['hr'],
      categories: ['onboarding'],
      within: 'resolvedAt',
    });
    const stats = await onboarding.durations('openedAt', 'resolvedAt');
    const rows = await onboarding.list();
    const all = await context
      .records({ kinds: ['request'], departments: ['hr'] })
      .countBy('state');
    return {
      value: stats.mean,
      n: stats.n,
      p50: stats.p50,
      p90: stats.p90,
      byKey: {
        listed: { value: rows.length, n: rows.length },
        categories: {
          value: rows.filter(r => r.category === 'onboarding').length,
          n: rows.length,
        },
        ...Object.fromEntries(
          Object.entries(all).map(([k, v]) => [k, { value: v, n: v }]),
        ),
      },
    };
  },
};

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...databaseIds] });
const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('module metric context on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}

describe.each(databases.eachSupportedId())(
  'module metric context on %s',
  databaseId => {
    it('filters by the payload category in SQL, with durations, lists and counts', async () => {
      const harness = await MetricsHarness.create(
        await databases.init(databaseId),
        [probe],
      );
      const hrCase = (
        id: string,
        category: string | undefined,
        hours: number,
        extra: Record<string, unknown> = {},
      ) => ({
        id,
        kind: 'request' as const,
        provider: 'hr:desk',
        entities: [HR],
        opened: T0 + DAY,
        resolved: T0 + DAY + hours * HOUR,
        payload: category === undefined ? { source: {} } : { category },
        ...extra,
      });
      await harness.seed([
        hrCase('on-1', 'onboarding', 2),
        hrCase('on-2', 'onboarding', 4),
        hrCase('on-3', 'onboarding', 9),
        hrCase('pay', 'payroll_query', 1),
        hrCase('none', undefined, 1),
        hrCase('open', 'onboarding', 0, {
          resolved: undefined,
          state: 'in_progress',
        }),
      ]);
      const response = await harness.compute({
        metrics: ['probe'],
        entityRefs: [HR],
      });
      expect(response.metrics.probe).toMatchObject({
        value: 5 * 3600,
        n: 3,
        p50: 4 * 3600,
        byKey: {
          listed: { value: 3 },
          categories: { value: 3 },
          resolved: { value: 5 },
          in_progress: { value: 1 },
        },
      });
    });
  },
);
