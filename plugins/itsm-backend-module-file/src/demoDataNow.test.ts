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

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';

/*
 * The demo data generator (scripts/demo-data/generate.js) ends its history
 * at "now": nothing it writes may be dated later, but what is planned or
 * promised (the planned window of a change not started yet, an SLA's breach
 * time, a due date). It used to end at tomorrow's midnight, so the portal
 * showed incidents "opened in 17 hours" and work orders logged at 18:17 when
 * it was 01:30. Its other checks live in demoData.test.ts.
 */

const REPO_ROOT = path.resolve(__dirname, '../../..');
const GENERATOR = path.join(REPO_ROOT, 'scripts/demo-data/generate.js');
/** The small hours of a Monday, as in the report. */
const NOW = '2026-11-23T01:30:00Z';
const NOW_MS = Date.parse(NOW);
const HOUR = 3600_000;

type Item = Record<string, any>;
type Row = Record<string, string>;

interface Output {
  summary: string;
  records: Item[];
  feedback: Item[];
  hr: Row[];
  facilities: Row[];
}

/** Runs the generator into a fresh folder and reads all it wrote. */
async function generate(dirs: string[], args: string[]): Promise<Output> {
  const out = await mkdtemp(path.join(tmpdir(), 'itsm-demo-now-'));
  dirs.push(out);
  const summary = execFileSync(
    process.execPath,
    [GENERATOR, '--out', out, '--seed', '42', ...args],
    { encoding: 'utf8' },
  );
  const ndjson = async (file: string) =>
    (await readFile(path.join(out, file), 'utf8'))
      .split('\n')
      .filter(line => line !== '')
      .map(line => JSON.parse(line));
  const csv = async (file: string, delimiter: string): Promise<Row[]> =>
    parse(await readFile(path.join(out, file), 'utf8'), {
      columns: true,
      delimiter,
    });
  return {
    summary,
    records: await ndjson('it/records.ndjson'),
    feedback: await ndjson('it/feedback.ndjson'),
    hr: await csv('hr/bamboohr-cases.csv', ','),
    facilities: await csv('facilities/cafm-work-orders.csv', ';'),
  };
}

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The instant of a CAFM time, `dd/MM/yyyy HH:mm` on the Europe/London clock. */
function fromLondon(text: string): number {
  const match = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})$/.exec(text);
  if (!match) throw new Error(`not a CAFM time: '${text}'`);
  const [, d, m, y, h, min] = match.map(Number);
  const wall = Date.UTC(y, m - 1, d, h, min);
  // London is UTC or UTC+1: the one that reads back as the same wall time.
  const candidates = [wall, wall - HOUR].filter(
    t => LONDON.format(t).replace(',', '') === text,
  );
  if (candidates.length === 0) throw new Error(`no such London time '${text}'`);
  return Math.min(...candidates);
}

/** Instants of the IT records; plannedStart/plannedEnd are checked apart. */
const RECORD_INSTANTS = [
  'openedAt',
  'acknowledgedAt',
  'resolvedAt',
  'closedAt',
  'impactStart',
  'impactEnd',
  'actualStart',
  'actualEnd',
  'sourceUpdatedAt',
];
/** Columns that say when something happened ("SLA Due" is a promise). */
const HR_INSTANTS = [
  'Created',
  'First Response',
  'Completed',
  'Closed',
  'Last Modified',
  'SLA Stopped',
];
/** Likewise; "Target Completion" and "SLA Due" are promises. */
const FACILITIES_INSTANTS = [
  'Logged',
  'Attended',
  'Completed',
  'Closed',
  'Last Updated',
  'SLA Stopped',
];

/** Everything dated after `now` that is not a planned change's window. */
function datedAfter(data: Output, now: number): string[] {
  const late: string[] = [];
  const check = (what: string, at: number) => {
    if (Number.isNaN(at)) late.push(`${what}: not a time`);
    else if (at > now) late.push(`${what} ${new Date(at).toISOString()}`);
  };
  for (const r of data.records) {
    for (const field of RECORD_INSTANTS) {
      if (r[field]) check(`${r.number} ${field}`, Date.parse(r[field]));
    }
    for (const sla of r.slas ?? []) {
      check(`${r.number} SLA ${sla.name} startAt`, Date.parse(sla.startAt));
      if (sla.endAt) {
        check(`${r.number} SLA ${sla.name} endAt`, Date.parse(sla.endAt));
      }
    }
    // A planned date is a plan: a change that has not ended (not started,
    // or in progress) may be planned to start or end after now.
    const ended = r.actualEnd || r.closedAt || r.outcome;
    const open = r.kind === 'change' && !ended;
    for (const field of ['plannedStart', 'plannedEnd']) {
      if (r[field] && !open) {
        check(`${r.number} ${field}`, Date.parse(r[field]));
      }
    }
  }
  for (const f of data.feedback) {
    check(`${f.externalId} respondedAt`, Date.parse(f.respondedAt));
  }
  for (const row of data.hr) {
    for (const column of HR_INSTANTS) {
      if (row[column])
        check(`${row['Case ID']} ${column}`, Date.parse(row[column]));
    }
  }
  for (const row of data.facilities) {
    for (const column of FACILITIES_INSTANTS) {
      if (row[column])
        check(`${row['WO Number']} ${column}`, fromLondon(row[column]));
    }
  }
  return late;
}

