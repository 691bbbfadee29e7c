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
import { HR_SOURCE_OPTIONS } from './categories';
import {
  hrOnboardingCompletionTimeMetric,
  hrFirstResponseTimeMetric,
} from './metrics';

/*
 * The demo data generator (scripts/demo-data/generate.js) writes HR cases as
 * a BambooHR-like CSV export; app-config.yaml maps it with itsm.hr.sources.demo.
 * This suite generates it and reads it through that very config.
 */

const REPO_ROOT = path.resolve(__dirname, '../../..');
const END = '2026-11-23';
const FILE = 'hr/bamboohr-cases.csv';
const PERSONAL_COLUMNS = [
  'Employee Name',
  'Employee Email',
  'Employee ID',
  'Manager',
];
const DAY = 86400;

type Item = Record<string, any>;

describe('HR demo export, mapped by app-config.yaml', () => {
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
      configKey: 'itsm.hr.sources',
      sourceId: 'demo',
      module: HR_SOURCE_OPTIONS,
      personalColumns: PERSONAL_COLUMNS,
      delimiter: ',',
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
    expect(demo.personalFields).toEqual(
      expect.arrayContaining(PERSONAL_COLUMNS),
    );
  });

  it('is deterministic for a seed and end date', async () => {
    const [a, b, c] = await Promise.all(
      dirs.map(dir => readFile(path.join(dir, FILE))),
    );
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('maps every case, with no dead letter', () => {
    expect(records.length).toBeGreaterThan(550);
    expect(records.length).toBeLessThan(700);
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

  it('maps each category to its entity and starts titles with it', () => {
    const byRef: Record<string, number> = {};
    for (const r of records) {
      expect(r.entityRefs).toHaveLength(1);
      byRef[r.entityRefs[0]] = (byRef[r.entityRefs[0]] ?? 0) + 1;
      expect(r.title).toMatch(
        /^(Onboarding|Offboarding|Payroll|Leave): .+ \(\[redacted\]\)$/,
      );
      expect(r).toMatchObject({
        kind: 'request',
        assignmentGroup: 'HR Operations',
        number: expect.stringMatching(/^HRC\d{7}$/),
        url: `https://hr.northwind.example/cases/${r.number}`,
      });
    }
    expect(Object.keys(byRef).sort()).toEqual([
      'component:default/employee-offboarding',
      'component:default/employee-onboarding',
      'component:default/leave-management',
      'component:default/payroll',
    ]);
    const onboarding = byRef['component:default/employee-onboarding'];
    expect(onboarding / records.length).toBeGreaterThan(0.22);
    expect(onboarding / records.length).toBeLessThan(0.38);
  });

  it('keeps every personal value out of records, payloads and logs', () => {
    expect(personalValues.length).toBeGreaterThan(300);
    const output = JSON.stringify(records) + logText;
    const leaked = personalValues.filter(v => output.includes(v));
    expect(leaked).toEqual([]);
    for (const r of records) {
      for (const column of PERSONAL_COLUMNS) {
        expect(r.payload.source[column]).toBe(ITSM_REDACTED);
      }
    }
  });

  it("keeps the HR system's SLAs", () => {
    const stopped = records
      .map(r => ({ r, sla: r.slas[0] }))
      .filter(({ sla }) => ['completed', 'breached'].includes(sla.stage));
    expect(records.every(r => r.slas.length === 1)).toBe(true);
    expect(
      records.filter(
        r => !/^HR resolution \((3|5) days\)$/.test(r.slas[0].name),
      ),
    ).toEqual([]);
    expect(
      stopped.filter(
        ({ r, sla }) =>
          sla.breached !== (sla.stage === 'breached') ||
          sla.endAt !== r.resolvedAt,
      ),
    ).toEqual([]);
    const met = stopped.filter(({ sla }) => !sla.breached).length;
    expect(met / stopped.length).toBeGreaterThan(0.8);
    expect(met / stopped.length).toBeLessThan(0.995);
  });

  it('gives the HR metrics believable values', async () => {
    const context = createInMemoryItsmMetricContext({
      window: { from: '2025-11-23T00:00:00Z', to: `${END}T00:00:00Z` },
      // The category is read from the payload, as the backend does in SQL.
      records: records.map(r => ({
        ...r,
        id: r.externalId,
        department: 'hr',
        category: r.payload?.category ?? null,
      })),
    });
    const firstResponse = await hrFirstResponseTimeMetric.compute(context);
    expect(firstResponse.n).toBeGreaterThan(550);
    expect(firstResponse.value).toBeGreaterThan(1800);
    expect(firstResponse.value).toBeLessThan(DAY);
    const onboarding = await hrOnboardingCompletionTimeMetric.compute(context);
    expect(onboarding.n).toBeGreaterThan(130);
    expect(onboarding.value).toBeGreaterThan(DAY);
    expect(onboarding.value).toBeLessThan(5 * DAY);
    expect(onboarding.dataQuality).toEqual({ negativeDurations: 0 });
  });
});
