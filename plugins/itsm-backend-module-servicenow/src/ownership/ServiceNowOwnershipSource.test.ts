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

import { registerMswTestHooks } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { setupServer } from 'msw/node';
import appService from '../__fixtures__/servicenow-service-graph-app-service.json';
import type { FakeRow } from '../__testUtils__/FakeServiceNow';
import {
  BASE_URL,
  createFake,
  GROUP_ID,
  instantTime,
} from '../__testUtils__/helpers';
import { fakeServiceNowHandlers } from '../__testUtils__/msw';
import { ServiceNowClient } from '../client/ServiceNowClient';
import { ServiceNowOwnershipSource } from './ServiceNowOwnershipSource';

const server = setupServer();
registerMswTestHooks(server);

const USER_ID = '46c6f9efa9fe198101ddf5eed9adf6e7';
const APP_SERVICE_ID = appService.result.sys_id;
const CHECKOUT_ID = '0000000000000000000000000000d001';
const SERVER_ID = '0000000000000000000000000000d002';

/** The Service Graph example as a cmdb_ci_service row (nulls are empty strings in the Table API). */
function appServiceRow(): FakeRow {
  const row: FakeRow = {};
  for (const [key, value] of Object.entries(appService.result)) {
    if (key === 'relationships') continue;
    row[key] = value === null ? '' : String(value);
  }
  return row;
}

function entity(annotation?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'checkout',
      annotations: annotation ? { 'servicenow.com/ci-sysid': annotation } : {},
    },
    spec: {},
  };
}

function setup(
  options: { cacheSeconds?: number; displayValue?: 'false' | 'all' } = {},
) {
  const fake = createFake();
  fake.put('cmdb_ci_service', [
    appServiceRow(),
    {
      ...appServiceRow(),
      sys_id: CHECKOUT_ID,
      name: 'Checkout',
      sys_class_name: 'cmdb_ci_service_business',
      owned_by: USER_ID,
      support_group: GROUP_ID,
      busines_criticality: '1 - most critical',
    },
  ]);
  fake.put('cmdb_ci', [
    {
      sys_id: SERVER_ID,
      name: 'lnux100',
      sys_class_name: 'cmdb_ci_linux_server',
      owned_by: '',
      managed_by: USER_ID,
      support_group: GROUP_ID,
    },
  ]);
  server.use(...fakeServiceNowHandlers(fake));
  let clock = Date.parse('2026-03-01T12:00:00Z');
  const source = new ServiceNowOwnershipSource({
    id: 'servicenow:corp',
    client: new ServiceNowClient({
      instance: 'servicenow:corp',
      baseUrl: BASE_URL,
      auth: { type: 'basic', username: 'itsm', password: 'pw' },
      timeoutMs: 5000,
      displayValue: options.displayValue,
      // The HTTP layer's waits take no time in tests, but count.
      http: instantTime(),
    }),
    cacheSeconds: options.cacheSeconds,
    now: () => clock,
  });
  return { fake, source, advance: (ms: number) => (clock += ms) };
}

