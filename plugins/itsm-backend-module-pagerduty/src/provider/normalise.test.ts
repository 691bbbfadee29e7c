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

import { itsmRecordInputSchema } from '@backstage-itsm/plugin-itsm-common';
import incidentsList from '../__fixtures__/pagerduty-incidents-list.json';
import incidentsCapture from '../__fixtures__/pagerduty-incidents.json';
import incidentGet from '../__fixtures__/pagerduty-incident.json';
import logEntries from '../__fixtures__/pagerduty-log_entries.json';
import changeEvents from '../__fixtures__/pagerduty-change-events-list.json';
import {
  changeTypeOf,
  mapPriority,
  normaliseChangeEvent,
  normaliseIncident,
  pagerDutyPriority,
  summariseLogEntries,
} from './normalise';

describe('mapPriority', () => {
  it.each([
    [{ summary: 'P1' }, 'low', 1],
    [{ summary: 'P2' }, undefined, 2],
    [{ summary: 'p3' }, 'high', 3],
    [{ summary: 'P4' }, 'high', 4],
    [{ summary: 'P5' }, 'high', 5],
    [{ name: 'SEV-1' }, 'low', 1],
    [{ summary: 'Sev 2' }, 'low', 2],
    // Unknown name: urgency decides, by default high 3 and low 4, so a
    // page without a priority is no outage at the default threshold (P2).
    [{ summary: 'Critical' }, 'high', 3],
    [{ summary: 'P0' }, 'low', 4],
    [null, 'high', 3],
    [undefined, 'low', 4],
    [null, undefined, null],
  ])(
    'maps priority %j with urgency %s to %s',
    (priority, urgency, expected) => {
      expect(mapPriority({ priority, urgency } as any)).toBe(expected);
    },
  );

  it('maps urgency by the configured urgencyPriority, none leaving it empty', () => {
    const urgencyPriority = { high: 1, low: null };
    expect(mapPriority({ urgency: 'high' } as any, urgencyPriority)).toBe(1);
    expect(mapPriority({ urgency: 'low' } as any, urgencyPriority)).toBeNull();
    // A PagerDuty priority wins over urgency, whatever the mapping.
    expect(
      mapPriority(
        { priority: { summary: 'P4' }, urgency: 'high' } as any,
        urgencyPriority,
      ),
    ).toBe(4);
  });
});

describe('pagerDutyPriority', () => {
  it('reads the number of a priority named P1..P5 or SEV1..SEV5, never urgency', () => {
    expect(pagerDutyPriority({ priority: { summary: 'P2' } } as any)).toBe(2);
    expect(pagerDutyPriority({ priority: { name: 'SEV-5' } } as any)).toBe(5);
    expect(
      pagerDutyPriority({ priority: null, urgency: 'high' } as any),
    ).toBeNull();
    expect(
      pagerDutyPriority({ priority: { summary: 'Critical' } } as any),
    ).toBeNull();
  });
});

describe('summariseLogEntries', () => {
  it('finds the first acknowledge, the resolve and the last assignee, page by page', () => {
    const entries = logEntries.log_entries;
    const whole = summariseLogEntries({}, entries);
    const paged = summariseLogEntries(
      summariseLogEntries({}, entries.slice(3)),
      entries.slice(0, 3),
    );
    expect(whole).toEqual({
      firstAcknowledgedAt: '2013-03-06T20:29:30Z',
      resolvedAt: '2013-03-06T21:33:15Z',
      lastEntryAt: '2013-03-06T21:33:15Z',
      lastAssignee: 'Bob Smith',
      lastAssignedAt: '2013-03-06T21:00:30Z',
    });
    expect(paged).toEqual(whole);
  });

  it('ignores entries without a valid instant', () => {
    expect(
      summariseLogEntries({}, [
        { type: 'acknowledge_log_entry', created_at: 'yesterday' },
        { type: 'resolve_log_entry' },
        null as any,
      ]),
    ).toEqual({});
  });
});

