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
  it('sends improvement filters as the backend reads them', async () => {
    let search = '';
    server.use(
      http.get(`${baseUrl}/improvements`, ({ request }) => {
        search = new URL(request.url).search;
        return HttpResponse.json({ items: [], totalCount: 0 });
      }),
    );
    await expect(
      client.getImprovements({
        entityRef: 'component:default/payments-api',
        ownerRef: 'group:default/sre',
        status: ['proposed', 'in_progress'],
        overdue: true,
        q: 'pool exhaustion',
        sort: 'dueDate',
        order: 'asc',
        limit: 25,
        offset: 50,
      }),
    ).resolves.toEqual({ items: [], totalCount: 0 });
    expect(search).toBe(
      '?entityRef=component%3Adefault%2Fpayments-api&ownerRef=group%3Adefault%2Fsre&status=proposed%2Cin_progress&overdue=true&q=pool+exhaustion&sort=dueDate&order=asc&limit=25&offset=50',
    );
    await client.getImprovements({ status: [] });
    expect(search).toBe('');
    await client.getImprovements({
      ownedBy: 'group:default/payments',
      limit: 100,
    });
    expect(search).toBe('?ownedBy=group%3Adefault%2Fpayments&limit=100');
  });

  it('reads one improvement by its encoded id', async () => {
    let path = '';
    server.use(
      http.get(`${baseUrl}/improvements/:id`, ({ request, params }) => {
        path = new URL(request.url).pathname;
        return HttpResponse.json({ id: params.id, events: [] });
      }),
    );
    await expect(client.getImprovement('a/b')).resolves.toEqual({
      id: 'a/b',
      events: [],
    });
    expect(path).toBe('/api/itsm/improvements/a%2Fb');
  });

  it('creates, updates and deletes improvements with the right methods and JSON bodies', async () => {
    const seen: Array<{
      method: string;
      path: string;
      contentType: string | null;
      body: unknown;
    }> = [];
    const record = async (request: Request) => {
      const text = await request.text();
      seen.push({
        method: request.method,
        path: new URL(request.url).pathname,
        contentType: request.headers.get('content-type'),
        body: text ? JSON.parse(text) : undefined,
      });
    };
    server.use(
      http.post(`${baseUrl}/improvements`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({ id: 'imp-1' }, { status: 201 });
      }),
      http.patch(`${baseUrl}/improvements/:id`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({ id: 'imp-1', status: 'approved' });
      }),
      http.delete(`${baseUrl}/improvements/:id`, async ({ request }) => {
        await record(request);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const create = {
      title: 'Faster restores',
      ownerRef: 'group:default/payments-team',
      entityRefs: ['component:default/payments-api'],
      recordIds: ['r1'],
      metric: { metricId: 'mttr', target: 14400 },
    };
    await expect(client.createImprovement(create)).resolves.toEqual({
      id: 'imp-1',
    });
    await expect(
      client.updateImprovement('imp-1', {
        status: 'approved',
        comment: 'Agreed',
      }),
    ).resolves.toEqual({ id: 'imp-1', status: 'approved' });
    await expect(client.deleteImprovement('imp-1')).resolves.toBeUndefined();
    expect(seen).toEqual([
      {
        method: 'POST',
        path: '/api/itsm/improvements',
        contentType: 'application/json',
        body: create,
      },
      {
        method: 'PATCH',
        path: '/api/itsm/improvements/imp-1',
        contentType: 'application/json',
        body: { status: 'approved', comment: 'Agreed' },
      },
      {
        method: 'DELETE',
        path: '/api/itsm/improvements/imp-1',
        contentType: null,
        body: undefined,
      },
    ]);
  });

  it('keeps the message of a refused improvement for the form', async () => {
    server.use(
      http.post(`${baseUrl}/improvements`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'InputError',
              message:
                'Invalid body: metric.target: the target must be below the baseline 3600 for mttr (lower is better)',
            },
            request: { method: 'POST', url: '/api/itsm/improvements' },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
      http.delete(`${baseUrl}/improvements/:id`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotAllowedError', message: 'Not allowed' },
            request: { method: 'DELETE', url: '/api/itsm/improvements/x' },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    await expect(
      client.createImprovement({
        title: 't',
        ownerRef: 'group:default/a',
        entityRefs: ['component:default/x'],
        metric: { metricId: 'mttr', target: 7200 },
      }),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 400,
      body: {
        error: {
          message:
            'Invalid body: metric.target: the target must be below the baseline 3600 for mttr (lower is better)',
        },
      },
    });
    await expect(client.deleteImprovement('x')).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 403,
    });
  });

  it('reads reviews as JSON and as Markdown text, and holds them with POST', async () => {
    const searches: string[] = [];
    let held: unknown;
    server.use(
      http.get(`${baseUrl}/reviews`, ({ request }) => {
        const url = new URL(request.url);
        searches.push(url.search);
        if (url.searchParams.get('format') === 'markdown') {
          return new HttpResponse('# Service review\n\nAll good.', {
            headers: { 'Content-Type': 'text/markdown; charset=utf-8' },
          });
        }
        return HttpResponse.json({ entityRef: 'component:default/x' });
      }),
      http.post(`${baseUrl}/reviews`, async ({ request }) => {
        held = await request.json();
        return HttpResponse.json({ held: { id: 'h1' } }, { status: 201 });
      }),
    );
    const query = { entityRef: 'component:default/x', period: '2026-Q3' };
    await expect(client.getReview(query)).resolves.toEqual({
      entityRef: 'component:default/x',
    });
    await expect(client.getReviewMarkdown(query)).resolves.toBe(
      '# Service review\n\nAll good.',
    );
    await expect(
      client.holdReview({ ...query, decisions: 'Add pool alerts' }),
    ).resolves.toEqual({ held: { id: 'h1' } });
    expect(searches).toEqual([
      '?entityRef=component%3Adefault%2Fx&period=2026-Q3',
      '?entityRef=component%3Adefault%2Fx&period=2026-Q3&format=markdown',
    ]);
    expect(held).toEqual({ ...query, decisions: 'Add pool alerts' });
  });

  it('amends and releases a held review by its id', async () => {
    const calls: string[] = [];
    let amended: unknown;
    server.use(
      http.patch(`${baseUrl}/reviews/held/:id`, async ({ request, params }) => {
        calls.push(`PATCH ${params.id}`);
        amended = await request.json();
        return HttpResponse.json({ held: { id: params.id, decisions: 'B' } });
      }),
      http.delete(`${baseUrl}/reviews/held/:id`, ({ params }) => {
        calls.push(`DELETE ${params.id}`);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await expect(
      client.amendReview('h 1/x', { decisions: 'B' }),
    ).resolves.toEqual({ held: { id: 'h 1/x', decisions: 'B' } });
    expect(amended).toEqual({ decisions: 'B' });
    await expect(client.releaseReview('h 1/x')).resolves.toBeUndefined();
    expect(calls).toEqual(['PATCH h 1/x', 'DELETE h 1/x']);
  });

  it.each([
    ['with a token to inject', { token: 'user-token' }, 'Bearer user-token'],
    [
      'without a token',
      { identityApi: { getCredentials: async () => ({}) } },
      null,
    ],
  ])(
    "sends a JSON body through the app's identity middleware, %s",
    async (_, injectIdentityAuth, authorization) => {
      // The app's fetchApi wraps every call in new Request(input, init): a
      // body-carrying Request handed to it whole is spent before it is sent.
      let received: { authorization: string | null; body: unknown } | undefined;
      server.use(
        http.post(`${baseUrl}/reviews`, async ({ request }) => {
          received = {
            authorization: request.headers.get('authorization'),
            body: await request.json(),
          };
          return HttpResponse.json({ id: 'held-1' }, { status: 201 });
        }),
      );
      const appClient = new ItsmClient({
        discoveryApi: { getBaseUrl: async () => baseUrl },
        fetchApi: new MockFetchApi({ injectIdentityAuth }),
      });
      await appClient.holdReview({
        entityRef: 'component:default/payments-api',
        period: '2026-Q3',
        decisions: 'Keep the MTTR target',
      });
      expect(received).toEqual({
        authorization,
        body: {
          entityRef: 'component:default/payments-api',
          period: '2026-Q3',
          decisions: 'Keep the MTTR target',
        },
      });
    },
  );

  it('says why a release was refused', async () => {
    server.use(
      http.delete(`${baseUrl}/reviews/held/:id`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message: 'You are not allowed to release the held review',
            },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    await expect(client.releaseReview('h1')).rejects.toMatchObject({
      name: 'ResponseError',
      response: { status: 403 },
    });
  });
});
