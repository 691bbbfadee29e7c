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

import { ConfigReader, JsonObject } from '@backstage/config';
import { readItsmMappedSourceConfigs } from '../config';
import type {
  ItsmMappedSourceModuleOptions,
  ItsmMappedSourceSettings,
} from '../settings';

export const MODULE: ItsmMappedSourceModuleOptions = {
  configKey: 'itsm.test.sources',
  providerIdPrefix: 'test',
  department: 'hr',
  kind: 'request',
  categories: {
    onboarding: {
      label: 'Onboarding',
      entityRef: 'component:default/employee-onboarding',
    },
    payroll_query: { label: 'Payroll', entityRef: 'component:default/payroll' },
  },
  categoryTitlePrefix: true,
};

/** A BambooHR-like CSV row: its own column names and vocabulary. */
export const ROW: Record<string, string> = {
  'Case ID': 'HRC0001001',
  'Employee ID': 'E-4821',
  'Employee Name': 'Hannah Whitfield',
  'Employee Email': 'hannah.whitfield@northwind.example',
  Manager: 'Marcus Lee',
  Category: 'New Hire',
  Subject: 'New starter in Finance, start 2026-03-02',
  Priority: 'Normal',
  Status: 'Completed',
  Created: '2026-02-20T09:00:00Z',
  'First Response': '2026-02-20T10:30:00Z',
  Completed: '2026-02-23T16:00:00Z',
  Closed: '',
  'Assigned To': 'Grace Hughes',
  Team: 'HR Operations',
  'Last Modified': '2026-02-23T16:05:00Z',
};

/** Values of ROW that are personal data. */
export const PERSONAL_VALUES = [
  'E-4821',
  'Hannah',
  'Whitfield',
  'hannah.whitfield',
  'Marcus',
];

export const MAPPING: JsonObject = {
  externalId: 'Case ID',
  number: 'Case ID',
  title: '{Subject} ({Employee Name})',
  url: 'https://hr.example/cases/{Case ID}',
  state: {
    from: 'Status',
    values: {
      Open: 'new',
      'In Progress': 'in_progress',
      'Waiting on Employee': 'on_hold',
      Completed: 'resolved',
      Closed: 'closed',
      Cancelled: 'cancelled',
    },
  },
  priority: { from: 'Priority', values: { High: 2, Normal: 3, Low: 4 } },
  category: {
    from: 'Category',
    values: { 'New Hire': 'onboarding', Payroll: 'payroll_query' },
  },
  openedAt: 'Created',
  acknowledgedAt: 'First Response',
  resolvedAt: 'Completed',
  closedAt: 'Closed',
  assignmentGroup: 'Team',
  assignee: 'Assigned To',
  sourceUpdatedAt: 'Last Modified',
};

export const PERSONAL_FIELDS = [
  'Employee ID',
  'Employee Name',
  'Employee Email',
  'Manager',
];

/** A CSV source config with the mapping above; `extra` is merged in. */
export function sourceConfig(extra: JsonObject = {}): JsonObject {
  return {
    csv: { path: '/data/cases.csv' },
    mapping: MAPPING,
    personalFields: PERSONAL_FIELDS,
    ...extra,
  };
}

/** Reads one source through the real config reader. */
export function readSource(
  source: JsonObject,
  options: Partial<ItsmMappedSourceModuleOptions> & { cwd?: string } = {},
): ItsmMappedSourceSettings {
  const [settings] = readItsmMappedSourceConfigs(
    new ConfigReader({ itsm: { test: { sources: { demo: source } } } }),
    { ...MODULE, ...options },
  );
  return settings;
}
