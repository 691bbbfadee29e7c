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
  EngineLikeStore,
  incidentRow,
  instantTime,
  problemRow,
  recordsOf,
  recordingReporter,
  RESPONSE_SLA_ID,
  runLikeEngine,
  slaRow,
  sysId,
} from '../__testUtils__/helpers';
import { fakeServiceNowHandlers } from '../__testUtils__/msw';
import type { ServiceNowAuthConfig } from '../client/auth';
import { ServiceNowError } from '../client/errors';
import { ServiceNowClient } from '../client/ServiceNowClient';
import {
  ServiceNowItsmProvider,
  ServiceNowItsmProviderOptions,
} from './ServiceNowItsmProvider';
import type { DisplayValueMode } from '../client/values';

const server = setupServer();
registerMswTestHooks(server);

/** Well after the fixtures' times, so no SLA change counts as "during the run". */
const NOW = Date.parse('2024-06-10T00:00:00Z');

function provider(
  options: Partial<ServiceNowItsmProviderOptions> & {
    displayValue?: DisplayValueMode;
    timeoutMs?: number;
    retryBudgetMs?: number;
    password?: string;
    auth?: ServiceNowAuthConfig;
  } = {},
) {
  const { displayValue, timeoutMs, retryBudgetMs, password, auth, ...rest } =
    options;
  const client = new ServiceNowClient({
    instance: 'servicenow:corp',
    baseUrl: BASE_URL,
    auth: auth ?? {
      type: 'basic',
      username: 'itsm',
      password: password ?? 'pw',
    },
    timeoutMs: timeoutMs ?? 5000,
    retryBudgetMs,
    displayValue,
    configKey: 'itsm.providers.servicenow.corp',
    // The HTTP layer's waits take no time in tests, but count.
    http: instantTime(),
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

  it('maps on the ServiceNow annotations and says what its config leaves unmeasured', () => {
    expect(provider().mapsOnAnnotations).toEqual([
      'servicenow.com/ci-sysid',
      'servicenow.com/entity-id',
    ]);
    // No acknowledgement field out of the box: MTTA cannot be measured.
    expect(provider().unmeasurable).toEqual({
      mtta: expect.stringMatching(
        /^ServiceNow records no acknowledgement time out of the box: set itsm\.providers\.servicenow\.corp\.acknowledgedAtField/,
      ),
    });
    expect(
      provider({ acknowledgedAtField: 'u_acknowledged_at' }).unmeasurable,
    ).toEqual({});
    expect(
      provider({
        acknowledgedAtField: 'u_acknowledged_at',
        tables: ['incident', 'change_request'],
      }).unmeasurable,
    ).toEqual({
      sla_attainment:
        'itsm.providers.servicenow.corp does not read task_sla: add it to tables to count SLAs',
    });
    // Without incidents there is no MTTA to miss.
    expect(
      provider({ tables: ['change_request', 'task_sla'] }).unmeasurable,
    ).toEqual({});
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

  it('throws a retryable 429 with retryAfterMs when it may not wait that long, keeping the batches before it', async () => {
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
      // A retry budget shorter than the 12 s the instance asks for.
      provider({ tables: ['incident'], retryBudgetMs: 5000 }),
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
      collect(
        provider({ tables: ['incident'], timeoutMs: 50, retryBudgetMs: 500 }),
        null,
      ),
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

  describe('on a busy production instance', () => {
    const TRANSACTION_CANCELLED =
      '{"error":{"message":"Transaction cancelled: maximum execution time exceeded","detail":null},"status":"failure"}';
    const BUSY = [
      { every: 5, status: 429, headers: { 'Retry-After': '1' } },
      { every: 7, status: 500, body: TRANSACTION_CANCELLED },
    ];

    /** Tasks of every table, an SLA for each incident and change. */
    function busyInstance(
      fake: FakeServiceNow,
      counts: { incidents: number; changes: number; problems: number },
    ) {
      fake.put(
        'incident',
        Array.from({ length: counts.incidents }, (_, i) => incidentRow(i + 1)),
      );
      fake.put(
        'change_request',
        Array.from({ length: counts.changes }, (_, i) => changeRow(i + 1)),
      );
      fake.put(
        'problem',
        Array.from({ length: counts.problems }, (_, i) => problemRow(i + 1)),
      );
      fake.put('task_sla', [
        ...Array.from({ length: counts.incidents }, (_, i) =>
          slaRow(i + 1, sysId('a1', i + 1)),
        ),
        ...Array.from({ length: counts.changes }, (_, i) =>
          slaRow(20_000 + i, sysId('c1', i + 1), {
            sys_updated_on: at(i * 60),
          }),
        ),
      ]);
      return fake;
    }

    function idsOf(fake: FakeServiceNow, table: string) {
      return fake
        .rows(table)
        .map(r => r.sys_id)
        .sort();
    }

    it('syncs 3,000 tasks with their SLAs through a 429 on every 5th request and a 500 on every 7th, each task exactly once', async () => {
      const fake = serve(
        busyInstance(createFake({ faults: BUSY }), {
          incidents: 2000,
          changes: 600,
          problems: 400,
        }),
      );
      const { events, reporter } = recordingReporter();
      const batches = await collect(provider({ pageSize: 250 }), null, {
        reporter,
      });
      const records = recordsOf(batches);

      // Every task exactly once, ids compared with the instance.
      const ids = records.map(r => r.externalId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const [table, kind] of [
        ['incident', 'incident'],
        ['change_request', 'change'],
        ['problem', 'problem'],
      ]) {
        expect(
          records
            .filter(r => r.kind === kind)
            .map(r => r.externalId)
            .sort(),
        ).toEqual(idsOf(fake, table));
      }
      expect(records).toHaveLength(3000);
      // Each with its SLA, none lost to a failed lookup.
      expect(
        records.filter(r => r.kind !== 'problem' && r.slas.length !== 1),
      ).toEqual([]);
      expect(valid(records.slice(0, 50))).toHaveLength(50);

      // The faults happened, and were retried, each 429 after the second it asked.
      expect(fake.faultsSent.get(429)).toBeGreaterThan(10);
      expect(fake.faultsSent.get(500)).toBeGreaterThan(5);
      expect(events.retries).toHaveLength(
        fake.faultsSent.get(429)! + fake.faultsSent.get(500)!,
      );
      expect(
        events.retries
          .filter(r => r.status === 429)
          .every(r => r.waitMs === 1000),
      ).toBe(true);
      expect(events.requests).toBe(fake.requests.length);
      expect(events.parts.size).toBe(0);
    });

    it.each([
      [403, 'access refused'],
      [400, 'no such table'],
    ])(
      'syncs incidents and changes when problem answers %s, and reports problem as the failed part',
      async (status, reason) => {
        const fake = serve(
          createFake()
            .put('incident', incidents(4))
            .put('change_request', [changeRow(1)])
            .put('problem', [problemRow(1)]),
        );
        const store = new EngineLikeStore();
        const p = provider();
        expect((await store.sync(p)).error).toBeUndefined();
        const before = JSON.parse(store.cursor!).tables.problem;
        expect(before.since).toBe(at(60));

        // Access to problem is lost; work goes on in every table.
        fake.refuse('problem', status as 400 | 403);
        fake.put('incident', [incidentRow(5, { sys_updated_on: at(9000) })]);
        fake.put('change_request', [
          changeRow(2, { sys_updated_on: at(9000) }),
        ]);
        fake.put('problem', [problemRow(2, { sys_updated_on: at(9000) })]);
        const { events, reporter } = recordingReporter();
        const run = await store.sync(p, { reporter });
        expect(run.error).toBeUndefined();
        expect(store.yielded.slice(-2).map(r => r.number)).toEqual([
          'INC0000005',
          'CHG0000002',
        ]);
        expect([...events.parts.keys()]).toEqual(['problem']);
        const error = events.parts.get('problem') as ServiceNowError;
        expect(error).toMatchObject({ status, table: 'problem' });
        expect(error.message).toContain(
          `ServiceNow table problem of servicenow:corp cannot be read (${status}: `,
        );
        expect(error.message).toContain(reason);
        expect(error.message).toContain(
          'the other tables sync without it. The integration user needs the itil role, or a custom role with read ACLs on problem and problem.*',
        );
        // Its cursor stays where it was; the next readable run catches up.
        expect(JSON.parse(store.cursor!).tables.problem).toEqual(before);
      },
    );

    it('fails the run with the first error when no task table can be read', async () => {
      const fake = serve(createFake().put('incident', incidents(2)));
      fake
        .refuse('incident', 403)
        .refuse('change_request', 403)
        .refuse('problem', 400);
      const { events, reporter } = recordingReporter();
      const error = await failureOf(collect(provider(), null, { reporter }));
      expect(error).toMatchObject({
        status: 403,
        retryable: false,
        table: 'incident',
      });
      expect(error.message).toContain(
        'refused access when reading table incident',
      );
      // The run's error says it all: no table is a part that failed alone.
      expect(events.parts.size).toBe(0);
    });

    it('fails the run when every table answers 401, without trying each with new tokens', async () => {
      const fake = serve(
        createFake({
          auth: { type: 'oauth', clientId: 'client', clientSecret: 'secret' },
        }).put('incident', incidents(2)),
      );
      fake.refuseAuthentication();
      const { events, reporter } = recordingReporter();
      const error = await failureOf(
        collect(
          provider({
            auth: { type: 'oauth', clientId: 'client', clientSecret: 'secret' },
          }),
          null,
          { reporter },
        ),
      );
      expect(error).toMatchObject({ status: 401, retryable: false });
      expect(error.message).toContain('itsm.providers.servicenow.corp.auth');
      // One new token, then no more: a 401 is the credentials, not a table.
      expect(fake.tokenRequests).toHaveLength(2);
      expect(fake.tableRequests()).toHaveLength(2);
      expect(events.parts.size).toBe(0);
    });

    it('syncs tasks without SLAs while task_sla is unreadable, and gives them their SLAs once it is readable again', async () => {
      const fake = serve(
        createFake()
          .put('incident', incidents(3))
          .put('task_sla', [
            slaRow(1, sysId('a1', 1)),
            slaRow(2, sysId('a1', 2)),
          ]),
      );
      let clock = Date.parse('2024-06-01T01:00:00Z');
      const p = provider({
        tables: ['incident', 'task_sla'],
        now: () => clock,
      });
      const store = new EngineLikeStore();
      await store.sync(p);
      expect(store.records.get(sysId('a1', 1))!.slas).toHaveLength(1);

      // task_sla becomes unreadable; incident 1 changes, incident 4 is new.
      fake.refuse('task_sla', 403);
      fake.update('incident', sysId('a1', 1), {
        sys_updated_on: at(5000),
        state: '2',
      });
      fake.put('incident', [incidentRow(4, { sys_updated_on: at(5100) })]);
      fake.put('task_sla', [
        slaRow(4, sysId('a1', 4), { sys_updated_on: at(5100) }),
      ]);
      clock = Date.parse('2024-06-01T02:00:00Z');
      const { events, reporter } = recordingReporter();
      expect((await store.sync(p, { reporter })).error).toBeUndefined();
      expect([...events.parts.keys()]).toEqual(['task_sla']);
      expect((events.parts.get('task_sla') as Error).message).toContain(
        'The integration user needs the itil role',
      );
      expect(
        store.yielded.slice(-2).map(r => [r.number, r.slas.length]),
      ).toEqual([
        ['INC0000001', 0],
        ['INC0000004', 0],
      ]);

      // Readable again: both come back with their SLAs, though neither changed.
      fake.allow('task_sla');
      clock = Date.parse('2024-06-01T03:00:00Z');
      const seen = store.yielded.length;
      expect((await store.sync(p)).error).toBeUndefined();
      const again = store.yielded.slice(seen);
      expect(
        again
          .filter(r => ['INC0000001', 'INC0000004'].includes(r.number))
          .map(r => [r.number, r.slas.length]),
      ).toEqual([
        ['INC0000001', 1],
        ['INC0000004', 1],
      ]);
      expect(store.records.get(sysId('a1', 1))!.slas).toHaveLength(1);
      expect(store.records.get(sysId('a1', 4))!.slas).toHaveLength(1);
      expect(JSON.parse(store.cursor!).slaGap).toBeUndefined();
    });
  });

  describe('deletions', () => {
    it('reads them from sys_audit_delete when the integration user may', async () => {
      const fake = serve(
        createFake({ auditDeletes: true })
          .put('incident', incidents(5))
          .put('change_request', [changeRow(1), changeRow(2)]),
      );
      let clock = NOW;
      const p = provider({ now: () => clock });
      const store = new EngineLikeStore();
      expect((await store.sync(p)).error).toBeUndefined();
      expect(store.records.size).toBe(7);
      expect(store.deletions).toEqual([]);

      fake.delete('incident', sysId('a1', 2), '2024-06-10 00:30:00');
      fake.delete('incident', sysId('a1', 4), '2024-06-10 00:31:00');
      fake.delete('change_request', sysId('c1', 1), '2024-06-10 00:32:00');
      clock = NOW + 3600_000;
      expect((await store.sync(p)).error).toBeUndefined();
      expect(store.deletions).toEqual([
        {
          externalId: sysId('a1', 2),
          deletedAt: '2024-06-10T00:30:00.000Z',
          reason: 'audit',
        },
        {
          externalId: sysId('a1', 4),
          deletedAt: '2024-06-10T00:31:00.000Z',
          reason: 'audit',
        },
        {
          externalId: sysId('c1', 1),
          deletedAt: '2024-06-10T00:32:00.000Z',
          reason: 'audit',
        },
      ]);
      expect(store.ids('incident')).toEqual([1, 3, 5].map(n => sysId('a1', n)));
      expect(store.ids('change')).toEqual([sysId('c1', 2)]);
      // The probe of one row, then pages from the cursor minus the overlap.
      const audit = fake.tableRequests('sys_audit_delete');
      expect(audit[audit.length - 3].searchParams.get('sysparm_limit')).toBe(
        '1',
      );
      expect(audit[audit.length - 2].searchParams.get('sysparm_query')).toBe(
        'sys_created_on>=2024-06-09 23:56:00^tablenameINincident,change_request,problem^ORDERBYsys_created_on^ORDERBYsys_id',
      );

      // Read once: the next run has none, and lists no ids either.
      clock = NOW + 2 * 24 * 3600_000;
      expect((await store.sync(p)).error).toBeUndefined();
      expect(store.deletions).toHaveLength(3);
      expect(
        fake
          .tableRequests('incident')
          .filter(url => url.searchParams.get('sysparm_fields') === 'sys_id'),
      ).toEqual([]);
    });

    describe('by reconciling ids, when sys_audit_delete cannot be read', () => {
      function reconcilingProvider(
        clock: { now: number },
        retryBudgetMs?: number,
      ) {
        return provider({
          tables: ['incident', 'change_request'],
          query: { incident: 'active=true' },
          pageSize: 50,
          reconcilePageSize: 7,
          retryBudgetMs,
          now: () => clock.now,
        });
      }

      function listings(fake: FakeServiceNow, table: string) {
        return fake
          .tableRequests(table)
          .filter(url => url.searchParams.get('sysparm_fields') === 'sys_id')
          .map(url => url.searchParams.get('sysparm_query'));
      }

      it('marks the stored records an id listing lacks as deleted, once a day', async () => {
        const fake = serve(
          createFake()
            .refuse('sys_audit_delete', 403)
            .put('incident', incidents(20))
            .put('change_request', [changeRow(1), changeRow(2)]),
        );
        const clock = { now: NOW };
        const p = reconcilingProvider(clock);
        const store = new EngineLikeStore();
        expect((await store.sync(p)).error).toBeUndefined();
        expect(store.records.size).toBe(22);
        expect(store.deletions).toEqual([]);
        // 20 incident ids in pages of 7, keyset-paged on sys_id, the
        // configured query applied.
        expect(listings(fake, 'incident')).toEqual([
          'active=true^ORDERBYsys_id',
          `sys_id>${sysId('a1', 7)}^active=true^ORDERBYsys_id`,
          `sys_id>${sysId('a1', 14)}^active=true^ORDERBYsys_id`,
        ]);
        expect(
          fake
            .tableRequests('incident')
            .filter(u => u.searchParams.get('sysparm_fields') === 'sys_id')
            .every(u => u.searchParams.get('sysparm_limit') === '7'),
        ).toBe(true);

        [3, 8, 15, 20].forEach(n => fake.delete('incident', sysId('a1', n)));
        fake.delete('change_request', sysId('c1', 2));

        // Within the day: not reconciled again.
        clock.now = NOW + 3600_000;
        expect((await store.sync(p)).error).toBeUndefined();
        expect(store.deletions).toEqual([]);

        clock.now = NOW + 25 * 3600_000;
        expect((await store.sync(p)).error).toBeUndefined();
        const at25h = new Date(NOW + 25 * 3600_000).toISOString();
        expect(store.deletions).toEqual([
          ...[3, 8, 15, 20].map(n => ({
            externalId: sysId('a1', n),
            deletedAt: at25h,
            reason: 'reconciliation',
          })),
          {
            externalId: sysId('c1', 2),
            deletedAt: at25h,
            reason: 'reconciliation',
          },
        ]);
        expect(store.ids('incident')).toHaveLength(16);
        expect(store.ids('change')).toEqual([sysId('c1', 1)]);
        expect(JSON.parse(store.cursor!).reconciled).toEqual({
          incident: at25h,
          change_request: at25h,
        });
      });

      it('marks nothing deleted when the listing fails half-way, and finishes the job on the next run', async () => {
        const fake = serve(
          createFake()
            .refuse('sys_audit_delete', 400)
            .put('incident', incidents(20))
            .put('change_request', [changeRow(1)]),
        );
        const clock = { now: NOW };
        const store = new EngineLikeStore();
        expect(
          (await store.sync(reconcilingProvider(clock))).error,
        ).toBeUndefined();
        [2, 12, 19].forEach(n => fake.delete('incident', sysId('a1', n)));

        // The second page of the listing keeps failing: 500s past the
        // retry budget, then a 403.
        const secondPage = (request: { url: URL }) =>
          request.url.searchParams.get('sysparm_fields') === 'sys_id' &&
          request.url.searchParams.get('sysparm_query')?.startsWith('sys_id>');
        fake.onRequest = request =>
          secondPage(request)
            ? {
                status: 500,
                body: '{"error":{"message":"Transaction cancelled: maximum execution time exceeded"}}',
              }
            : undefined;
        clock.now = NOW + 25 * 3600_000;
        const failed = await store.sync(reconcilingProvider(clock, 2000));
        expect(failed.error).toMatchObject({ status: 500, retryable: true });
        expect((failed.error as Error).message).toContain(
          'maximum execution time exceeded',
        );
        expect(store.deletions).toEqual([]);
        expect(store.ids('incident')).toHaveLength(20);

        fake.onRequest = request =>
          secondPage(request)
            ? {
                status: 403,
                body: '{"error":{"message":"User Not Authorized"}}',
              }
            : undefined;
        const { events, reporter } = recordingReporter();
        const refused = await store.sync(reconcilingProvider(clock), {
          reporter,
        });
        expect(refused.error).toBeUndefined();
        expect([...events.parts.keys()]).toEqual(['incident']);
        expect(store.deletions).toEqual([]);
        expect(store.ids('incident')).toHaveLength(20);
        // Still the stamp of the first run's reconciliation.
        expect(JSON.parse(store.cursor!).reconciled.incident).toBe(
          new Date(NOW).toISOString(),
        );

        fake.onRequest = undefined;
        expect(
          (await store.sync(reconcilingProvider(clock))).error,
        ).toBeUndefined();
        expect(store.deletions.map(d => d.externalId)).toEqual(
          [2, 12, 19].map(n => sysId('a1', n)),
        );
        expect(store.ids('incident')).toHaveLength(17);
      });

      it('is skipped when the engine cannot list stored ids', async () => {
        const fake = serve(
          createFake()
            .refuse('sys_audit_delete', 403)
            .put('incident', incidents(3)),
        );
        const store = new EngineLikeStore();
        await store.sync(reconcilingProvider({ now: NOW }), {
          listStoredIds: false,
        });
        expect(listings(fake, 'incident')).toEqual([]);
        expect(store.records.size).toBe(3);
      });
    });
  });
});
