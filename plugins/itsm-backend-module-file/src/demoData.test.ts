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

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  describeValidationError,
  itsmFeedbackInputSchema,
  itsmRecordInputSchema,
} from '@backstage-itsm/plugin-itsm-common';
import { FileItsmProvider } from './provider';
import { collect } from './provider/__testUtils__/helpers';

/*
 * The demo data generator (scripts/demo-data/generate.js) is plain Node with
 * no test runner of its own; this suite runs it and checks what it writes
 * against the same schemas the ingestion engine validates with.
 */

const REPO_ROOT = path.resolve(__dirname, '../../..');
const GENERATOR = path.join(REPO_ROOT, 'scripts/demo-data/generate.js');
const COMPONENTS = path.join(REPO_ROOT, 'examples/components.yaml');
const END = '2026-11-23';
const END_MS = Date.parse(`${END}T00:00:00Z`);
// HR cases and facilities work orders are written as the exports of an HR
// system and a CAFM tool; the HR and facilities modules test those.
const FILES = ['it/records.ndjson', 'it/feedback.ndjson'];

type Item = Record<string, any>;

function generate(out: string, seed = '42'): string {
  return execFileSync(
    process.execPath,
    [GENERATOR, '--out', out, '--end', END, '--seed', seed],
    { encoding: 'utf8' },
  );
}

async function readNdjson(file: string): Promise<Item[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter(line => line !== '')
    .map(line => JSON.parse(line));
}

function share(items: Item[], predicate: (item: Item) => boolean) {
  return items.filter(predicate).length / items.length;
}

