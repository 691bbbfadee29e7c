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
import type { ItsmMetricsResponse } from '@backstage-itsm/plugin-itsm-common';
import { ResponseError } from '@backstage/errors';
import {
  countVerdicts,
  mapWithConcurrency,
  type MyServiceRow,
  rowFromError,
  rowFromMetrics,
  sortWorstFirst,
} from './myServicesModel';

const entity = (name: string, title?: string, kind = 'Component'): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default', ...(title ? { title } : {}) },
});

const health = (
  verdict: string,
  reasons: string[] = [],
  coverage?: ItsmMetricsResponse['coverage'],
) =>
  ({
    health: { verdict, reasons },
    coverage,
  } as Pick<ItsmMetricsResponse, 'health' | 'coverage'>);

const row = (
  title: string,
  verdict: MyServiceRow['verdict'],
): MyServiceRow => ({
  entityRef: `component:default/${title.toLocaleLowerCase('en-US')}`,
  kind: 'Component',
  title,
  verdict,
  reason: '',
  moreReasons: 0,
});

async function responseError(status: number): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'NotAllowedError', message: 'no' },
        response: { statusCode: status },
      }),
      { status, headers: { 'Content-Type': 'application/json' } },
    ),
  );
}

describe('sortWorstFirst', () => {
  it('puts unhealthy, then degraded, then unknown, then healthy, each by title', () => {
    const rows = [
      row('Alpha', 'healthy'),
      row('Bravo', 'unknown'),
      row('charlie', 'degraded'),
      row('Delta', 'unhealthy'),
      row('Echo', 'degraded'),
      row('Foxtrot', 'unhealthy'),
      row('able', 'healthy'),
    ];
    expect(sortWorstFirst(rows).map(r => `${r.verdict} ${r.title}`)).toEqual([
      'unhealthy Delta',
      'unhealthy Foxtrot',
      'degraded charlie',
      'degraded Echo',
      'unknown Bravo',
      'healthy able',
      'healthy Alpha',
    ]);
    // A copy: the input keeps its order.
    expect(rows[0].title).toBe('Alpha');
  });

  it('counts every verdict, zero as 0', () => {
    expect(countVerdicts([row('A', 'degraded'), row('B', 'degraded')])).toEqual(
      { unhealthy: 0, degraded: 2, unknown: 0, healthy: 0 },
    );
  });
});

describe('rowFromMetrics', () => {
  it("takes the backend's verdict and its first reason", () => {
    expect(
      rowFromMetrics(
        entity('payments-api', 'Payments API'),
        health('unhealthy', ['MTTR 6h breaches its target 4h', 'Two P1 open']),
      ),
    ).toEqual({
      entityRef: 'component:default/payments-api',
      kind: 'Component',
      title: 'Payments API',
      verdict: 'unhealthy',
      reason: 'MTTR 6h breaches its target 4h',
      moreReasons: 1,
    });
  });

  it('says what a healthy verdict without reasons means', () => {
    expect(rowFromMetrics(entity('ledger'), health('healthy')).reason).toBe(
      'Every metric with a target meets it',
    );
  });

  it('is unknown, with the annotations to add, when no source covers the entity', () => {
    const r = rowFromMetrics(
      entity('payments-db', undefined, 'Resource'),
      health('healthy', [], {
        covered: false,
        annotations: ['pagerduty.com/service-id', 'servicenow.com/ci-sysid'],
      }),
    );
    expect(r.entityRef).toBe('resource:default/payments-db');
    expect(r.title).toBe('payments-db');
    expect(r.verdict).toBe('unknown');
    expect(r.reason).toBe(
      'No ITSM source covers it: add the pagerduty.com/service-id or servicenow.com/ci-sysid annotation to its catalog-info.yaml',
    );
  });

  it('is unknown when the backend names a verdict this card does not know', () => {
    expect(
      rowFromMetrics(entity('x'), health('unknown', ['No source connected']))
        .verdict,
    ).toBe('unknown');
  });
});

describe('rowFromError', () => {
  it('says that 403 is no permission, 404 not in the catalog, and passes other messages', async () => {
    expect(rowFromError(entity('a'), await responseError(403))).toMatchObject({
      verdict: 'unknown',
      failure: 'forbidden',
      reason: expect.stringContaining('itsm.metrics.read'),
    });
    expect(rowFromError(entity('a'), await responseError(404))).toMatchObject({
      verdict: 'unknown',
      failure: 'not_found',
    });
    expect(
      rowFromError(entity('a'), new Error('socket hang up')),
    ).toMatchObject({
      verdict: 'unknown',
      failure: 'error',
      reason: 'Its metrics could not be loaded: socket hang up',
    });
  });
});

describe('mapWithConcurrency', () => {
  it('keeps at most `limit` calls in flight and the results in input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 11 }, (_, i) => i);
    const results = await mapWithConcurrency(items, 4, async i => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise(resolve => setTimeout(resolve, (11 - i) % 3));
      inFlight -= 1;
      return i * 2;
    });
    expect(peak).toBe(4);
    expect(results).toEqual(items.map(i => i * 2));
  });

  it('starts no new call once cancelled', async () => {
    let cancelled = false;
    const seen: number[] = [];
    await mapWithConcurrency(
      [1, 2, 3, 4, 5],
      2,
      async i => {
        seen.push(i);
        await Promise.resolve();
        cancelled = true;
        return i;
      },
      () => cancelled,
    );
    expect(seen).toEqual([1, 2]);
  });

  it('handles an empty list', async () => {
    await expect(mapWithConcurrency([], 4, async x => x)).resolves.toEqual([]);
  });
});
