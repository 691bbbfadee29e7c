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
  describeValidationError,
  itsmRecordInputSchema,
  itsmSlaInputSchema,
} from '@backstage-itsm/plugin-itsm-common';
import incidentList from '../__fixtures__/servicenow-incident.json';
import incidentGet from '../__fixtures__/servicenow-table-api-incident-get.json';
import problemList from '../__fixtures__/servicenow-table-api-problem-list.json';
import changeDisplay from '../__fixtures__/servicenow-change_request.json';
import changeAll from '../__fixtures__/servicenow-change-management-api-change-get.json';
import taskAll from '../__fixtures__/servicenow-task-display_value-all.json';
import taskSla from '../__fixtures__/servicenow-task_sla.json';
import taskSlaRow from '../__fixtures__/servicenow-task-sla-row.json';
import { ChoiceMapper } from './choices';
import {
  NormaliseOptions,
  normaliseSlaRow,
  normaliseTaskRow,
} from './normalise';
import type { DisplayValueMode } from '../client/values';

const BASE = 'https://example.service-now.com';

function options(
  mode: DisplayValueMode = 'false',
  extra: Partial<NormaliseOptions> = {},
): NormaliseOptions {
  return { baseUrl: BASE, mode, choices: new ChoiceMapper(), ...extra };
}

function parse(item: unknown) {
  const result = itsmRecordInputSchema.safeParse(item);
  if (!result.success) {
    throw new Error(describeValidationError(result.error));
  }
  return result.data;
}

function failure(item: unknown): string {
  const result = itsmRecordInputSchema.safeParse(item);
  expect(result.success).toBe(false);
  return describeValidationError(result.error!);
}

