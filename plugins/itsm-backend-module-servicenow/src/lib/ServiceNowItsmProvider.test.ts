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

import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import {
  describeValidationError,
  itsmRecordInputSchema,
} from '@backstage-itsm/plugin-itsm-common';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import pagingAnd429 from '../__fixtures__/servicenow-table-api-paging-and-429.json';
import type { FakeServiceNow } from '../__testUtils__/FakeServiceNow';
import {
  at,
  BASE_URL,
  changeRow,
  collect,
  createFake,
  incidentRow,
  problemRow,
  recordsOf,
  RESPONSE_SLA_ID,
  runLikeEngine,
  slaRow,
  sysId,
} from '../__testUtils__/helpers';
import { fakeServiceNowHandlers } from '../__testUtils__/msw';
import { ServiceNowError } from './errors';
import { ServiceNowClient } from './ServiceNowClient';
import {
  ServiceNowItsmProvider,
  ServiceNowItsmProviderOptions,
} from './ServiceNowItsmProvider';
import type { DisplayValueMode } from './values';

const server = setupServer();
registerMswTestHooks(server);

/** Well after the fixtures' times, so no SLA change counts as "during the run". */
const NOW = Date.parse('2024-06-10T00:00:00Z');

function provider(
  options: Partial<ServiceNowItsmProviderOptions> & {
    displayValue?: DisplayValueMode;
    timeoutMs?: number;
    password?: string;
  } = {},
) {
  const { displayValue, timeoutMs, password, ...rest } = options;
  const client = new ServiceNowClient({
    instance: 'servicenow:corp',
    baseUrl: BASE_URL,
    auth: { type: 'basic', username: 'itsm', password: password ?? 'pw' },
    timeoutMs: timeoutMs ?? 5000,
    displayValue,
    configKey: 'itsm.providers.servicenow.corp',
  });
  return new ServiceNowItsmProvider({
    id: 'servicenow:corp',
    client,
    pageSize: 3,
    now: () => NOW,
    ...rest,
  });
}

/** Answers after a second, or as soon as the client gives up. */
function slow(request: Request): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, 1000);
    request.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function serve(fake: FakeServiceNow) {
  server.use(...fakeServiceNowHandlers(fake));
  return fake;
}

function incidents(
  n: number,
  overrides: (i: number) => Record<string, string> = () => ({}),
) {
  return Array.from({ length: n }, (_, i) =>
    incidentRow(i + 1, overrides(i + 1)),
  );
}

/** externalId@sourceUpdatedAt of each record, in order. */
function versions(records: Array<Record<string, any>>): string[] {
  return records.map(r => `${r.number}@${r.sourceUpdatedAt}`);
}

function valid(records: Array<Record<string, any>>) {
  for (const record of records) {
    const result = itsmRecordInputSchema.safeParse(record);
    if (!result.success) {
      throw new Error(
        `${record.number}: ${describeValidationError(result.error)}`,
      );
    }
  }
  return records;
}

function queries(fake: FakeServiceNow, table: string) {
  return fake
    .tableRequests(table)
    .filter(url => url.searchParams.get('sysparm_limit') !== '1')
    .map(url => ({
      query: url.searchParams.get('sysparm_query'),
      offset: url.searchParams.get('sysparm_offset') ?? '0',
    }));
}

async function failureOf(promise: Promise<unknown>): Promise<ServiceNowError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceNowError);
    return error as ServiceNowError;
  }
  throw new Error('expected a failure');
}