describe('demo data generator, now', () => {
  const dirs: string[] = [];
  let fixed: Output;

  beforeAll(async () => {
    fixed = await generate(dirs, ['--now', NOW]);
  }, 60_000);

  afterAll(async () => {
    for (const dir of dirs) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ends the history at --now', () => {
    expect(fixed.summary).toContain(`2025-11-23 to ${NOW} (exclusive)`);
  });

  it('dates nothing after now but the window of changes planned later', () => {
    expect(datedAfter(fixed, NOW_MS)).toEqual([]);
    // Planned changes are kept: scheduled after now, not started.
    const planned = fixed.records.filter(
      r => r.kind === 'change' && Date.parse(r.plannedStart) > NOW_MS,
    );
    expect(planned.length).toBeGreaterThan(0);
    for (const change of planned) {
      expect(change).toMatchObject({
        state: 'new',
        actualStart: null,
        actualEnd: null,
        closedAt: null,
        outcome: null,
      });
    }
  });

  it('keeps open records open at now, their SLAs running', () => {
    const open = fixed.records.filter(r =>
      ['new', 'in_progress', 'on_hold'].includes(r.state),
    );
    expect(open.filter(r => r.kind === 'incident').length).toBeGreaterThan(0);
    const finished = open
      .filter(
        r =>
          r.resolvedAt ||
          r.closedAt ||
          (r.slas ?? []).some(
            (sla: Item) => sla.kind === 'resolution' && sla.endAt,
          ),
      )
      .map(r => r.number);
    expect(finished).toEqual([]);
    const openHr = fixed.hr.filter(row =>
      ['Open', 'In Progress', 'Waiting on Employee'].includes(row.Status),
    );
    expect(openHr.length).toBeGreaterThan(0);
    for (const row of openHr) {
      expect([row['Case ID'], row.Completed, row.Closed]).toEqual([
        row['Case ID'],
        '',
        '',
      ]);
    }
  });

  it('has records of the last hours, so today is not empty', () => {
    const within = (hours: number, at: string) =>
      NOW_MS - Date.parse(at) >= 0 && NOW_MS - Date.parse(at) < hours * HOUR;
    const opened = fixed.records.filter(r => within(24, r.openedAt));
    const touched = fixed.records.filter(r => within(3, r.sourceUpdatedAt));
    const facilities = fixed.facilities.filter(row => {
      const at = fromLondon(row.Logged);
      return at <= NOW_MS && NOW_MS - at < 48 * HOUR;
    });
    expect(opened.length).toBeGreaterThan(0);
    expect(touched.length).toBeGreaterThan(0);
    expect(facilities.length).toBeGreaterThan(0);
  });

  it('ends at the moment it runs when not told otherwise', async () => {
    const before = Date.now();
    const data = await generate(dirs, []);
    const after = Date.now();
    expect(datedAfter(data, after)).toEqual([]);
    // Today so far is there: records of the last days, up to now.
    const latest = Math.max(
      ...data.records.map(r => Date.parse(r.openedAt)),
      ...data.hr.map(row => Date.parse(row.Created)),
    );
    expect(latest).toBeGreaterThan(before - 2 * 24 * HOUR);
    expect(latest).toBeLessThanOrEqual(after);
  }, 60_000);

  it('refuses --now without a zone, and --now with --end', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, [GENERATOR, '--out', dirs[0], ...args], {
        encoding: 'utf8',
      });
    const unzoned = run(['--now', '2026-11-23T01:30']);
    expect(unzoned.status).toBe(2);
    expect(unzoned.stderr).toContain('--now must be an ISO 8601 instant');
    const both = run(['--now', NOW, '--end', '2026-11-23']);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--end and --now both set the end');
  });
});
