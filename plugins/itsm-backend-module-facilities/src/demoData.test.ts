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

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  describeValidationError,
  itsmRecordInputSchema,
  ITSM_REDACTED,
} from '@backstage-itsm/plugin-itsm-common';
import { mapDemoExport } from '@backstage-itsm/plugin-itsm-mapping-node/testUtils';
import { createInMemoryItsmMetricContext } from '@backstage-itsm/plugin-itsm-node/testUtils';
import { FACILITIES_SOURCE_OPTIONS } from './categories';
import { facilitiesOnTimeCompletionMetric } from './metrics';

/*
 * The demo data generator (scripts/demo-data/generate.js) writes facilities
 * work orders as a CAFM-like CSV export (semicolons, UK local times);
 * app-config.yaml maps it with itsm.facilities.sources.demo. This suite
 * generates it and reads it through that very config.
 */

const REPO_ROOT = path.resolve(__dirname, '../../..');
const END = '2026-11-23';
const FILE = 'facilities/cafm-work-orders.csv';
const PERSONAL_COLUMNS = ['Requested By', 'Requester Email'];

type Item = Record<string, any>;

describe('facilities demo export, mapped by app-config.yaml', () => {
  const dirs: string[] = [];
  const records: Item[] = [];
  let logText = '';
  let demo: Item = {};
  let personalValues: string[] = [];
  let cleanup = async () => {};

  beforeAll(async () => {
    const mapped = await mapDemoExport({
      repoRoot: REPO_ROOT,
      generator: 'scripts/demo-data/generate.js',
      end: END,
      seeds: ['42', '42', '43'],
      file: FILE,
      configKey: 'itsm.facilities.sources',
      sourceId: 'demo',
      module: FACILITIES_SOURCE_OPTIONS,
      personalColumns: PERSONAL_COLUMNS,
      delimiter: ';',
    });
    dirs.push(...mapped.dirs);
    records.push(...mapped.records);
    logText = mapped.logText;
    demo = mapped.config;
    personalValues = mapped.personalValues;
    cleanup = mapped.cleanup;
  }, 60_000);

  afterAll(async () => {
    await cleanup();
  });

  it('names the personal columns in app-config.yaml', () => {
    expect(demo.personalFields).toEqual(PERSONAL_COLUMNS);
  });

  it('is deterministic for a seed and end date', async () => {
    const [a, b, c] = await Promise.all(
      dirs.map(dir => readFile(path.join(dir, FILE))),
    );
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('maps every work order, with no dead letter', () => {
    expect(records.length).toBeGreaterThan(900);
    expect(records.length).toBeLessThan(1050);
    const failures = records.flatMap(r => {
      const parsed = itsmRecordInputSchema.safeParse(r);
      return parsed.success
        ? []
        : [`${r.externalId}: ${describeValidationError(parsed.error)}`];
    });
    expect(failures.slice(0, 10)).toEqual([]);
    const late = records.filter(
      r => Date.parse(r.sourceUpdatedAt) >= Date.parse(`${END}T00:00:00Z`),
    );
    expect(late).toEqual([]);
  });

  it('maps each problem type to its entity', () => {
    const byRef: Record<string, number> = {};
    for (const r of records) {
      expect(r.entityRefs).toHaveLength(1);
      byRef[r.entityRefs[0]] = (byRef[r.entityRefs[0]] ?? 0) + 1;
      expect(r).toMatchObject({
        kind: 'request',
        assignmentGroup: 'Facilities',
        number: expect.stringMatching(/^WO\d{7}$/),
      });
    }
    expect(Object.keys(byRef).sort()).toEqual([
      'component:default/building-access',
      'component:default/building-climate',
      'component:default/desk-booking',
      'component:default/meeting-rooms',
    ]);
    const hvac = records.filter(r =>
      r.entityRefs.includes('component:default/building-climate'),
    );
    expect(hvac.every(r => r.title.startsWith('HVAC: '))).toBe(true);
  });

  it('reads UK local times as UTC instants', () => {
    // 23/11/2025 is GMT; a date in July is BST, one hour ahead of UTC.
    const first = records.find(r => r.number === 'WO0001001')!;
    expect(first.payload.source.Logged).toBe('23/11/2025 15:20');
    expect(first.openedAt).toBe('2025-11-23T15:20:00.000Z');
    const summer = records.find(r =>
      r.payload.source.Logged.includes('/07/2026'),
    )!;
    const [, hh, mm] = /(\d{2}):(\d{2})$/.exec(summer.payload.source.Logged)!;
    expect(new Date(summer.openedAt).getUTCHours()).toBe(
      (Number(hh) + 23) % 24,
    );
    expect(new Date(summer.openedAt).getUTCMinutes()).toBe(Number(mm));
  });

  it('keeps every personal value out of records, payloads and logs', () => {
    expect(personalValues.length).toBeGreaterThan(300);
    const output = JSON.stringify(records) + logText;
    expect(personalValues.filter(v => output.includes(v))).toEqual([]);
    for (const r of records) {
      for (const column of PERSONAL_COLUMNS) {
        expect(r.payload.source[column]).toBe(ITSM_REDACTED);
      }
    }
  });

  it('completes about as many work orders on time as its SLAs say were met', async () => {
    let finished = 0;
    let met = 0;
    for (const r of records) {
      const [sla] = r.slas;
      expect(sla.name).toMatch(/^Promised time \(/);
      if (sla.stage === 'completed' || sla.stage === 'breached') {
        finished++;
        if (!sla.breached) met++;
      }
    }
    const onTime = await facilitiesOnTimeCompletionMetric.compute(
      createInMemoryItsmMetricContext({
        window: { from: '2025-11-23T00:00:00Z', to: `${END}T00:00:00Z` },
        records: records.map(r => ({
          ...r,
          id: r.externalId,
          department: 'facilities',
        })),
      }),
    );
    expect(onTime.n).toBeGreaterThan(900);
    expect(met / finished).toBeGreaterThan(0.8);
    expect(onTime.value!).toBeCloseTo(met / finished, 1);
  });
});
