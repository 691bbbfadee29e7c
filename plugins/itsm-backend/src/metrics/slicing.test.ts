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
import {
  computeBuiltinMetricsSliced,
  BUCKETS_PER_SLICE,
} from './builtinMetrics';
import { bucketWindows } from './buckets';
import { loopYielder, withScopeTables } from './scopeTables';
import {
  A,
  B,
  DAY,
  HOUR,
  MetricsHarness,
  NOW,
  T0,
} from '../__testUtils__/metricsHarness';
import type { MetricScope } from './types';
import { ITSM_BUILTIN_METRIC_IDS } from '@backstage-itsm/plugin-itsm-common';

/*
 * SQLite runs every statement on the event loop: the engine copies the
 * scope into temporary tables and computes as many short statements,
 * giving the loop a turn between them.
 */

describe('loopYielder', () => {
  it('gives the event loop a turn once the budget is spent', async () => {
    let turns = 0;
    const tick = () => {
      turns++;
    };
    setImmediate(tick);
    await loopYielder(0)();
    expect(turns).toBe(1);

    setImmediate(tick);
    const patient = loopYielder(60_000);
    await patient();
    await patient();
    expect(turns).toBe(1);
    await new Promise(resolve => setImmediate(resolve));
    expect(turns).toBe(2);
  });
});

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('sliced metrics on SQLite', () => {
  let harness: MetricsHarness;

  beforeAll(async () => {
    harness = await MetricsHarness.create(await databases.init('SQLITE_3'));
    await harness.seed(
      Array.from({ length: 40 }, (_, k) => ({
        id: `inc-${k}`,
        priority: k % 4 === 0 ? 1 : 3,
        opened: T0 + k * DAY,
        resolved: T0 + k * DAY + 2 * HOUR,
        entities: k % 2 === 0 ? [A] : [B],
      })),
    );
  });

  function scope(): MetricScope {
    return {
      db: harness.knex,
      entityRefs: [A, B],
      now: NOW,
      outagePriorityThreshold: 1,
    };
  }

  it('runs short statements over temporary tables, yielding between them', async () => {
    const window = { from: T0, to: T0 + 40 * DAY };
    const buckets = bucketWindows(window, 'day')!;
    const windows = [window, { from: T0 - 40 * DAY, to: T0 }, ...buckets];
    const statements: string[] = [];
    const onQuery = (query: { sql: string }) => statements.push(query.sql);
    harness.knex.on('query', onQuery);
    const yields = jest.fn(async () => {});
    let tables: MetricScope['tables'];
    try {
      const output = await withScopeTables(scope(), ['1 = 1'], async sliced => {
        tables = sliced.tables;
        return computeBuiltinMetricsSliced(
          sliced,
          windows,
          [...ITSM_BUILTIN_METRIC_IDS],
          yields,
        );
      });
      expect(output.results.incident_count!.map(r => r.n)).toEqual([
        40,
        0,
        ...buckets.map(() => 1),
      ]);
    } finally {
      harness.knex.removeListener('query', onQuery);
    }

    // Every metric statement reads the temporary tables, never the
    // mapping, and holds at most one slice of windows.
    const metricStatements = statements.filter(sql =>
      sql.startsWith('with w(i, f, t)'),
    );
    expect(metricStatements.length).toBeGreaterThan(1);
    for (const sql of metricStatements) {
      expect(sql).not.toContain('record_entities');
      const values = sql.slice(sql.indexOf('(values ') + 8, sql.indexOf('))'));
      const windowCount = values.split('), (').length;
      expect(windowCount).toBeLessThanOrEqual(BUCKETS_PER_SLICE);
    }
    // One turn offered after every statement.
    expect(yields).toHaveBeenCalledTimes(metricStatements.length);
    // The tables are gone with the transaction.
    const left = await harness.knex.raw(
      "select name from sqlite_temp_master where type = 'table'",
    );
    expect(tables).toBeDefined();
    expect(left).toEqual([]);
  });

  it('keeps nothing behind when the work fails', async () => {
    await expect(
      withScopeTables(scope(), ['1 = 1'], async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const left = await harness.knex.raw(
      "select name from sqlite_temp_master where type = 'table'",
    );
    expect(left).toEqual([]);
  });

  it('serves other work between the statements of a long series', async () => {
    let turns = 0;
    let running = true;
    const spin = () => {
      turns++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const started = performance.now();
    const response = await harness.compute({
      entityRefs: [A, B],
      bucket: 'day',
      window: { from: T0 - 360 * DAY, to: T0 + 40 * DAY },
    });
    const elapsed = performance.now() - started;
    running = false;
    expect(response.series!.incident_count).toHaveLength(400);
    // The loop got a turn at least every 20 ms budget, give or take one
    // statement; a single statement would have given it none.
    expect(turns).toBeGreaterThanOrEqual(Math.floor(elapsed / 100));
    expect(turns).toBeGreaterThan(1);
  });
});