describe('normaliseTaskRow', () => {
  it('normalises the Table API incident example ({ link, value } references)', () => {
    const row = incidentGet.result;
    const record = parse(normaliseTaskRow('incident', row, [], options()));
    expect(record).toMatchObject({
      externalId: 'a9e30c7dc61122760116894de7bcc7bd',
      kind: 'incident',
      number: 'INC0000046',
      title: "Can't access SFA software",
      url: `${BASE}/nav_to.do?uri=incident.do?sys_id=a9e30c7dc61122760116894de7bcc7bd`,
      state: 'new',
      priority: 3,
      openedAt: '2015-11-02T22:04:15.000Z',
      acknowledgedAt: null,
      resolvedAt: null,
      closedAt: null,
      problemId: 'a9e4890bc6112276003d7a5a5c774a74',
      causedByChange: null,
      reopenCount: 0,
      // No display value and no dot-walked name: the sys_id is all there is.
      assignmentGroup: '8a4dde73c6112278017a6a4baf547aa7',
      assignee: null,
      sourceUpdatedAt: '2015-11-01T22:37:27.000Z',
      mappings: [
        {
          annotation: 'servicenow.com/ci-sysid',
          value: 'a9c0c8d2c6112276018f7705562f9cb0',
        },
      ],
      changeType: null,
      outcome: null,
    });
    expect(record.payload).toBe(row);
  });

  it('normalises the captured incident list, raw values as UTC', () => {
    const [closed, onHold] = incidentList.result.map(row =>
      parse(normaliseTaskRow('incident', row, [], options())),
    );
    expect(closed).toMatchObject({
      number: 'INC0000001',
      state: 'closed',
      priority: 1,
      openedAt: '2019-09-02T23:09:51.000Z',
      resolvedAt: '2019-12-03T19:56:12.000Z',
      // Re-dated demo data: closed before resolved. Kept as the source says.
      closedAt: '2019-09-03T23:10:06.000Z',
      reopenCount: 0,
      problemId: 'admin',
    });
    expect(onHold).toMatchObject({ state: 'on_hold', resolvedAt: null });
  });

  it('maps incident caused_by, reopen_count, business_service and u_backstage_entity_id', () => {
    const record = parse(
      normaliseTaskRow(
        'incident',
        {
          ...incidentGet.result,
          caused_by: 'c0000000000000000000000000000001',
          reopen_count: '2',
          business_service: 'b0000000000000000000000000000001',
          u_backstage_entity_id: 'component:default/checkout',
          'assignment_group.name': 'Network',
          'assigned_to.name': 'Beth Anglin',
          assigned_to: '46c6f9efa9fe198101ddf5eed9adf6e7',
          u_acknowledged_at: '2015-11-02 22:10:00',
        },
        [],
        options('false', { acknowledgedAtField: 'u_acknowledged_at' }),
      ),
    );
    expect(record).toMatchObject({
      causedByChange: 'c0000000000000000000000000000001',
      reopenCount: 2,
      assignmentGroup: 'Network',
      assignee: 'Beth Anglin',
      acknowledgedAt: '2015-11-02T22:10:00.000Z',
      mappings: [
        {
          annotation: 'servicenow.com/ci-sysid',
          value: 'a9c0c8d2c6112276018f7705562f9cb0',
        },
        {
          annotation: 'servicenow.com/ci-sysid',
          value: 'b0000000000000000000000000000001',
        },
        {
          annotation: 'servicenow.com/entity-id',
          value: 'component:default/checkout',
        },
      ],
    });
  });

  it('maps the problem states of both state models', () => {
    // The example is from an instance on the pre-Madrid model: 4 = Closed/Resolved.
    const legacy = parse(
      normaliseTaskRow('problem', problemList.result[0], [], options()),
    );
    expect(legacy).toMatchObject({
      kind: 'problem',
      number: 'PRB0000050',
      state: 'closed',
      priority: 4,
      closedAt: '2016-01-19T04:52:04.000Z',
      mappings: [
        {
          annotation: 'servicenow.com/ci-sysid',
          value: '55b35562c0a8010e01cff22378e0aea9',
        },
      ],
    });
    for (const [code, state] of [
      ['101', 'new'],
      ['102', 'in_progress'],
      ['103', 'in_progress'],
      ['104', 'in_progress'],
      ['106', 'resolved'],
      ['107', 'closed'],
    ]) {
      expect(
        parse(
          normaliseTaskRow(
            'problem',
            { ...problemList.result[0], state: code },
            [],
            options(),
          ),
        ).state,
      ).toBe(state);
    }
  });

  it.each([
    ['-5', 'new'],
    ['-4', 'in_progress'],
    ['-3', 'in_progress'],
    ['-2', 'in_progress'],
    ['-1', 'in_progress'],
    ['0', 'resolved'],
    ['3', 'closed'],
    ['4', 'cancelled'],
  ])('maps change state %s to %s', (code, state) => {
    const row = { ...changeDisplay.result[0], state: code };
    expect(
      parse(normaliseTaskRow('change_request', row, [], options())).state,
    ).toBe(state);
  });

  it.each([
    ['1', 'new'],
    ['2', 'in_progress'],
    ['3', 'on_hold'],
    ['6', 'resolved'],
    ['7', 'closed'],
    ['8', 'cancelled'],
  ])('maps incident state %s to %s', (code, state) => {
    const row = { ...incidentGet.result, state: code };
    expect(parse(normaliseTaskRow('incident', row, [], options())).state).toBe(
      state,
    );
  });

  it('reads display values (sysparm_display_value=true): labels, names, no sys_ids', () => {
    const [closed, implementing] = changeDisplay.result.map(row =>
      parse(normaliseTaskRow('change_request', row, [], options('true'))),
    );
    expect(closed).toMatchObject({
      externalId: '8b22416c93be8a10a93e796efaba10bf',
      kind: 'change',
      number: 'CHG0030012',
      state: 'closed',
      priority: 3,
      changeType: 'normal',
      outcome: 'successful',
      plannedStart: '2024-06-11T12:31:15.000Z',
      plannedEnd: '2024-06-11T21:31:24.000Z',
      actualStart: '2024-06-11T15:32:11.000Z',
      actualEnd: '2024-06-11T16:29:59.000Z',
      closedAt: '2024-06-11T16:30:03.000Z',
      assignmentGroup: 'Software',
      assignee: 'Beth Anglin',
      // "Active Directory" is a name, not a sys_id: nothing to map on.
      mappings: [],
    });
    expect(implementing).toMatchObject({
      state: 'in_progress',
      outcome: null,
      actualEnd: null,
      assignmentGroup: 'Service Desk',
    });
  });

  it('reads { display_value, value } (sysparm_display_value=all): values for codes and UTC times, display for names', () => {
    const change = parse(
      normaliseTaskRow('change_request', changeAll.result, [], options('all')),
    );
    expect(change).toMatchObject({
      number: 'CHG0000024',
      state: 'closed', // value 3.0, a number in this API
      priority: 4,
      changeType: 'standard',
      outcome: 'successful',
      // value 18:56:04 UTC, not the display 11:56:04 in the user's zone
      actualStart: '2015-07-06T18:56:04.000Z',
      sourceUpdatedAt: '2015-07-06T18:59:27.000Z',
      assignee: null,
    });

    const task = parse(
      normaliseTaskRow('incident', taskAll.result[0], [], options('all')),
    );
    expect(task).toMatchObject({
      state: 'new',
      priority: 4,
      openedAt: '2020-04-20T20:58:46.000Z',
      assignmentGroup: 'Procurement',
      mappings: [],
    });
  });

  it('handles all three reference shapes alike', () => {
    const shapes: Array<[DisplayValueMode, unknown]> = [
      ['false', 'a9c0c8d2c6112276018f7705562f9cb0'],
      [
        'false',
        {
          link: `${BASE}/api/now/table/cmdb_ci/a9c0c8d2c6112276018f7705562f9cb0`,
          value: 'a9c0c8d2c6112276018f7705562f9cb0',
        },
      ],
      [
        'all',
        {
          display_value: 'SAP Sales and Distribution',
          value: 'a9c0c8d2c6112276018f7705562f9cb0',
        },
      ],
    ];
    for (const [mode, cmdbCi] of shapes) {
      const record = parse(
        normaliseTaskRow(
          'incident',
          { ...incidentGet.result, cmdb_ci: cmdbCi, problem_id: cmdbCi },
          [],
          options(mode),
        ),
      );
      expect(record.mappings).toEqual([
        {
          annotation: 'servicenow.com/ci-sysid',
          value: 'a9c0c8d2c6112276018f7705562f9cb0',
        },
      ]);
      expect(record.problemId).toBe('a9c0c8d2c6112276018f7705562f9cb0');
    }
  });

  it('takes choice overrides from config before the out-of-box lists', () => {
    const choices = new ChoiceMapper({
      incident: {
        state: { '9': 'on_hold', '6': 'closed' },
        priority: { '5': 'none' },
      },
      change_request: {
        type: { expedited: 'emergency' },
        close_code: { rolled_back: 'failed' },
      },
    });
    const incident = parse(
      normaliseTaskRow(
        'incident',
        { ...incidentGet.result, state: '9', priority: '5' },
        [],
        options('false', { choices }),
      ),
    );
    expect(incident).toMatchObject({ state: 'on_hold', priority: null });
    expect(
      parse(
        normaliseTaskRow(
          'incident',
          { ...incidentGet.result, state: '6' },
          [],
          options('false', { choices }),
        ),
      ).state,
    ).toBe('closed');
    const change = parse(
      normaliseTaskRow(
        'change_request',
        {
          ...changeDisplay.result[0],
          state: '3',
          type: 'expedited',
          close_code: 'rolled_back',
        },
        [],
        options('false', { choices }),
      ),
    );
    expect(change).toMatchObject({
      changeType: 'emergency',
      outcome: 'failed',
    });
  });

  it.each([
    ['successful', 'successful'],
    ['successful_issues', 'successful_with_issues'],
    ['unsuccessful', 'failed'],
    ['', null],
  ])('maps change close_code %j to outcome %j', (code, outcome) => {
    const row = { ...changeDisplay.result[0], state: '3', close_code: code };
    expect(
      parse(normaliseTaskRow('change_request', row, [], options())).outcome,
    ).toBe(outcome);
  });

  it('makes a cancelled change cancelled whatever its close code', () => {
    const row = {
      ...changeDisplay.result[0],
      state: '4',
      close_code: 'unsuccessful',
    };
    expect(
      parse(normaliseTaskRow('change_request', row, [], options())),
    ).toMatchObject({ state: 'cancelled', outcome: 'cancelled' });
  });

  it('turns an unmapped choice into an item the schema refuses, naming field and value', () => {
    const unmapped: string[] = [];
    const item = normaliseTaskRow(
      'incident',
      { ...incidentGet.result, state: '42' },
      [],
      options('false', {
        onUnmapped: (table, field, raw) =>
          unmapped.push(`${table}.${field}=${raw}`),
      }),
    );
    expect(item.state).toBe('unmapped ServiceNow incident state "42"');
    expect(item._errors).toEqual(['unmapped ServiceNow incident state "42"']);
    expect(failure(item)).toMatch(/^state: Invalid option/);
    expect(unmapped).toEqual(['incident.state=42']);
    expect((item.payload as any).state).toBe('42');

    const priority = normaliseTaskRow(
      'incident',
      { ...incidentGet.result, priority: '9' },
      [],
      options(),
    );
    expect(priority.priority).toBe('unmapped ServiceNow incident priority "9"');
    expect(failure(priority)).toMatch(/^priority: /);

    const type = normaliseTaskRow(
      'change_request',
      { ...changeDisplay.result[0], state: '3', type: 'latent' },
      [],
      options(),
    );
    expect(failure(type)).toMatch(/^changeType: Invalid option/);
    expect(type.changeType).toBe(
      'unmapped ServiceNow change_request type "latent"',
    );
  });

  it('turns a bad date into an item the schema refuses, naming the field', () => {
    const item = normaliseTaskRow(
      'incident',
      {
        ...incidentGet.result,
        opened_at: '2015-13-45 25:61:00',
        reopen_count: 'x',
      },
      [],
      options(),
    );
    expect(item.openedAt).toBe(
      'invalid ServiceNow date-time in incident.opened_at: "2015-13-45 25:61:00"',
    );
    const message = failure(item);
    expect(message).toContain('openedAt: Invalid ISO datetime');
    expect(message).toContain('reopenCount: ');
  });

  it('falls back to sys_created_on, number and sys_id when fields are empty', () => {
    const record = parse(
      normaliseTaskRow(
        'incident',
        { ...incidentGet.result, opened_at: '', short_description: '' },
        [],
        options(),
      ),
    );
    expect(record).toMatchObject({
      openedAt: '2015-11-01T22:05:30.000Z',
      title: 'INC0000046',
    });
  });
});

