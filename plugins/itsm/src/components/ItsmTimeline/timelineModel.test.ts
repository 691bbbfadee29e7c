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
  DEFAULT_FILTERS,
  SUSPECT_WINDOW_MS,
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

  it('shows open records only by default', () => {
    expect(applyFilters(records, DEFAULT_FILTERS)).toEqual([records[0]]);
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
