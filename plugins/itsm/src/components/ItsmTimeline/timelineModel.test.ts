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

import { makeRecord } from '../../__fixtures__/records';
import {
  applyFilters,
  buildTimeline,
  changeLinkNote,
  DEFAULT_FILTERS,
  parseStoredDays,
  parseStoredFilters,
  SUSPECT_WINDOW_MS,
  timelineSummary,
} from './timelineModel';

describe('buildTimeline', () => {
  it('links changes to the incidents they caused and flags suspects in the hours before', () => {
    const deploy = makeRecord({
      kind: 'change',
      outcome: 'failed',
      actualEnd: '2026-03-01T08:00:00.000Z',
    });
    const earlier = makeRecord({
      kind: 'change',
      outcome: 'successful',
      actualEnd: new Date(
        Date.parse('2026-03-01T10:00:00.000Z') - SUSPECT_WINDOW_MS - 1,
      ).toISOString(),
    });
    const cancelled = makeRecord({
      kind: 'change',
      outcome: 'cancelled',
      actualEnd: '2026-03-01T09:00:00.000Z',
    });
    const config = makeRecord({
      kind: 'change',
      outcome: 'successful',
      actualEnd: '2026-03-01T09:30:00.000Z',
    });
    const incident = makeRecord({
      kind: 'incident',
      openedAt: '2026-03-01T10:00:00.000Z',
      causedByChange: {
        externalId: deploy.externalId,
        id: deploy.id,
        number: deploy.number,
        title: deploy.title,
      },
    });
    const items = buildTimeline([deploy, earlier, cancelled, config, incident]);

    expect(items.get(deploy.id)!.caused).toEqual([incident]);
    // The linked change is not also a suspect; the cancelled and the too-early ones are not suspects.
    expect(items.get(incident.id)!.suspects).toEqual([config]);
    expect(items.get(config.id)!.suspectFor).toEqual([incident]);
    expect(items.get(earlier.id)!.suspectFor).toEqual([]);
  });

  it('indexes 10,000 records quickly enough for a render', () => {
    const records = Array.from({ length: 10_000 }, (_, i) =>
      makeRecord({
        kind: i % 3 === 0 ? 'change' : 'incident',
        openedAt: new Date(Date.UTC(2026, 0, 1) + i * 600_000).toISOString(),
        actualEnd: new Date(Date.UTC(2026, 0, 1) + i * 600_000).toISOString(),
      }),
    );
    const items = buildTimeline(records);
    expect(items.size).toBe(10_000);
    // Each incident sees the changes of the previous 4 hours: about 8 of them.
    const sample = items.get(records[5000].id)!;
    expect(sample.suspects.length).toBeGreaterThan(5);
    expect(sample.suspects.length).toBeLessThan(10);
  });
});

describe('applyFilters', () => {
  const records = [
    makeRecord({
      kind: 'incident',
      state: 'in_progress',
      priority: 1,
      title: 'Checkout down',
    }),
    makeRecord({ kind: 'incident', state: 'closed', priority: 3 }),
    makeRecord({
      kind: 'change',
      state: 'closed',
      outcome: 'failed',
      providerId: 'pagerduty:main',
    }),
    makeRecord({ kind: 'change', state: 'closed', outcome: 'successful' }),
  ];

  it("shows the window's whole history by default, open records only on demand", () => {
    expect(applyFilters(records, DEFAULT_FILTERS)).toEqual(records);
    expect(
      applyFilters(records, { ...DEFAULT_FILTERS, openOnly: true }),
    ).toEqual([records[0]]);
  });

  it('filters by kind, priority, source, text and failed changes', () => {
    const all = { ...DEFAULT_FILTERS, openOnly: false };
    expect(applyFilters(records, { ...all, kinds: ['change'] })).toEqual([
      records[2],
      records[3],
    ]);
    expect(applyFilters(records, { ...all, priorities: [1] })).toEqual([
      records[0],
    ]);
    expect(
      applyFilters(records, { ...all, sources: ['pagerduty:main'] }),
    ).toEqual([records[2]]);
    expect(applyFilters(records, { ...all, text: 'checkout' })).toEqual([
      records[0],
    ]);
    expect(applyFilters(records, { ...all, failedChangesOnly: true })).toEqual([
      records[2],
    ]);
  });
});

describe('parseStoredFilters and parseStoredDays', () => {
  it('reads back what was stored and falls back to the defaults field by field', () => {
    expect(
      parseStoredFilters({
        kinds: ['change', 'outage'],
        states: ['closed', 7],
        priorities: [1, 9, 2.5],
        openOnly: true,
        failedChangesOnly: 'yes',
        sources: ['servicenow:corp'],
      }),
    ).toEqual({
      kinds: ['change'],
      states: ['closed'],
      priorities: [1],
      openOnly: true,
      failedChangesOnly: false,
    });
    const defaults = {
      kinds: [],
      states: [],
      priorities: [],
      openOnly: false,
      failedChangesOnly: false,
    };
    expect(parseStoredFilters(undefined)).toEqual(defaults);
    expect(parseStoredFilters(['openOnly'])).toEqual(defaults);
    expect(parseStoredDays(365)).toBe(365);
    expect(parseStoredDays(12)).toBe(90);
    expect(parseStoredDays(undefined)).toBe(90);
  });
});

describe('changeLinkNote', () => {
  const link = { externalId: 'C1', id: 'c1', number: 'CHG1', title: 'Deploy' };

  it('calls a correlated link a heuristic, with its reason when the link has one', () => {
    expect(
      changeLinkNote(
        makeRecord({ providerId: 'pagerduty:main', causedByChange: link }),
      ),
    ).toBe('Linked by correlation: a heuristic, not a confirmed cause.');
    expect(
      changeLinkNote(
        makeRecord({
          providerId: 'pagerduty:main',
          causedByChange: { ...link, reason: 'most_recent' } as any,
        }),
      ),
    ).toBe(
      'Linked by correlation (reason: most recent): a heuristic, not a confirmed cause.',
    );
  });

  it("says nothing of a link a service desk's own field holds", () => {
    expect(
      changeLinkNote(
        makeRecord({ providerId: 'servicenow:corp', causedByChange: link }),
      ),
    ).toBeUndefined();
    expect(
      changeLinkNote(makeRecord({ providerId: 'pagerduty:main' })),
    ).toBeUndefined();
  });
});

describe('timelineSummary', () => {
  it('counts the records of each kind and the open ones, zero as 0', () => {
    const records = [
      makeRecord({ kind: 'incident', state: 'in_progress' }),
      makeRecord({ kind: 'incident', state: 'closed' }),
      makeRecord({ kind: 'change', state: 'closed' }),
    ];
    expect(
      timelineSummary(
        records,
        Date.UTC(2025, 10, 2, 12),
        Date.UTC(2026, 10, 2, 12),
      ),
    ).toBe(
      '3 records from 2 Nov 2025 to 2 Nov 2026: 2 incidents (1 open), 1 change (0 open), 0 problems (0 open), 0 requests (0 open)',
    );
    expect(
      timelineSummary(
        [makeRecord({ kind: 'request', state: 'new', department: 'hr' })],
        Date.UTC(2026, 8, 1, 12),
        Date.UTC(2026, 10, 30, 12),
        'hr',
      ),
    ).toBe('1 record from 1 Sep 2026 to 30 Nov 2026: 1 case (1 open)');
  });
});
