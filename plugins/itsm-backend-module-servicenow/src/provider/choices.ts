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
  ITSM_CHANGE_OUTCOMES,
  ITSM_CHANGE_TYPES,
  ITSM_RECORD_STATES,
  ITSM_SLA_KINDS,
  ITSM_SLA_STAGES,
} from '@backstage-itsm/plugin-itsm-common';
import type { ServiceNowTable } from '../client/tables';
import type { FieldValue } from '../client/values';

/**
 * The choice fields the provider maps, per table, and the values each may be
 * mapped to. `priority` maps to `1`..`5` or `none`.
 */
export const CHOICE_TARGETS = {
  incident: {
    state: ITSM_RECORD_STATES,
    priority: ['1', '2', '3', '4', '5', 'none'],
  },
  change_request: {
    state: ITSM_RECORD_STATES,
    priority: ['1', '2', '3', '4', '5', 'none'],
    type: ITSM_CHANGE_TYPES,
    close_code: ITSM_CHANGE_OUTCOMES,
  },
  problem: {
    state: ITSM_RECORD_STATES,
    priority: ['1', '2', '3', '4', '5', 'none'],
  },
  task_sla: {
    stage: ITSM_SLA_STAGES,
    /** The `target` of the SLA definition (`contract_sla`). */
    target: ITSM_SLA_KINDS,
  },
} as const satisfies Record<
  ServiceNowTable,
  Record<string, ReadonlyArray<string>>
>;

/** `choices.<table>.<field>.<ServiceNow value>` = normalised value. */
export type ChoiceOverrides = {
  [T in ServiceNowTable]?: {
    [F in keyof (typeof CHOICE_TARGETS)[T]]?: Record<string, string>;
  };
};

interface ChoiceDefaults {
  /** Keyed by the raw value (the choice's code). */
  values: Record<string, string>;
  /** Keyed by the lower-cased label, for display values. */
  labels: Record<string, string>;
}

const PRIORITY: ChoiceDefaults = {
  values: { '1': '1', '2': '2', '3': '3', '4': '4', '5': '5' },
  labels: {
    '1 - critical': '1',
    '2 - high': '2',
    '3 - moderate': '3',
    '4 - low': '4',
    '5 - planning': '5',
  },
};

/**
 * The out-of-box choice lists (a base instance without customisation). An
 * instance that changed them overrides per value in config.
 */
export const DEFAULT_CHOICES: Record<
  ServiceNowTable,
  Record<string, ChoiceDefaults>
> = {
  incident: {
    state: {
      values: {
        '1': 'new',
        '2': 'in_progress',
        '3': 'on_hold',
        '6': 'resolved',
        '7': 'closed',
        '8': 'cancelled',
      },
      labels: {
        new: 'new',
        'in progress': 'in_progress',
        'on hold': 'on_hold',
        resolved: 'resolved',
        closed: 'closed',
        canceled: 'cancelled',
        cancelled: 'cancelled',
      },
    },
    priority: PRIORITY,
  },
  change_request: {
    state: {
      values: {
        '-5': 'new',
        '-4': 'in_progress', // Assess
        '-3': 'in_progress', // Authorize
        '-2': 'in_progress', // Scheduled
        '-1': 'in_progress', // Implement
        '0': 'resolved', // Review: implemented, awaiting the post-implementation review
        '3': 'closed',
        '4': 'cancelled',
      },
      labels: {
        new: 'new',
        assess: 'in_progress',
        authorize: 'in_progress',
        scheduled: 'in_progress',
        implement: 'in_progress',
        review: 'resolved',
        closed: 'closed',
        canceled: 'cancelled',
        cancelled: 'cancelled',
      },
    },
    priority: PRIORITY,
    type: {
      values: {
        standard: 'standard',
        normal: 'normal',
        emergency: 'emergency',
      },
      labels: {
        standard: 'standard',
        normal: 'normal',
        emergency: 'emergency',
      },
    },
    close_code: {
      values: {
        successful: 'successful',
        successful_issues: 'successful_with_issues',
        unsuccessful: 'failed',
      },
      labels: {
        successful: 'successful',
        'successful with issues': 'successful_with_issues',
        unsuccessful: 'failed',
      },
    },
  },
  problem: {
    state: {
      values: {
        '101': 'new',
        '102': 'in_progress', // Assess
        '103': 'in_progress', // Root Cause Analysis
        '104': 'in_progress', // Fix in Progress
        '106': 'resolved',
        '107': 'closed',
        // The state model before Madrid; its codes do not overlap.
        '1': 'new', // Open
        '2': 'in_progress', // Known Error
        '3': 'in_progress', // Pending Change
        '4': 'closed', // Closed/Resolved
      },
      labels: {
        new: 'new',
        assess: 'in_progress',
        'root cause analysis': 'in_progress',
        'fix in progress': 'in_progress',
        resolved: 'resolved',
        closed: 'closed',
        open: 'new',
        'known error': 'in_progress',
        'pending change': 'in_progress',
        'closed/resolved': 'closed',
      },
    },
    priority: PRIORITY,
  },
  task_sla: {
    stage: {
      values: {
        in_progress: 'in_progress',
        paused: 'paused',
        completed: 'completed',
        cancelled: 'cancelled',
        // The 2010 SLA engine (compatibility mode) only.
        breached: 'breached',
        achieved: 'completed',
      },
      labels: {
        'in progress': 'in_progress',
        paused: 'paused',
        completed: 'completed',
        cancelled: 'cancelled',
        breached: 'breached',
        achieved: 'completed',
      },
    },
    target: {
      values: { response: 'response', resolution: 'resolution' },
      labels: { response: 'response', resolution: 'resolution' },
    },
  },
};

/** A mapped choice: the normalised value (null when the field is empty), or the unmapped raw value. */
export type ChoiceResult =
  | { ok: true; value: string | null }
  | { ok: false; raw: string };

/**
 * Maps ServiceNow choice values to normalised ones: the configured overrides
 * first, then the out-of-box list; by code first, then by label (for display
 * values), case-insensitively.
 */
export class ChoiceMapper {
  readonly #overrides: ChoiceOverrides;

  constructor(overrides: ChoiceOverrides = {}) {
    this.#overrides = overrides;
  }

  map(table: ServiceNowTable, field: string, input: FieldValue): ChoiceResult {
    const candidates = [input.value, input.display]
      .map(c => c?.trim())
      .filter((c): c is string => c !== undefined && c !== '');
    if (candidates.length === 0) {
      return { ok: true, value: null };
    }
    const overrides =
      (this.#overrides[table] as Record<string, Record<string, string>>)?.[
        field
      ] ?? {};
    const defaults = DEFAULT_CHOICES[table][field];
    const finish = (mapped: string) => ({
      ok: true as const,
      value: mapped === 'none' ? null : mapped,
    });

    for (const candidate of candidates) {
      const mapped = overrides[candidate] ?? defaults?.values[candidate];
      if (mapped !== undefined) return finish(mapped);
    }
    for (const candidate of candidates) {
      const lower = candidate.toLowerCase();
      const override = Object.entries(overrides).find(
        ([key]) => key.toLowerCase() === lower,
      );
      if (override) return finish(override[1]);
      const label = defaults?.labels[lower];
      if (label !== undefined) return finish(label);
      // Priority display values read "3 - Moderate"; the number leads.
      const leading = /^(\d+)\s*-/.exec(candidate);
      if (field === 'priority' && leading) {
        const code = leading[1];
        const byCode = overrides[code] ?? defaults?.values[code];
        if (byCode !== undefined) return finish(byCode);
      }
    }
    return { ok: false, raw: candidates[0] };
  }
}
