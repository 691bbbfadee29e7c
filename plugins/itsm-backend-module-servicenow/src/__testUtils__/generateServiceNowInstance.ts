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

import { FakeFault, FakeRow, FakeServiceNow } from './FakeServiceNow';
import { random } from './random';
import { TABLE_FIELDS } from '../client/tables';

/** Options of {@link generateServiceNowInstance}. */
export interface GeneratedServiceNowOptions {
  incidents: number;
  changes: number;
  /** Seed of the random draws: the same seed, the same instance. */
  seed: number;
  /** Every record lies in the 30 days before this instant (epoch ms). */
  anchor: number;
  /** sys_ids of the first CIs, e.g. a demo catalog's `servicenow.com/ci-sysid`. */
  ciIds?: string[];
  faults?: FakeFault[];
}

const CIS = 200;
const DAY = 86_400_000;

function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function id(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(32 - prefix.length, '0')}`;
}

/**
 * A ServiceNow instance for the benchmarks: every incident with a response
 * and a resolution SLA, every change with an implementation SLA, rows
 * sharing a second now and then, spread over the 30 days before `anchor`;
 * records on the given CIs (`ciIds`) now and then, so metrics of those
 * entities have data.
 */
export function generateServiceNowInstance(
  options: GeneratedServiceNowOptions,
): FakeServiceNow {
  const { anchor } = options;
  const ciIds = options.ciIds ?? [];
  /** CI n: the first ones are the given ones. */
  const ci = (n: number) => (n < ciIds.length ? ciIds[n] : id('7', n));
  const baseTime = anchor - 30 * DAY;
  const rnd = random(options.seed);
  const pick = <T>(list: readonly T[]): T =>
    list[Math.floor(rnd() * list.length)];
  const fake = new FakeServiceNow({
    baseUrl: 'http://127.0.0.1',
    faults: options.faults,
  });
  const groups = Array.from({ length: 20 }, (_, i) => ({
    sys_id: id('9', i),
    name: `Group ${i}`,
  }));
  fake.put('sys_user_group', groups);
  fake.put(
    'sys_user',
    Array.from({ length: 50 }, (_, i) => ({
      sys_id: id('8', i),
      name: `User ${i}`,
    })),
  );
  fake.put(
    'cmdb_ci_service',
    Array.from({ length: CIS }, (_, i) => ({
      sys_id: ci(i),
      name: `Service ${i}`,
    })),
  );
  fake.put('contract_sla', [
    {
      sys_id: id('6', 1),
      name: 'Incident response',
      target: 'response',
      duration: '1970-01-01 01:00:00',
    },
    {
      sys_id: id('6', 2),
      name: 'Incident resolution',
      target: 'resolution',
      duration: '1970-01-01 08:00:00',
    },
    {
      sys_id: id('6', 3),
      name: 'Change implementation',
      target: 'resolution',
      duration: '1970-01-02 00:00:00',
    },
  ]);
  const slas: FakeRow[] = [];
  const sla = (
    task: string,
    definition: string,
    start: number,
    end: number | undefined,
    updated: number,
  ) => {
    slas.push({
      sys_id: id('5', slas.length + 1),
      task,
      sla: definition,
      stage:
        end === undefined
          ? pick(['in_progress', 'paused'])
          : pick(['completed', 'completed', 'cancelled']),
      has_breached: String(rnd() < 0.1),
      start_time: stamp(start),
      end_time: end === undefined ? '' : stamp(end),
      planned_end_time: stamp(start + 8 * 3600_000),
      business_duration: stamp(Math.round(rnd() * 8 * 3600) * 1000),
      sys_updated_on: stamp(updated),
    });
  };

  // Spread over the 30 days before the anchor, whatever the count.
  const incidentStep = Math.max(
    1000,
    Math.floor((25 * DAY) / options.incidents),
  );
  const incidents: FakeRow[] = [];
  let clock = baseTime + DAY;
  for (let i = 1; i <= options.incidents; i++) {
    // Every tenth row shares its second with the one before.
    if (i % 10 !== 0) {
      clock += 1000 * Math.floor((incidentStep * (0.5 + rnd())) / 1000);
    }
    const opened = clock - Math.floor(rnd() * DAY);
    const state = pick(['1', '2', '3', '6', '7', '7', '7', '8']);
    const resolved = ['6', '7'].includes(state) ? clock - 60_000 : undefined;
    const sysId = id('a', i);
    incidents.push({
      sys_id: sysId,
      number: `INC${String(i).padStart(7, '0')}`,
      short_description: `Incident ${i}: service degraded`,
      state,
      priority: pick(['1', '2', '3', '3', '4', '4', '5']),
      opened_at: stamp(opened),
      sys_created_on: stamp(opened),
      resolved_at: resolved ? stamp(resolved) : '',
      closed_at: state === '7' ? stamp(clock) : '',
      sys_updated_on: stamp(clock),
      assignment_group: pick(groups).sys_id,
      assigned_to: rnd() < 0.8 ? id('8', Math.floor(rnd() * 50)) : '',
      cmdb_ci: ci(Math.floor(rnd() * CIS)),
      business_service: rnd() < 0.5 ? ci(Math.floor(rnd() * CIS)) : '',
      caused_by:
        rnd() < 0.05 ? id('c', 1 + Math.floor(rnd() * options.changes)) : '',
      problem_id: '',
      reopen_count: rnd() < 0.05 ? '1' : '0',
      sys_class_name: 'incident',
    });
    sla(sysId, id('6', 1), opened, opened + 1800_000, clock);
    sla(sysId, id('6', 2), opened, resolved, clock);
  }
  fake.put('incident', incidents);

  const changeStep = Math.max(1000, Math.floor((25 * DAY) / options.changes));
  const changes: FakeRow[] = [];
  clock = baseTime + DAY;
  for (let i = 1; i <= options.changes; i++) {
    clock += 1000 * Math.floor((changeStep * (0.5 + rnd())) / 1000);
    const state = pick(['-5', '-4', '-2', '-1', '0', '3', '3', '3', '4']);
    const start = clock - 7200_000;
    const sysId = id('c', i);
    changes.push({
      sys_id: sysId,
      number: `CHG${String(i).padStart(7, '0')}`,
      short_description: `Change ${i}: deploy release`,
      state,
      priority: pick(['2', '3', '4']),
      type: pick(['standard', 'standard', 'normal', 'emergency']),
      close_code:
        state === '3'
          ? pick([
              'successful',
              'successful',
              'successful_issues',
              'unsuccessful',
            ])
          : '',
      opened_at: stamp(start - DAY),
      sys_created_on: stamp(start - DAY),
      start_date: stamp(start),
      end_date: stamp(start + 3600_000),
      work_start: ['0', '3'].includes(state) ? stamp(start) : '',
      work_end: ['0', '3'].includes(state) ? stamp(start + 3000_000) : '',
      closed_at: ['3', '4'].includes(state) ? stamp(clock) : '',
      sys_updated_on: stamp(clock),
      assignment_group: pick(groups).sys_id,
      assigned_to: '',
      cmdb_ci: ci(Math.floor(rnd() * CIS)),
      business_service: '',
      sys_class_name: 'change_request',
    });
    sla(sysId, id('6', 3), start, state === '3' ? clock : undefined, clock);
  }
  fake.put('change_request', changes);
  // No problems, but a problem table with every field the provider reads.
  const { required, optional } = TABLE_FIELDS.problem;
  fake.declare(
    'problem',
    [...required, ...optional].filter(f => !f.includes('.')),
  );
  fake.put('task_sla', slas);
  return fake;
}
