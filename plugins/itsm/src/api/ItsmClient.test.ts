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

import { MockFetchApi, registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ItsmClient } from './ItsmClient';

const baseUrl = 'http://localhost:7007/api/itsm';

describe('ItsmClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const client = new ItsmClient({
    discoveryApi: { getBaseUrl: async () => baseUrl },
    fetchApi: new MockFetchApi(),
  });

  it('sends record filters as the backend reads them', async () => {
    let search = '';
    server.use(
      http.get(`${baseUrl}/records`, ({ request }) => {
        search = new URL(request.url).search;
        return HttpResponse.json({ items: [], nextCursor: 'next' });
      }),
    );
    await expect(
      client.getRecords({
        entityRef: 'component:default/payments-api',
        kind: ['incident', 'change'],
        priority: [1, 2],
        state: [],
        from: '2026-01-01T00:00:00.000Z',
        limit: 500,
        cursor: undefined,
      }),
    ).resolves.toEqual({ items: [], nextCursor: 'next' });
    expect(search).toBe(
      '?entityRef=component%3Adefault%2Fpayments-api&kind=incident%2Cchange&priority=1%2C2&from=2026-01-01T00%3A00%3A00.000Z&limit=500',
    );
  });

  it('encodes record ids and entity refs', async () => {
    server.use(
      http.get(`${baseUrl}/records/:id`, ({ params }) =>
        HttpResponse.json({ id: params.id }),
      ),
      http.get(`${baseUrl}/ownership`, ({ request }) =>
        HttpResponse.json({
          entityRef: new URL(request.url).searchParams.get('entityRef'),
        }),
      ),
    );
    await expect(client.getRecord('a/b')).resolves.toEqual({ id: 'a/b' });
    await expect(client.getOwnership('component:default/x')).resolves.toEqual({
      entityRef: 'component:default/x',
    });
  });

  it('turns error responses into ResponseErrors that keep the status and message', async () => {
    server.use(
      http.get(`${baseUrl}/metrics`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message: 'You are not allowed to read ITSM records',
            },
            request: { method: 'GET', url: '/api/itsm/metrics' },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    await expect(
      client.getMetrics({ entityRef: 'component:default/x' }),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 403,
      body: { error: { message: 'You are not allowed to read ITSM records' } },
    });
  });
});