describe('demo data generator', () => {
  const dirs: string[] = [];
  let summary = '';
  const data: Record<string, Item[]> = {};

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      dirs.push(await mkdtemp(path.join(tmpdir(), 'itsm-demo-')));
    }
    summary = generate(dirs[0]);
    generate(dirs[1]);
    generate(dirs[2], '43');
    for (const file of FILES) {
      data[file] = await readNdjson(path.join(dirs[0], file));
    }
  }, 60_000);

  afterAll(async () => {
    for (const dir of dirs) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const records = () => data['it/records.ndjson'];
  const ofKind = (kind: string) =>
    data['it/records.ndjson'].filter(r => r.kind === kind);

  it('prints a summary', () => {
    expect(summary).toContain(`to ${END} (exclusive)`);
    for (const file of FILES) {
      expect(summary).toContain(file);
    }
  });

  it('writes only items that pass the ingestion schemas', () => {
    const failures: string[] = [];
    for (const file of FILES) {
      const schema = file.endsWith('feedback.ndjson')
        ? itsmFeedbackInputSchema
        : itsmRecordInputSchema;
      data[file].forEach((item, index) => {
        const result = schema.safeParse(item);
        if (!result.success) {
          failures.push(
            `${file}:${index + 1} ${item.externalId}: ${describeValidationError(
              result.error,
            )}`,
          );
        }
      });
    }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(records().length).toBeGreaterThan(1800);
    expect(data['it/feedback.ndjson'].length).toBeGreaterThan(300);
  });

  it('is deterministic for a seed and end date', async () => {
    for (const file of FILES) {
      const [a, b, c] = await Promise.all(
        dirs.map(dir => readFile(path.join(dir, file))),
      );
      expect(a.equals(b)).toBe(true);
      expect(a.equals(c)).toBe(false);
    }
  });

  it('keeps ids unique, numbers well-formed and every instant before the end', () => {
    const patterns: Record<string, RegExp> = {
      incident: /^INC\d{7}$/,
      change: /^CHG\d{7}$/,
      problem: /^PRB\d{7}$/,
    };
    for (const file of FILES) {
      const ids = data[file].map(item => item.externalId);
      expect(new Set(ids).size).toBe(ids.length);
    }
    for (const r of data['it/records.ndjson']) {
      expect(r.number).toMatch(patterns[r.kind]);
    }
    const late: string[] = [];
    for (const r of records()) {
      for (const field of [
        'openedAt',
        'acknowledgedAt',
        'resolvedAt',
        'closedAt',
        'actualStart',
        'actualEnd',
        'sourceUpdatedAt',
      ]) {
        if (r[field] && Date.parse(r[field]) >= END_MS)
          late.push(`${r.number} ${field}`);
      }
    }
    for (const f of data['it/feedback.ndjson']) {
      if (Date.parse(f.respondedAt) >= END_MS)
        late.push(`${f.externalId} respondedAt`);
    }
    expect(late).toEqual([]);
  });

  it('has lifecycles consistent with their states', () => {
    const problems: string[] = [];
    for (const r of records()) {
      const at = (field: string) => (r[field] ? Date.parse(r[field]) : null);
      const opened = at('openedAt')!;
      const open = ['new', 'in_progress', 'on_hold'].includes(r.state);
      if (r.kind !== 'change') {
        if (open && (r.resolvedAt || r.closedAt))
          problems.push(`${r.number} open but resolved`);
        if (['resolved', 'closed'].includes(r.state) && !r.resolvedAt)
          problems.push(`${r.number} no resolvedAt`);
        if (r.state === 'closed' && !r.closedAt)
          problems.push(`${r.number} no closedAt`);
        if (r.state === 'cancelled' && (!r.closedAt || r.resolvedAt))
          problems.push(`${r.number} cancelled`);
        for (const field of ['acknowledgedAt', 'resolvedAt', 'closedAt']) {
          if (at(field) !== null && at(field)! < opened)
            problems.push(`${r.number} ${field} < openedAt`);
        }
        if (r.resolvedAt && r.closedAt && at('closedAt')! < at('resolvedAt')!)
          problems.push(`${r.number} closed < resolved`);
      } else {
        if (r.actualEnd && at('actualEnd')! < at('actualStart')!)
          problems.push(`${r.number} actualEnd < actualStart`);
        if (r.closedAt && r.actualEnd && at('closedAt')! <= at('actualEnd')!)
          problems.push(`${r.number} closedAt <= actualEnd`);
        if ((r.state === 'cancelled') !== (r.outcome === 'cancelled'))
          problems.push(`${r.number} cancelled outcome`);
        if (r.outcome && r.outcome !== 'cancelled' && !r.actualEnd)
          problems.push(`${r.number} outcome without actualEnd`);
      }
      if (
        r.impactStart &&
        r.impactEnd &&
        at('impactEnd')! <= at('impactStart')!
      )
        problems.push(`${r.number} impact`);
      if (r.kind === 'incident' && r.priority > 2 && r.impactStart)
        problems.push(`${r.number} impact on P${r.priority}`);
    }
    expect(problems.slice(0, 20)).toEqual([]);
  });

  it('mixes incident priorities and change outcomes as intended', () => {
    const incidents = ofKind('incident');
    const p = (n: number) => share(incidents, r => r.priority === n);
    expect(p(1)).toBeGreaterThan(0.015);
    expect(p(1)).toBeLessThan(0.05);
    expect(p(2)).toBeGreaterThan(0.08);
    expect(p(2)).toBeLessThan(0.16);
    expect(p(3)).toBeGreaterThan(0.38);
    expect(p(3)).toBeLessThan(0.52);
    expect(p(4)).toBeGreaterThan(0.33);
    expect(p(4)).toBeLessThan(0.47);
    expect(share(incidents, r => r.state === 'cancelled')).toBeLessThan(0.06);
    expect(share(incidents, r => r.reopenCount > 0)).toBeGreaterThan(0.02);

    const changes = ofKind('change').filter(r => r.outcome);
    const o = (outcome: string) => share(changes, r => r.outcome === outcome);
    expect(o('successful')).toBeGreaterThan(0.78);
    expect(o('successful')).toBeLessThan(0.91);
    expect(o('successful_with_issues')).toBeGreaterThan(0.04);
    expect(o('successful_with_issues')).toBeLessThan(0.11);
    expect(o('failed')).toBeGreaterThan(0.025);
    expect(o('failed')).toBeLessThan(0.08);
    expect(o('cancelled')).toBeGreaterThan(0.01);
    expect(o('cancelled')).toBeLessThan(0.06);
    const t = (type: string) =>
      share(ofKind('change'), r => r.changeType === type);
    expect(t('standard')).toBeGreaterThan(0.52);
    expect(t('emergency')).toBeLessThan(0.1);
  });

  it('links some P1/P2 incidents to the change of the same component that caused them', () => {
    const changes = new Map(ofKind('change').map(c => [c.externalId, c]));
    const caused = ofKind('incident').filter(r => r.causedByChange);
    expect(caused.length).toBeGreaterThanOrEqual(3);
    const outcomes = new Set<string>();
    for (const incident of caused) {
      expect(incident.priority).toBeLessThanOrEqual(2);
      const change = changes.get(incident.causedByChange);
      expect(change).toBeDefined();
      expect(change!.mappings[0]).toEqual(incident.mappings[0]);
      const gap = Date.parse(incident.openedAt) - Date.parse(change!.actualEnd);
      expect(gap).toBeGreaterThanOrEqual(0);
      expect(gap).toBeLessThanOrEqual(6 * 3600 * 1000);
      outcomes.add(change!.outcome);
    }
    expect(outcomes).toContain('successful');
    expect(
      [...outcomes].some(o => o === 'failed' || o === 'successful_with_issues'),
    ).toBe(true);

    const problems = new Set(ofKind('problem').map(p => p.externalId));
    const linked = ofKind('incident').filter(r => r.problemId);
    expect(linked.length).toBeGreaterThan(0);
    for (const incident of linked) {
      expect(problems.has(incident.problemId)).toBe(true);
    }
  });

  it('maps records only to annotation values of examples/components.yaml', async () => {
    const yaml = await readFile(COMPONENTS, 'utf8');
    const known = new Set<string>();
    for (const match of yaml.matchAll(
      /^\s+(servicenow\.com\/ci-sysid|pagerduty\.com\/service-id):\s*['"]?([^'"\s]+)/gm,
    )) {
      for (const value of match[2].split(','))
        known.add(`${match[1]}=${value}`);
    }
    const names = new Set(
      [...yaml.matchAll(/^kind: Component\nmetadata:\n {2}name: (\S+)/gm)].map(
        m => m[1],
      ),
    );
    expect(known.size).toBeGreaterThan(10);
    const unknown: string[] = [];
    for (const r of records()) {
      for (const m of r.mappings) {
        if (!known.has(`${m.annotation}=${m.value}`))
          unknown.push(`${r.number}: ${m.annotation}=${m.value}`);
      }
      for (const ref of r.entityRefs) {
        if (!names.has(ref.replace(/^component:default\//, '')))
          unknown.push(`${r.number}: ${ref}`);
      }
    }
    expect(unknown).toEqual([]);
    expect(ofKind('incident').some(r => r.mappings.length === 2)).toBe(true);
    for (const f of data['it/feedback.ndjson'].filter(x => x.entityRef)) {
      expect(names.has(f.entityRef.replace(/^component:default\//, ''))).toBe(
        true,
      );
    }
  });

  it('reports SLAs that agree with their times', () => {
    const wrong: string[] = [];
    let finished = 0;
    let met = 0;
    for (const r of records()) {
      for (const s of r.slas) {
        const calendar =
          ((s.endAt ? Date.parse(s.endAt) : END_MS) - Date.parse(s.startAt)) /
          1000;
        if (s.businessElapsedSeconds > calendar + 1)
          wrong.push(`${r.number} ${s.name} elapsed`);
        if (s.breached !== s.businessElapsedSeconds > s.targetSeconds)
          wrong.push(`${r.number} ${s.name} breached`);
        if (['completed', 'breached'].includes(s.stage)) {
          finished++;
          if (!s.endAt || (s.stage === 'breached') !== s.breached)
            wrong.push(`${r.number} ${s.name} stage`);
          if (!s.breached) met++;
        }
        if (s.stage === 'in_progress' && !s.breachAt)
          wrong.push(`${r.number} ${s.name} breachAt`);
        if (s.stage === 'cancelled' && r.state !== 'cancelled')
          wrong.push(`${r.number} ${s.name} cancelled`);
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(met / finished).toBeGreaterThan(0.86);
    expect(met / finished).toBeLessThan(0.97);
    expect(
      records().some(r => r.slas.some((s: Item) => s.stage === 'paused')),
    ).toBe(true);
  });

  it('loads through the file provider, records and feedback apart', async () => {
    const provider = new FileItsmProvider({
      id: 'file:it',
      path: path.join(dirs[0], 'it'),
      department: 'it',
      kinds: ['incident', 'change', 'problem'],
    });
    const batches = await collect(provider, null);
    expect(
      batches.every(b => b.records!.length + b.feedback!.length <= 500),
    ).toBe(true);
    expect(batches.flatMap(b => b.records)).toEqual(data['it/records.ndjson']);
    expect(batches.flatMap(b => b.feedback)).toEqual(
      data['it/feedback.ndjson'],
    );
    expect(
      await collect(provider, batches[batches.length - 1].cursor!),
    ).toEqual([]);
  });

  it('asks for feedback believably', () => {
    const incidents = new Map(ofKind('incident').map(r => [r.externalId, r]));
    const feedback = data['it/feedback.ndjson'];
    const csat = feedback.filter(f => f.scale === 'csat5');
    for (const f of csat) {
      const incident = incidents.get(f.recordExternalId);
      expect(incident?.resolvedAt).toBeTruthy();
      expect(Date.parse(f.respondedAt)).toBeGreaterThan(
        Date.parse(incident!.resolvedAt),
      );
    }
    const resolved = ofKind('incident').filter(r => r.resolvedAt).length;
    expect(csat.length / resolved).toBeGreaterThan(0.22);
    expect(csat.length / resolved).toBeLessThan(0.38);
    expect(share(csat, f => f.score >= 4)).toBeGreaterThan(0.7);
    const nps = feedback.filter(f => f.scale === 'nps10');
    expect(nps.length).toBeGreaterThan(150);
    expect(nps.every(f => f.entityRef?.startsWith('component:default/'))).toBe(
      true,
    );
  });
});