describe('normaliseIncident', () => {
  it('normalises the API example incident (resolved P2)', () => {
    const incident = incidentsList.incidents[0];
    const record = itsmRecordInputSchema.parse(normaliseIncident(incident));
    expect(record).toMatchObject({
      externalId: 'PT4KHLK',
      kind: 'incident',
      number: '#1234',
      title: 'The server is on fire.',
      url: 'https://subdomain.pagerduty.com/incidents/PT4KHLK',
      state: 'resolved',
      priority: 2,
      openedAt: '2015-10-06T21:30:42.000Z',
      acknowledgedAt: null,
      resolvedAt: '2015-10-06T21:38:23.000Z',
      closedAt: null,
      changeType: null,
      outcome: null,
      causedByChange: null,
      assignmentGroup: 'Another Escalation Policy',
      assignee: null,
      sourceUpdatedAt: '2015-10-06T21:40:23.000Z',
      mappings: [{ annotation: 'pagerduty.com/service-id', value: 'PIJ90N7' }],
      payload: incident,
    });
  });

  it('takes acknowledgedAt and the assignee of an acknowledged incident from the incident itself', () => {
    const record = itsmRecordInputSchema.parse(
      normaliseIncident(incidentGet.incident),
    );
    expect(record).toMatchObject({
      state: 'in_progress',
      acknowledgedAt: '2015-11-10T00:32:52.000Z',
      resolvedAt: null,
      assignee: 'Earline Greenholt',
    });
  });

  it('prefers the log entries, and keeps their last instant as the version', () => {
    const record = itsmRecordInputSchema.parse(
      normaliseIncident(incidentsList.incidents[0], {
        log: {
          firstAcknowledgedAt: '2015-10-06T21:31:00Z',
          resolvedAt: '2015-10-06T21:38:20Z',
          lastEntryAt: '2015-10-06T22:00:00Z',
        },
        causedByChange: '01BBYA6PEVW6A852BUO6QYUE7O',
      }),
    );
    expect(record).toMatchObject({
      acknowledgedAt: '2015-10-06T21:31:00.000Z',
      resolvedAt: '2015-10-06T21:38:20.000Z',
      sourceUpdatedAt: '2015-10-06T22:00:00.000Z',
      causedByChange: '01BBYA6PEVW6A852BUO6QYUE7O',
    });
  });

  it('normalises the real capture: no priority (urgency high), start at created_at', () => {
    const [first] = incidentsCapture.incidents;
    const record = normaliseIncident({ ...first, id: 'PCAPT01' });
    const parsed = itsmRecordInputSchema.parse(record);
    expect(parsed).toMatchObject({
      priority: 3, // urgency high, by the default urgencyPriority
      openedAt: '2023-11-19T05:51:15.000Z', // not the trigger, a second earlier
      resolvedAt: '2023-11-19T05:51:28.000Z',
      assignmentGroup: 'Default',
      mappings: [], // the sanitiser blanked the service id
    });
  });

  it('maps the urgency of the real capture by the configured urgencyPriority', () => {
    const [first] = incidentsCapture.incidents;
    const none = normaliseIncident(
      { ...first, id: 'PCAPT01' },
      { urgencyPriority: { high: null, low: 4 } },
    );
    expect(itsmRecordInputSchema.parse(none).priority).toBeNull();
    const p1 = normaliseIncident(
      { ...first, id: 'PCAPT01' },
      { urgencyPriority: { high: 1, low: 4 } },
    );
    expect(itsmRecordInputSchema.parse(p1).priority).toBe(1);
  });

  it('leaves the blank id of the sanitised capture for the schema to refuse', () => {
    const result = itsmRecordInputSchema.safeParse(
      normaliseIncident(incidentsCapture.incidents[0]),
    );
    expect(result.success).toBe(false);
    expect(result.error!.issues.map(i => i.path.join('.'))).toEqual([
      'externalId',
    ]);
  });

  it.each([
    ['created_at', 'openedAt'],
    ['status', 'state'],
  ])('names the field when %s is missing', (field, path) => {
    const incident: Record<string, unknown> = { ...incidentsList.incidents[0] };
    delete incident[field];
    const result = itsmRecordInputSchema.safeParse(normaliseIncident(incident));
    expect(result.success).toBe(false);
    expect(result.error!.issues.map(i => i.path.join('.'))).toEqual([path]);
  });

  it('passes an unknown status through for the schema to refuse', () => {
    const result = itsmRecordInputSchema.safeParse(
      normaliseIncident({ ...incidentsList.incidents[0], status: 'closed' }),
    );
    expect(result.error!.issues.map(i => i.path.join('.'))).toEqual(['state']);
  });

  it('never throws on odd shapes', () => {
    expect(() =>
      normaliseIncident({
        id: 'PODD',
        service: 'PX' as any,
        teams: 'none' as any,
        assignments: {} as any,
        acknowledgements: [null] as any,
        priority: 7 as any,
      }),
    ).not.toThrow();
  });
});

describe('normaliseChangeEvent', () => {
  it('normalises the API example change events', () => {
    for (const event of changeEvents.change_events) {
      const record = itsmRecordInputSchema.parse(normaliseChangeEvent(event));
      expect(record).toMatchObject({
        externalId: event.id,
        kind: 'change',
        state: 'closed',
        changeType: 'normal',
        outcome: null,
        priority: null,
        actualStart: record.openedAt,
        actualEnd: record.openedAt,
        mappings: [
          { annotation: 'pagerduty.com/service-id', value: 'PEYSGRV' },
        ],
        payload: event,
      });
    }
  });

  it('reads a change type from custom details', () => {
    expect(changeTypeOf({ custom_details: { change_type: 'standard' } })).toBe(
      'standard',
    );
    expect(
      changeTypeOf({ custom_details: { changeType: ' EMERGENCY ' } }),
    ).toBe('emergency');
    expect(changeTypeOf({ custom_details: { change_type: 'hotfix' } })).toBe(
      'normal',
    );
    expect(changeTypeOf({ custom_details: null })).toBe('normal');
  });

  it('prefers html_url and skips links that are not http(s)', () => {
    const [event] = changeEvents.change_events;
    expect(
      normaliseChangeEvent({
        ...event,
        html_url: 'https://acme.pagerduty.com/changes/1',
      }).url,
    ).toBe('https://acme.pagerduty.com/changes/1');
    expect(
      normaliseChangeEvent({
        ...event,
        links: [{ href: 'mailto:ops@example.com' }],
      }).url,
    ).toBeNull();
  });

  it('names the field when the timestamp is missing', () => {
    const { timestamp: _omitted, ...event } = changeEvents.change_events[0];
    const result = itsmRecordInputSchema.safeParse(normaliseChangeEvent(event));
    expect(result.success).toBe(false);
    expect(result.error!.issues.map(i => i.path.join('.'))).toEqual(
      expect.arrayContaining(['openedAt', 'sourceUpdatedAt']),
    );
  });
});