describe('ServiceNowOwnershipSource', () => {
  it('reads criticality from the cmdb_ci_service example, with nothing invented', async () => {
    const { source } = setup();
    await expect(
      source.getOwnershipFacts({ entity: entity(APP_SERVICE_ID) }),
    ).resolves.toEqual({
      sourceId: 'servicenow:corp',
      sourceName: 'ServiceNow',
      url: `${BASE_URL}/nav_to.do?uri=cmdb_ci_service_auto.do?sys_id=${APP_SERVICE_ID}`,
      criticality: '4 - not critical',
      asOf: '2026-03-01T12:00:00.000Z',
    });
  });

  it.each(['false', 'all'] as const)(
    'reads owner and support group with names and emails (display value %s)',
    async displayValue => {
      const { source } = setup({ displayValue });
      const facts = await source.getOwnershipFacts({
        entity: entity(` ${CHECKOUT_ID}, ${SERVER_ID}`),
      });
      expect(facts).toMatchObject({
        url: `${BASE_URL}/nav_to.do?uri=cmdb_ci_service_business.do?sys_id=${CHECKOUT_ID}`,
        owner: {
          name: 'Beth Anglin',
          email: 'beth.anglin@example.com',
          url: `${BASE_URL}/nav_to.do?uri=sys_user.do?sys_id=${USER_ID}`,
        },
        supportGroup: {
          name: 'Network',
          email: 'network@example.com',
          url: `${BASE_URL}/nav_to.do?uri=sys_user_group.do?sys_id=${GROUP_ID}`,
        },
        criticality: '1 - most critical',
      });
    },
  );

  it('falls back to cmdb_ci for other configuration items, and to managed_by for the owner', async () => {
    const { source, fake } = setup();
    const facts = await source.getOwnershipFacts({ entity: entity(SERVER_ID) });
    expect(facts).toMatchObject({
      url: `${BASE_URL}/nav_to.do?uri=cmdb_ci_linux_server.do?sys_id=${SERVER_ID}`,
      owner: { name: 'Beth Anglin' },
      supportGroup: { name: 'Network' },
    });
    expect(facts!.criticality).toBeUndefined();
    expect(fake.tableRequests().map(u => u.pathname)).toEqual([
      '/api/now/table/cmdb_ci_service',
      '/api/now/table/cmdb_ci',
    ]);
    expect(fake.tableRequests()[0].searchParams.get('sysparm_query')).toBe(
      `sys_id=${SERVER_ID}`,
    );
  });

  it('answers undefined without the annotation or without a matching CI', async () => {
    const { source, fake } = setup();
    await expect(
      source.getOwnershipFacts({ entity: entity() }),
    ).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(0);
    await expect(
      source.getOwnershipFacts({
        entity: entity('ffffffffffffffffffffffffffffffff'),
      }),
    ).resolves.toBeUndefined();
  });

  it('refuses an annotation that is not a sys_id instead of querying with it', async () => {
    const { source, fake } = setup();
    await expect(
      source.getOwnershipFacts({ entity: entity('abc^ORsys_id!=x') }),
    ).rejects.toThrow(
      /servicenow\.com\/ci-sysid of checkout holds 'abc\^ORsys_id!=x', which is not a sys_id/,
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('caches facts briefly and shares one read between concurrent requests', async () => {
    const { source, fake, advance } = setup({ cacheSeconds: 60 });
    const [a, b] = await Promise.all([
      source.getOwnershipFacts({ entity: entity(CHECKOUT_ID) }),
      source.getOwnershipFacts({ entity: entity(CHECKOUT_ID) }),
    ]);
    expect(a).toBe(b);
    advance(30_000);
    await source.getOwnershipFacts({ entity: entity(CHECKOUT_ID) });
    expect(fake.requests).toHaveLength(1);
    advance(31_000);
    const fresh = await source.getOwnershipFacts({
      entity: entity(CHECKOUT_ID),
    });
    expect(fake.requests).toHaveLength(2);
    expect(fresh!.asOf).toBe('2026-03-01T12:01:01.000Z');
  });

  it('does not cache a failure', async () => {
    const { source, fake } = setup();
    fake.onRequest = () => ({ status: 503, body: 'busy' });
    await expect(
      source.getOwnershipFacts({ entity: entity(CHECKOUT_ID) }),
    ).rejects.toMatchObject({
      status: 503,
    });
    // The HTTP layer retried it within its budget first.
    expect(fake.requests.length).toBeGreaterThan(2);
    fake.onRequest = undefined;
    await expect(
      source.getOwnershipFacts({ entity: entity(CHECKOUT_ID) }),
    ).resolves.toMatchObject({
      owner: { name: 'Beth Anglin' },
    });
  });
});