describe('normaliseSlaRow', () => {
  it('normalises task_sla rows with their SLA definition', () => {
    const [cancelled, breached] = taskSla.result.map(row =>
      itsmSlaInputSchema.parse(
        normaliseSlaRow(
          {
            ...row,
            'sla.name': 'Priority 1 resolution (8 hour)',
            'sla.target': 'resolution',
            'sla.duration': '1970-01-01 08:00:00',
          },
          options(),
        ),
      ),
    );
    expect(cancelled).toEqual({
      name: 'Priority 1 resolution (8 hour)',
      kind: 'resolution',
      targetSeconds: 28800,
      stage: 'cancelled',
      breached: false,
      startAt: '2016-12-12T15:19:57.000Z',
      endAt: '2016-12-12T17:57:00.000Z',
      breachAt: '2016-12-15T08:30:00.000Z',
      businessElapsedSeconds: 0,
    });
    expect(breached).toMatchObject({
      stage: 'completed',
      breached: true,
      endAt: '2024-06-12T09:30:00.000Z',
      businessElapsedSeconds: 9.5 * 3600,
    });
  });

  it('reads the row with { link, value } references and infers the kind of a target-less SLA', () => {
    const sla = itsmSlaInputSchema.parse(
      normaliseSlaRow(
        {
          ...taskSlaRow.result[0],
          'sla.name': 'Incident response',
          'sla.target': '',
        },
        options(),
      ),
    );
    expect(sla).toMatchObject({ name: 'Incident response', kind: 'response' });
    const named = itsmSlaInputSchema.parse(
      normaliseSlaRow({ ...taskSlaRow.result[0] }, options()),
    );
    expect(named).toMatchObject({
      name: 'd1524982d732220035ae23c7ce61035d',
      kind: 'resolution',
    });
  });

  it('makes a record with an unmapped SLA stage fail naming the SLA field', () => {
    const sla = normaliseSlaRow(
      { ...taskSla.result[0], stage: 'frozen', 'sla.target': 'response' },
      options(),
    );
    const item = normaliseTaskRow(
      'incident',
      incidentGet.result,
      [sla],
      options(),
    );
    expect(failure(item)).toMatch(/^slas\.0\.stage: Invalid option/);
    expect(sla.stage).toBe('unmapped ServiceNow task_sla stage "frozen"');
    expect(item._errors).toEqual([
      'slas.0: unmapped ServiceNow task_sla stage "frozen"',
    ]);
  });
});