describe('ServiceNowItsmProvider', () => {
  it('declares its kinds from the tables it syncs', () => {
    expect(provider().kinds).toEqual(['incident', 'change', 'problem']);
    expect(provider({ tables: ['change_request'] }).kinds).toEqual(['change']);
    expect(provider().department).toBe('it');
  });

  it('reads a table across pages in a stable order, with explicit fields', async () => {
    const fake = serve(createFake().put('incident', incidents(6)));
    const batches = await collect(provider({ tables: ['incident'] }), null);
    const records = valid(recordsOf(batches));
    expect(records.map(r => r.number)).toEqual([
      'INC0000001',
      'INC0000002',
      'INC0000003',
      'INC0000004',
      'INC0000005',
      'INC0000006',
    ]);
    // Three pages, each re-anchored on the last row read (which it re-reads once).
    expect(queries(fake, 'incident')).toEqual([
      { query: 'ORDERBYsys_updated_on^ORDERBYsys_id', offset: '0' },
      {
        query: `sys_updated_on>=${at(180)}^ORDERBYsys_updated_on^ORDERBYsys_id`,
        offset: '0',
      },
      {
        query: `sys_updated_on>=${at(300)}^ORDERBYsys_updated_on^ORDERBYsys_id`,
        offset: '0',
      },
    ]);
    const first = fake.tableRequests('incident')[1];
    expect(first.searchParams.get('sysparm_limit')).toBe('3');
    expect(first.searchParams.get('sysparm_fields')!.split(',')).toEqual(
      expect.arrayContaining([
        'sys_id',
        'number',
        'state',
        'sys_updated_on',
        'cmdb_ci',
        'business_service',
        'caused_by',
        'problem_id',
        'reopen_count',
        'assignment_group.name',
      ]),
    );
    // The fake has no u_backstage_entity_id: optional, so not asked for.
    expect(first.searchParams.get('sysparm_fields')).not.toContain(
      'u_backstage_entity_id',
    );
    expect(batches).toHaveLength(3);
    expect(records[0]).toMatchObject({
      externalId: sysId('a1', 1),
      state: 'new',
      assignmentGroup: 'Network',
      url: `${BASE_URL}/nav_to.do?uri=incident.do?sys_id=${sysId('a1', 1)}`,
      mappings: [
        {
          annotation: 'servicenow.com/ci-sysid',
          value: 'a9c0c8d2c6112276018f7705562f9cb0',
        },
      ],
    });
  });

  it('syncs changes and problems too, and the cursor of each batch says where to resume', async () => {
    serve(
      createFake()
        .put('incident', incidents(2))
        .put('change_request', [changeRow(1), changeRow(2, { state: '4' })])
        .put('problem', [problemRow(1)]),
    );
    const batches = await collect(provider(), null);
    const records = valid(recordsOf(batches));
    expect(records.map(r => [r.kind, r.number, r.state])).toEqual([
      ['incident', 'INC0000001', 'new'],
      ['incident', 'INC0000002', 'new'],
      ['change', 'CHG0000001', 'closed'],
      ['change', 'CHG0000002', 'cancelled'],
      ['problem', 'PRB0000001', 'in_progress'],
    ]);
    expect(records[2]).toMatchObject({
      changeType: 'standard',
      outcome: 'successful',
      actualStart: '2015-07-06T18:56:04.000Z',
    });
    expect(records[3].outcome).toBe('cancelled');
    const cursor = JSON.parse(batches[batches.length - 1].cursor!);
    expect(cursor).toMatchObject({
      version: 1,
      tables: {
        incident: { since: at(120) },
        change_request: { since: at(120) },
        problem: { since: at(60) },
        // A first sync read every task with its SLAs: SLA changes count from the run's start.
        task_sla: { since: '2024-06-09 23:58:00' },
      },
    });
  });

  it('attaches every SLA of a task, with its definition, fetched per page', async () => {
    const fake = serve(
      createFake()
        .put('incident', incidents(4))
        .put('task_sla', [
          slaRow(1, sysId('a1', 1)),
          slaRow(2, sysId('a1', 1), {
            sla: RESPONSE_SLA_ID,
            stage: 'in_progress',
            has_breached: 'false',
            end_time: '',
          }),
          slaRow(3, sysId('a1', 4), { stage: 'paused' }),
        ]),
    );
    const records = valid(recordsOf(await collect(provider(), null)));
    const byNumber = Object.fromEntries(records.map(r => [r.number, r]));
    expect(byNumber.INC0000001.slas).toEqual([
      {
        name: 'P1 resolution (8 hour)',
        kind: 'resolution',
        targetSeconds: 28800,
        stage: 'completed',
        breached: true,
        startAt: '2024-06-11T10:00:00.000Z',
        endAt: '2024-06-12T09:30:00.000Z',
        breachAt: '2024-06-11T18:00:00.000Z',
        businessElapsedSeconds: 34200,
      },
      expect.objectContaining({
        name: 'P1 response (1 hour)',
        kind: 'response',
        targetSeconds: 3600,
        stage: 'in_progress',
        endAt: null,
      }),
    ]);
    expect(byNumber.INC0000002.slas).toEqual([]);
    expect(byNumber.INC0000004.slas).toEqual([
      expect.objectContaining({ stage: 'paused' }),
    ]);
    const slaQueries = queries(fake, 'task_sla').map(q => q.query);
    expect(slaQueries[0]).toBe(
      `taskIN${[1, 2, 3].map(n => sysId('a1', n)).join(',')}^ORDERBYsys_id`,
    );
    // First sync: the SLA phase only looks at changes since the run began.
    expect(slaQueries[slaQueries.length - 1]).toBe(
      'sys_updated_on>=2024-06-09 23:56:00^task.sys_class_nameINincident,change_request,problem^ORDERBYsys_updated_on^ORDERBYsys_id',
    );
  });

  it('yields a task again when only its SLA changed, and not when the run already had it', async () => {
    const fake = serve(
      createFake()
        .put('incident', incidents(3))
        .put('task_sla', [
          slaRow(1, sysId('a1', 1), {
            stage: 'in_progress',
            has_breached: 'false',
            end_time: '',
          }),
        ]),
    );
    let clock = Date.parse('2024-06-01T01:00:00Z');
    const p = provider({ now: () => clock });
    const first = recordsOf(await collect(p, null));
    // The first sync yields each task once: its SLAs came with it.
    expect(versions(first)).toEqual([
      'INC0000001@2024-06-01T00:01:00.000Z',
      'INC0000002@2024-06-01T00:02:00.000Z',
      'INC0000003@2024-06-01T00:03:00.000Z',
    ]);
    const cursor = (await collect(p, null)).pop()!.cursor!;

    // An hour later: the SLA of incident 1 breaches, the incident itself is
    // untouched (and lies in the overlap the next run reads again); incident
    // 2 and its SLA both change.
    fake.update('task_sla', sysId('5a', 1), {
      has_breached: 'true',
      sys_updated_on: at(5400),
    });
    fake.update('incident', sysId('a1', 2), {
      sys_updated_on: at(6000),
      state: '2',
    });
    fake.put('task_sla', [
      slaRow(2, sysId('a1', 2), { sys_updated_on: at(6000) }),
    ]);
    clock = Date.parse('2024-06-01T02:00:00Z');
    const second = valid(recordsOf(await collect(p, cursor)));
    expect(versions(second)).toEqual([
      'INC0000002@2024-06-01T01:40:00.000Z', // read as changed, with its new SLA
      'INC0000001@2024-06-01T00:01:00.000Z', // same version, yielded again for its SLA
    ]);
    expect(second[0].slas).toHaveLength(1);
    expect(second[1].slas).toEqual([
      expect.objectContaining({ breached: true, stage: 'in_progress' }),
    ]);
    // The SLA phase asked for incident 1 only (incident 2 came with its SLA).
    expect(queries(fake, 'incident').pop()!.query).toBe(
      `sys_idIN${sysId('a1', 1)}^ORDERBYsys_id`,
    );
  });

  it('neither skips nor repeats rows across runs: overlap, late writes and rows sharing a second', async () => {
    // Five rows in one second, then one more: pages of 3 split the second.
    const same = at(600);
    const fake = serve(
      createFake().put('incident', [
        ...[1, 2, 3, 4, 5].map(n => incidentRow(n, { sys_updated_on: same })),
        incidentRow(6, { sys_updated_on: at(660) }),
      ]),
    );
    const p = provider({ tables: ['incident'] });
    const store: Array<Record<string, any>> = [];
    const run1 = await runLikeEngine(p, null, store);
    expect(run1.error).toBeUndefined();
    expect(store.map(r => r.number)).toEqual([
      'INC0000001',
      'INC0000002',
      'INC0000003',
      'INC0000004',
      'INC0000005',
      'INC0000006',
    ]);
    expect(queries(fake, 'incident').map(q => q.offset)).toEqual([
      '0',
      '2',
      '4',
    ]);

    // Between runs: a row committed late into that second (sorting before
    // the rows already read), a late row just before the cursor (inside the
    // overlap), a new one in the cursor's own second, and an update.
    fake.put('incident', [
      incidentRow(8, { sys_id: sysId('a0', 8), sys_updated_on: same }),
      incidentRow(9, { sys_updated_on: at(630) }),
      incidentRow(10, { sys_updated_on: at(660) }),
    ]);
    fake.update('incident', sysId('a1', 3), {
      sys_updated_on: at(900),
      state: '6',
    });
    const before = store.length;
    const run2 = await runLikeEngine(p, run1.cursor, store);
    expect(run2.error).toBeUndefined();
    expect(versions(store.slice(before))).toEqual([
      'INC0000008@2024-06-01T00:10:00.000Z',
      'INC0000009@2024-06-01T00:10:30.000Z',
      'INC0000010@2024-06-01T00:11:00.000Z',
      'INC0000003@2024-06-01T00:15:00.000Z',
    ]);
    // A third run with nothing new yields nothing.
    const run3 = await runLikeEngine(p, run2.cursor, store);
    expect(store.length).toBe(before + 4);
    expect(run3.cursor).toBe(run2.cursor);
  });

  it('catches rows updated during a sync without skipping the rows that shift', async () => {
    // Four rows in one second; after the first page a user updates row 1,
    // which leaves the second: plain offset paging would now skip row 4.
    const same = at(600);
    const fake = serve(
      createFake().put(
        'incident',
        [1, 2, 3, 4].map(n => incidentRow(n, { sys_updated_on: same })),
      ),
    );
    let pages = 0;
    fake.onRequest = request => {
      const isPage =
        request.url.pathname === '/api/now/table/incident' &&
        request.url.searchParams.get('sysparm_limit') === '3';
      if (isPage && ++pages === 2) {
        fake.update('incident', sysId('a1', 1), {
          sys_updated_on: at(1200),
          state: '2',
        });
      }
      return undefined;
    };
    const records = recordsOf(
      await collect(provider({ tables: ['incident'] }), null),
    );
    expect(versions(records)).toEqual([
      'INC0000001@2024-06-01T00:10:00.000Z',
      'INC0000002@2024-06-01T00:10:00.000Z',
      'INC0000003@2024-06-01T00:10:00.000Z',
      'INC0000004@2024-06-01T00:10:00.000Z',
      'INC0000001@2024-06-01T00:20:00.000Z',
    ]);
    expect(new Set(versions(records)).size).toBe(records.length);
    // The second's rows changed under the read: it was read again from its start.
    expect(queries(fake, 'incident').map(q => q.offset)).toEqual([
      '0',
      '2',
      '0',
      '2',
    ]);
  });

  it('throws a retryable 429 with retryAfterMs, keeping the batches before it', async () => {
    const fake = serve(createFake().put('incident', incidents(6)));
    fake.onRequest = request =>
      request.url.pathname === '/api/now/table/incident' &&
      request.url.searchParams
        .get('sysparm_query')
        ?.startsWith(`sys_updated_on>=${at(180)}`)
        ? {
            status: 429,
            headers: {
              'Retry-After': '12',
              'Content-Type': 'application/json',
            },
            body: JSON.stringify(pagingAnd429.rate_limited_response.body),
          }
        : undefined;
    const store: Array<Record<string, any>> = [];
    const run = await runLikeEngine(
      provider({ tables: ['incident'] }),
      null,
      store,
    );
    expect(run.error).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 12_000,
    });
    expect(store.map(r => r.number)).toEqual([
      'INC0000001',
      'INC0000002',
      'INC0000003',
    ]);
    expect(JSON.parse(run.cursor!).tables.incident.since).toBe(at(180));
  });

  it('resumes after a 5xx from the last committed cursor without losing or repeating rows', async () => {
    const fake = serve(
      createFake()
        .put('incident', incidents(8))
        .put('task_sla', [slaRow(1, sysId('a1', 5))]),
    );
    let failures = 0;
    fake.onRequest = request => {
      const isThirdPage = request.url.searchParams
        .get('sysparm_query')
        ?.startsWith(`sys_updated_on>=${at(300)}`);
      if (isThirdPage && failures === 0) {
        failures++;
        return { status: 503, body: '<html>Service Unavailable</html>' };
      }
      return undefined;
    };
    const p = provider();
    const store: Array<Record<string, any>> = [];
    // What the engine does: retry a retryable error from the saved cursor.
    let cursor: string | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      const run = await runLikeEngine(p, cursor, store);
      cursor = run.cursor;
      if (!run.error) break;
      expect(run.error).toMatchObject({ status: 503, retryable: true });
    }
    expect(failures).toBe(1);
    expect(store.map(r => r.number)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map(n => `INC${String(n).padStart(7, '0')}`),
    );
    expect(store.find(r => r.number === 'INC0000005')!.slas).toHaveLength(1);
  });

  it('keeps the batches of a run that fails halfway through a page, and the next run resumes', async () => {
    const fake = serve(
      createFake()
        .put('incident', incidents(6))
        .put('task_sla', [
          slaRow(1, sysId('a1', 4)),
          slaRow(2, sysId('a1', 6)),
        ]),
    );
    // The page of rows 3-5 arrives, but fetching its SLAs fails.
    fake.onRequest = request =>
      request.url.searchParams
        .get('sysparm_query')
        ?.startsWith(`taskIN${sysId('a1', 4)}`)
        ? {
            status: 500,
            body: '{"error":{"message":"Transaction cancelled: maximum execution time exceeded"}}',
          }
        : undefined;
    const p = provider({ tables: ['incident', 'task_sla'] });
    const store: Array<Record<string, any>> = [];
    const run1 = await runLikeEngine(p, null, store);
    expect(run1.error).toMatchObject({ status: 500, retryable: true });
    expect((run1.error as Error).message).toContain(
      'maximum execution time exceeded',
    );
    expect(store.map(r => r.number)).toEqual([
      'INC0000001',
      'INC0000002',
      'INC0000003',
    ]);

    fake.onRequest = undefined;
    const run2 = await runLikeEngine(p, run1.cursor, store);
    expect(run2.error).toBeUndefined();
    expect(store.map(r => r.number)).toEqual(
      [1, 2, 3, 4, 5, 6].map(n => `INC${String(n).padStart(7, '0')}`),
    );
    expect(store.filter(r => r.slas.length > 0).map(r => r.number)).toEqual([
      'INC0000004',
      'INC0000006',
    ]);
  });

  it('times out a slow page with a retryable error', async () => {
    serve(createFake().put('incident', incidents(2)));
    server.use(
      http.get(`${BASE_URL}/api/now/table/incident`, async ({ request }) => {
        if (new URL(request.url).searchParams.get('sysparm_limit') === '1') {
          return undefined;
        }
        await slow(request);
        return HttpResponse.json({ result: [] });
      }),
    );
    const error = await failureOf(
      collect(provider({ tables: ['incident'], timeoutMs: 50 }), null),
    );
    expect(error).toMatchObject({ retryable: true, table: 'incident' });
    expect(error.message).toContain(
      'did not answer reading table incident within 0.05 s',
    );
  });

  it('yields malformed rows as items the schema refuses, naming the field, next to the good ones', async () => {
    const fake = serve(
      createFake().put('incident', [
        incidentRow(1),
        incidentRow(2, { state: '42' }),
        incidentRow(3, { opened_at: '2024-02-30 10:00:00' }),
        incidentRow(4, { priority: 'urgent!' }),
      ]),
    );
    const logger = mockServices.logger.mock();
    const records: Array<Record<string, any>> = [];
    for await (const batch of provider({ tables: ['incident'] }).sync({
      cursor: null,
      signal: new AbortController().signal,
      logger,
    })) {
      records.push(...(batch.records as Array<Record<string, any>>));
    }
    const outcome = records.map(r => {
      const result = itsmRecordInputSchema.safeParse(r);
      return result.success ? 'ok' : describeValidationError(result.error);
    });
    expect(outcome[0]).toBe('ok');
    expect(outcome[1]).toMatch(/^state: Invalid option/);
    expect(records[1].state).toBe('unmapped ServiceNow incident state "42"');
    expect(outcome[2]).toBe('openedAt: Invalid ISO datetime');
    expect(records[2].openedAt).toContain('"2024-02-30 10:00:00"');
    expect(outcome[3]).toMatch(/^priority: /);
    expect(records[3]._errors).toEqual([
      'unmapped ServiceNow incident priority "urgent!"',
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'ServiceNow incident state "42" has no mapping; records with it go to dead letters. Map it at itsm.providers.servicenow.corp.choices.incident.state',
      ),
    );
    expect(fake.rows('incident')).toHaveLength(4);
  });

  it('applies choice overrides from config', async () => {
    serve(createFake().put('incident', [incidentRow(1, { state: '42' })]));
    const records = valid(
      recordsOf(
        await collect(
          provider({
            tables: ['incident'],
            choices: { incident: { state: { '42': 'on_hold' } } },
          }),
          null,
        ),
      ),
    );
    expect(records[0].state).toBe('on_hold');
  });

  it('fails the run on an auth failure, naming the instance, without retrying', async () => {
    const fake = serve(
      createFake({
        auth: { type: 'basic', username: 'itsm', password: 'pw' },
      }).put('incident', incidents(1)),
    );
    const error = await failureOf(
      collect(provider({ password: 'wrong' }), null),
    );
    expect(error).toMatchObject({
      status: 401,
      retryable: false,
      instance: 'servicenow:corp',
      table: 'incident',
    });
    expect(error.message).toContain(
      'ServiceNow instance servicenow:corp (https://example.service-now.com) refused access when reading table incident',
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('reads with display values (all) to the same records', async () => {
    const rows = [
      incidentRow(1, { assigned_to: '46c6f9efa9fe198101ddf5eed9adf6e7' }),
      incidentRow(2),
    ];
    serve(
      createFake()
        .put('incident', rows)
        .put('task_sla', [slaRow(1, sysId('a1', 1))]),
    );
    const plain = valid(recordsOf(await collect(provider(), null)));
    const all = valid(
      recordsOf(await collect(provider({ displayValue: 'all' }), null)),
    );
    const strip = (r: Record<string, any>) => ({ ...r, payload: undefined });
    expect(all.map(strip)).toEqual(plain.map(strip));
    expect(all[0]).toMatchObject({
      assignee: 'Beth Anglin',
      assignmentGroup: 'Network',
    });
    expect(all[0].payload.opened_at).toEqual({
      display_value: '2024-05-31 16:51:00',
      value: '2024-05-31 23:51:00',
    });
  });

  describe('field check', () => {
    it('fails loudly, naming a field the table lacks', async () => {
      // An instance without reopen_count.
      const bare = serve(
        createFake()
          .put('incident', incidents(1))
          .drop('incident', 'reopen_count'),
      );
      const error = await failureOf(
        collect(provider({ tables: ['incident'] }), null),
      );
      expect(error).toMatchObject({ retryable: false, table: 'incident' });
      expect(error.message).toContain(
        'ServiceNow instance servicenow:corp has no field "reopen_count" (needed by the provider) on table incident',
      );
      expect(bare.tableRequests('incident')).toHaveLength(1);
      expect(
        bare.tableRequests('incident')[0].searchParams.get('sysparm_limit'),
      ).toBe('1');
    });

    it('fails loudly, naming an unknown field of the configured query and the key', async () => {
      serve(createFake().put('incident', incidents(2)));
      const error = await failureOf(
        collect(
          provider({
            tables: ['incident'],
            query: { incident: 'active=true^assignment_grp.name=Network' },
          }),
          null,
        ),
      );
      expect(error.message).toContain(
        'has no field "assignment_grp.name" (used in itsm.providers.servicenow.corp.query.incident) on table incident',
      );
    });

    it('fails loudly on an unknown acknowledgedAtField', async () => {
      serve(createFake().put('incident', incidents(1)));
      const error = await failureOf(
        collect(
          provider({
            tables: ['incident'],
            acknowledgedAtField: 'u_acknowledged',
          }),
          null,
        ),
      );
      expect(error.message).toContain(
        'no field "u_acknowledged" (configured at itsm.providers.servicenow.corp.acknowledgedAtField)',
      );
    });

    it('uses a known query and optional fields the instance has', async () => {
      const fake = serve(
        createFake().put('incident', [
          incidentRow(1, {
            u_backstage_entity_id: 'component:default/checkout',
            u_acknowledged_at: at(0),
          }),
          incidentRow(2, {
            active: 'false',
            u_backstage_entity_id: '',
            u_acknowledged_at: '',
          }),
        ]),
      );
      const records = valid(
        recordsOf(
          await collect(
            provider({
              tables: ['incident'],
              query: { incident: 'active=true' },
              acknowledgedAtField: 'u_acknowledged_at',
            }),
            null,
          ),
        ),
      );
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        acknowledgedAt: '2024-06-01T00:00:00.000Z',
        mappings: expect.arrayContaining([
          {
            annotation: 'servicenow.com/entity-id',
            value: 'component:default/checkout',
          },
        ]),
      });
      expect(queries(fake, 'incident')[0].query).toBe(
        'active=true^ORDERBYsys_updated_on^ORDERBYsys_id',
      );
    });
  });

  it('starts over, with a warning, from a cursor it did not write', async () => {
    serve(createFake().put('incident', incidents(2)));
    const logger = mockServices.logger.mock();
    const records: unknown[] = [];
    for await (const batch of provider({ tables: ['incident'] }).sync({
      cursor: '{"page":3}',
      signal: new AbortController().signal,
      logger,
    })) {
      records.push(...(batch.records ?? []));
    }
    expect(records).toHaveLength(2);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('is not one this provider wrote'),
    );
  });

  it('stops when the run is aborted', async () => {
    serve(createFake().put('incident', incidents(6)));
    const controller = new AbortController();
    const batches: unknown[] = [];
    await expect(async () => {
      for await (const batch of provider({ tables: ['incident'] }).sync({
        cursor: null,
        signal: controller.signal,
        logger: mockServices.logger.mock(),
      })) {
        batches.push(batch);
        controller.abort();
      }
    }).rejects.toThrow();
    expect(batches).toHaveLength(1);
  });
});
