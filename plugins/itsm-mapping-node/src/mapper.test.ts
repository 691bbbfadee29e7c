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
  ITSM_REDACTED,
} from '@backstage-itsm/plugin-itsm-common';
import { ItsmRecordMapper } from './mapper';
import {
  MAPPING,
  PERSONAL_FIELDS,
  PERSONAL_VALUES,
  readSource,
  ROW,
  sourceConfig,
} from './testUtils/fixtures';
import type { JsonObject } from '@backstage/config';

function mapperFor(extra: JsonObject = {}, prefix = true) {
  return new ItsmRecordMapper(
    readSource(sourceConfig(extra), { categoryTitlePrefix: prefix }).mapping,
  );
}

function mapping(fields: JsonObject): JsonObject {
  return { mapping: { ...MAPPING, ...fields } };
}

/** The engine's verdict on a mapped record: undefined when it lands, else the dead-letter reason. */
function verdict(record: unknown): string | undefined {
  const parsed = itsmRecordInputSchema.safeParse(record);
  return parsed.success ? undefined : describeValidationError(parsed.error);
}

describe('ItsmRecordMapper', () => {
  it('maps every field of a BambooHR-like row', () => {
    const { record, category, sourceUpdatedAt } = mapperFor().map(ROW);
    expect(record).toEqual({
      externalId: 'HRC0001001',
      kind: 'request',
      number: 'HRC0001001',
      title: `Onboarding: New starter in Finance, start 2026-03-02 (${ITSM_REDACTED})`,
      url: 'https://hr.example/cases/HRC0001001',
      state: 'resolved',
      priority: 3,
      openedAt: '2026-02-20T09:00:00.000Z',
      acknowledgedAt: '2026-02-20T10:30:00.000Z',
      resolvedAt: '2026-02-23T16:00:00.000Z',
      closedAt: null,
      plannedEnd: null,
      assignmentGroup: 'HR Operations',
      assignee: 'Grace Hughes',
      sourceUpdatedAt: '2026-02-23T16:05:00.000Z',
      entityRefs: ['component:default/employee-onboarding'],
      mappings: [],
      slas: [],
      payload: {
        category: 'onboarding',
        source: {
          ...ROW,
          'Employee ID': ITSM_REDACTED,
          'Employee Name': ITSM_REDACTED,
          'Employee Email': ITSM_REDACTED,
          Manager: ITSM_REDACTED,
        },
      },
    });
    expect(category).toBe('onboarding');
    expect(sourceUpdatedAt).toBe('2026-02-23T16:05:00.000Z');
    expect(verdict(record)).toBeUndefined();
  });

  describe('value maps', () => {
    it('match exactly, then ignoring case and surrounding spaces', () => {
      const m = mapperFor();
      expect(m.map({ ...ROW, Status: 'In Progress' }).record.state).toBe(
        'in_progress',
      );
      expect(
        m.map({ ...ROW, Status: '  waiting ON employee ' }).record.state,
      ).toBe('on_hold');
      expect(m.map({ ...ROW, Priority: 'high' }).record.priority).toBe(2);
      expect(m.map({ ...ROW, Category: 'PAYROLL' }).record.entityRefs).toEqual([
        'component:default/payroll',
      ]);
    });

    it('pass a value through that already is a normalised one', () => {
      const m = mapperFor(
        mapping({
          state: 'Status',
          priority: 'Priority',
          category: 'Category',
        }),
      );
      const { record } = m.map({
        ...ROW,
        Status: 'On Hold',
        Priority: 'P2',
        Category: 'payroll query',
      });
      expect(record).toMatchObject({
        state: 'on_hold',
        priority: 2,
        entityRefs: ['component:default/payroll'],
      });
      expect(m.map({ ...ROW, Priority: ' 4 ' }).record.priority).toBe(4);
    });

    it('leave a value no map covers for validation to dead-letter, naming the field', () => {
      const m = mapperFor();
      const state = m.map({ ...ROW, Status: 'Escalated' }).record;
      expect(state.state).toBe('Escalated (no state maps from this value)');
      expect(verdict(state)).toMatch(/^state: /);
      const priority = m.map({ ...ROW, Priority: 'Whenever' }).record;
      expect(verdict(priority)).toMatch(/^priority: /);
    });

    it('map text fields too', () => {
      const m = mapperFor(
        mapping({
          assignmentGroup: {
            from: 'Team',
            values: { 'HR Operations': 'HR Ops (UK)' },
          },
        }),
      );
      expect(m.map(ROW).record.assignmentGroup).toBe('HR Ops (UK)');
      expect(
        m.map({ ...ROW, Team: 'Payroll Team' }).record.assignmentGroup,
      ).toBe('Payroll Team');
    });
  });

  describe('categories', () => {
    it('map an unknown or missing category to the default entity, without a title prefix', () => {
      const m = mapperFor({ defaultEntityRef: 'system:default/hr-services' });
      for (const Category of ['Relocation', '']) {
        const mapped = m.map({ ...ROW, Category });
        expect(mapped.category).toBeNull();
        expect(mapped.record.entityRefs).toEqual([
          'system:default/hr-services',
        ]);
        expect(mapped.record.title).toBe(
          `New starter in Finance, start 2026-03-02 (${ITSM_REDACTED})`,
        );
        expect(verdict(mapped.record)).toBeUndefined();
      }
    });

    it('map an unknown category to no entity without a default, and still ingest it', () => {
      const { record } = mapperFor().map({ ...ROW, Category: 'Relocation' });
      expect(record.entityRefs).toEqual([]);
      expect(verdict(record)).toBeUndefined();
    });

    it('take entities and labels from config over the module defaults', () => {
      const m = mapperFor({
        categories: {
          onboarding: {
            entityRef: 'Component:hr/New-Starters',
            label: 'New hire',
          },
          relocation: { entityRef: 'component:default/relocation' },
        },
        ...mapping({
          category: {
            from: 'Category',
            values: { 'New Hire': 'onboarding', Relocation: 'relocation' },
          },
        }),
      });
      expect(m.map(ROW).record).toMatchObject({
        entityRefs: ['component:hr/new-starters'],
        title: `New hire: New starter in Finance, start 2026-03-02 (${ITSM_REDACTED})`,
      });
      expect(m.map({ ...ROW, Category: 'Relocation' }).record).toMatchObject({
        entityRefs: ['component:default/relocation'],
        title: expect.stringMatching(/^Relocation: New starter/),
      });
    });

    it('do not prefix a title that already starts with the label, nor when the module does not ask', () => {
      const titled = {
        ...ROW,
        Subject: 'onboarding: laptop for a new starter',
      };
      expect(mapperFor().map(titled).record.title).toBe(
        `onboarding: laptop for a new starter (${ITSM_REDACTED})`,
      );
      expect(mapperFor({}, false).map(ROW).record.title).toBe(
        `New starter in Finance, start 2026-03-02 (${ITSM_REDACTED})`,
      );
    });
  });

  describe('instants', () => {
    it('read ISO 8601 with an offset, and without one in the configured zone', () => {
      const m = mapperFor({ timeZone: 'Europe/London' });
      const { record } = m.map({
        ...ROW,
        Created: '2026-07-02T10:04:00+02:00',
        'First Response': '2026-07-02T10:04:00',
        Completed: '2026-01-02T10:04:00',
      });
      expect(record).toMatchObject({
        openedAt: '2026-07-02T08:04:00.000Z',
        acknowledgedAt: '2026-07-02T09:04:00.000Z',
        resolvedAt: '2026-01-02T10:04:00.000Z',
      });
    });

    it('read a luxon format in a zone, per source and per field', () => {
      const m = mapperFor({
        instantFormat: 'dd/MM/yyyy HH:mm',
        timeZone: 'Europe/London',
        ...mapping({
          resolvedAt: {
            from: 'Completed',
            format: 'yyyy-MM-dd HH:mm:ss',
            zone: 'America/New_York',
          },
          closedAt: { from: 'Closed', format: 'millis' },
          sourceUpdatedAt: { from: 'Last Modified', format: 'seconds' },
        }),
      });
      const { record } = m.map({
        ...ROW,
        Created: '02/07/2026 10:04',
        'First Response': '02/01/2026 10:04',
        Completed: '2026-03-02 09:30:00',
        Closed: '1772445600000',
        'Last Modified': '1772445600',
      });
      expect(record).toMatchObject({
        openedAt: '2026-07-02T09:04:00.000Z',
        acknowledgedAt: '2026-01-02T10:04:00.000Z',
        resolvedAt: '2026-03-02T14:30:00.000Z',
        closedAt: '2026-03-02T10:00:00.000Z',
        sourceUpdatedAt: '2026-03-02T10:00:00.000Z',
      });
    });

    it('dead-letter an instant that does not parse, naming the field and the format', () => {
      const m = mapperFor({ instantFormat: 'dd/MM/yyyy HH:mm' });
      const { record, sourceUpdatedAt } = m.map({
        ...ROW,
        Created: '2026-02-20 09:00',
        'Last Modified': '23/02/2026 16:05',
      });
      expect(record.openedAt).toBe(
        '2026-02-20 09:00 (not an instant in format dd/MM/yyyy HH:mm)',
      );
      expect(verdict(record)).toMatch(/^openedAt: /);
      expect(sourceUpdatedAt).toBe('2026-02-23T16:05:00.000Z');
    });

    it('use the latest instant as sourceUpdatedAt when the source has none', () => {
      const { sourceUpdatedAt: _, ...fields } = MAPPING;
      const m = mapperFor({ mapping: fields });
      expect(m.map(ROW).record.sourceUpdatedAt).toBe(
        '2026-02-23T16:00:00.000Z',
      );
      expect(
        m.map({ ...ROW, Completed: '', 'First Response': '' }).record
          .sourceUpdatedAt,
      ).toBe('2026-02-20T09:00:00.000Z');
    });
  });

  describe('templates and JSON paths', () => {
    it('render missing fields as empty, constants as given', () => {
      const m = mapperFor(
        mapping({
          title: '{Subject} {Missing}',
          assignmentGroup: { value: 'HR Operations (UK)' },
          number: { template: 'HR-{Case ID}' },
        }),
        false,
      );
      expect(m.map(ROW).record).toMatchObject({
        title: 'New starter in Finance, start 2026-03-02',
        assignmentGroup: 'HR Operations (UK)',
        number: 'HR-HRC0001001',
      });
      expect(m.map({ ...ROW, Subject: '' }).record.title).toBeUndefined();
    });

    it('read nested fields and array elements of a REST item', () => {
      const m = mapperFor({
        mapping: {
          externalId: 'id',
          title: '{fields.summary} for {worker.name}',
          state: { from: 'fields.status.code', values: { DONE: 'resolved' } },
          openedAt: 'dates.opened',
          assignee: 'assignees[1].name',
          category: 'fields.type',
        },
        personalFields: ['worker.name', 'people.email'],
      });
      const { record } = m.map({
        id: 42,
        fields: {
          summary: 'Payslip query',
          status: { code: 'DONE' },
          type: 'payroll_query',
        },
        worker: { name: 'Hannah Whitfield', id: 'E-1' },
        people: [{ email: 'a@example.com' }, { email: 'b@example.com' }],
        dates: { opened: '2026-02-20T09:00:00Z' },
        assignees: [{ name: 'First' }, { name: 'Second' }],
      });
      expect(record).toMatchObject({
        externalId: '42',
        title: `Payroll: Payslip query for ${ITSM_REDACTED}`,
        state: 'resolved',
        openedAt: '2026-02-20T09:00:00.000Z',
        assignee: 'Second',
        entityRefs: ['component:default/payroll'],
      });
      expect((record.payload as any).source).toMatchObject({
        worker: { name: ITSM_REDACTED, id: 'E-1' },
        people: [{ email: ITSM_REDACTED }, { email: ITSM_REDACTED }],
      });
      expect(JSON.stringify(record)).not.toMatch(/Hannah|a@example|b@example/);
    });
  });

  describe('SLAs and the promised time', () => {
    const slas = {
      slas: {
        resolution: {
          name: '{SLA Policy}',
          kind: 'resolution',
          stage: {
            from: 'SLA Status',
            values: {
              Met: 'completed',
              Breached: 'breached',
              Running: 'in_progress',
            },
          },
          breached: 'SLA Breached',
          target: 'SLA Target',
          elapsed: 'SLA Elapsed',
          unit: 'hours',
          endAt: 'SLA Stopped',
          breachAt: 'SLA Due',
        },
      },
    };
    const row = {
      ...ROW,
      'SLA Policy': 'HR resolution (3 days)',
      'SLA Status': 'Met',
      'SLA Breached': 'No',
      'SLA Target': '72',
      'SLA Elapsed': '40.5',
      'SLA Stopped': '2026-02-23T16:00:00Z',
      'SLA Due': '',
    };

    it('map an SLA as the source reports it', () => {
      const { record } = mapperFor(slas).map(row);
      expect(record.slas).toEqual([
        {
          name: 'HR resolution (3 days)',
          kind: 'resolution',
          targetSeconds: 259200,
          stage: 'completed',
          breached: false,
          startAt: '2026-02-20T09:00:00.000Z',
          endAt: '2026-02-23T16:00:00.000Z',
          breachAt: null,
          businessElapsedSeconds: 145800,
        },
      ]);
      expect(verdict(record)).toBeUndefined();
    });

    it('leave out an SLA whose stage is empty, and take breached from the stage when unmapped', () => {
      expect(
        mapperFor(slas).map({ ...row, 'SLA Status': '' }).record.slas,
      ).toEqual([]);
      const { breached: _, ...noBreached } = slas.slas.resolution;
      const m = mapperFor({ slas: { resolution: noBreached } });
      expect(
        (m.map({ ...row, 'SLA Status': 'Breached' }).record.slas as any)[0],
      ).toMatchObject({
        stage: 'breached',
        breached: true,
      });
      expect(
        verdict(
          mapperFor(slas).map({ ...row, 'SLA Breached': 'maybe' }).record,
        ),
      ).toMatch(/^slas\.0\.breached: /);
    });

    it('take the promised time from dueAt, else from the resolution SLA', () => {
      const withDue = mapperFor({ ...slas, ...mapping({ dueAt: 'Due' }) });
      expect(
        withDue.map({ ...row, Due: '2026-02-25T17:00:00Z' }).record.plannedEnd,
      ).toBe('2026-02-25T17:00:00.000Z');
      // Stopped: the stop plus what was left on the SLA's own clock (72 h - 40.5 h = 31.5 h).
      expect(withDue.map({ ...row, Due: '' }).record.plannedEnd).toBe(
        '2026-02-24T23:30:00.000Z',
      );
      // Running: the breach time the source gives.
      expect(
        withDue.map({
          ...row,
          Due: '',
          'SLA Status': 'Running',
          'SLA Stopped': '',
          'SLA Due': '2026-02-24T09:00:00Z',
        }).record.plannedEnd,
      ).toBe('2026-02-24T09:00:00.000Z');
      // Neither: start plus target.
      expect(
        withDue.map({ ...row, Due: '', 'SLA Stopped': '', 'SLA Elapsed': '' })
          .record.plannedEnd,
      ).toBe('2026-02-23T09:00:00.000Z');
      expect(mapperFor().map(row).record.plannedEnd).toBeNull();
    });
  });

  describe('personal fields', () => {
    it('never reach the record, its payload, or a dead-letter reason', () => {
      const m = mapperFor(
        mapping({
          assignee: 'Manager',
          number: '{Case ID}-{Employee ID}',
          openedAt: 'Employee Email',
        }),
      );
      const original = { ...ROW };
      const { record } = m.map(ROW);
      const text = JSON.stringify(record);
      for (const value of PERSONAL_VALUES) {
        expect(text).not.toContain(value);
      }
      expect(record).toMatchObject({
        assignee: ITSM_REDACTED,
        number: `HRC0001001-${ITSM_REDACTED}`,
        openedAt: `${ITSM_REDACTED} (not an instant in format iso)`,
      });
      const reason = verdict(record)!;
      expect(reason).toMatch(/^openedAt: /);
      for (const value of PERSONAL_VALUES) {
        expect(reason).not.toContain(value);
      }
      for (const field of PERSONAL_FIELDS) {
        expect((record.payload as any).source[field]).toBe(ITSM_REDACTED);
      }
      // The caller's item is left as it was.
      expect(ROW).toEqual(original);
    });

    it('leave empty personal fields empty', () => {
      const { record } = mapperFor().map({ ...ROW, Manager: '' });
      expect((record.payload as any).source.Manager).toBe('');
    });
  });
});
