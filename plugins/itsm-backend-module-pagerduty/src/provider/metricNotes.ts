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
  ANNOTATION_ITSM_OUTAGE_PRIORITY_THRESHOLD,
  ItsmBuiltinMetricId,
} from '@backstage-itsm/plugin-itsm-common';
import type { PagerDutyUrgencyPriority } from '../config';

/** The outage threshold of an entity that sets none (the metrics engine's). */
const DEFAULT_OUTAGE_THRESHOLD = 2;

/** What each correlation reason PagerDuty documents means, for notes. */
const REASON_MEANINGS: Record<string, string> = {
  intelligent: 'intelligent (machine learning)',
  most_recent: "most_recent (the latest change on the incident's service)",
  related_service: 'related_service (a change on a service it depends on)',
};

/** What PagerDuty cannot measure, in a sentence a service owner reads. */
const ALWAYS_UNMEASURABLE: Readonly<
  Partial<Record<ItsmBuiltinMetricId, string>>
> = {
  sla_attainment: 'PagerDuty does not report SLAs',
  reopen_rate:
    'PagerDuty does not report reopenings: a new alert opens a new incident',
  problem_backlog: 'PagerDuty has no problem records',
  csat: 'PagerDuty does not collect satisfaction surveys',
  nps: 'PagerDuty does not collect satisfaction surveys',
  fulfilment_time: 'PagerDuty has no service requests',
};

/** What a provider of one PagerDuty account says about its metrics. */
export interface PagerDutyMetricDescription {
  unmeasurable: Readonly<Partial<Record<ItsmBuiltinMetricId, string>>>;
  metricNotes: Readonly<Partial<Record<ItsmBuiltinMetricId, string>>>;
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function priorities(maxPriority: number): string {
  return maxPriority === 1 ? 'P1' : `P1 to P${maxPriority}`;
}

/**
 * Which metrics a PagerDuty account cannot measure, and the notes that go
 * beside those it measures in a way a reader must know: the change to
 * incident link is PagerDuty's correlation (a heuristic), and priority, hence
 * what counts as an outage, comes from urgency when an incident has no
 * PagerDuty priority. Both reflect the account's config.
 */
export function describePagerDutyMetrics(options: {
  causedByChange: { maxPriority: number; reasons: ReadonlyArray<string> };
  urgencyPriority: PagerDutyUrgencyPriority;
}): PagerDutyMetricDescription {
  const { causedByChange, urgencyPriority } = options;
  const unmeasurable: Partial<Record<ItsmBuiltinMetricId, string>> = {
    ...ALWAYS_UNMEASURABLE,
  };
  const notes: Partial<Record<ItsmBuiltinMetricId, string>> = {};

  if (causedByChange.maxPriority === 0 || causedByChange.reasons.length === 0) {
    unmeasurable.change_failure_rate =
      "PagerDuty does not report whether a change failed, and linking incidents to changes by PagerDuty's change correlation is turned off (causedByChange)";
  } else {
    const reasons = causedByChange.reasons.map(r => REASON_MEANINGS[r] ?? r);
    notes.change_failure_rate = `A PagerDuty change counts as failed when PagerDuty's change correlation relates it to a ${priorities(
      causedByChange.maxPriority,
    )} incident (or a high-urgency one without a priority) for the reason ${list(
      reasons,
    )}: a heuristic, not a confirmed cause.`;
  }

  const mapped = (urgency: 'high' | 'low') => {
    const priority = urgencyPriority[urgency];
    return `${urgency} to ${
      priority === null ? 'no priority' : `P${priority}`
    }`;
  };
  const high = urgencyPriority.high;
  let consequence: string;
  if (high === null) {
    consequence = 'so a page without a priority never counts as an outage';
  } else if (high <= DEFAULT_OUTAGE_THRESHOLD) {
    consequence =
      'so every high-urgency page without a priority counts as an outage';
  } else {
    consequence = `so a high-urgency page without a priority is not an outage unless the entity sets the threshold to ${high} or more`;
  }
  const outage = `Priority comes from the PagerDuty priority (P1 to P5, SEV1 to SEV5); incidents without one get it from their urgency, a notification setting (urgencyPriority: ${mapped(
    'high',
  )}, ${mapped(
    'low',
  )}). Outages are incidents at or above the entity's outage threshold (P${DEFAULT_OUTAGE_THRESHOLD} unless annotation ${ANNOTATION_ITSM_OUTAGE_PRIORITY_THRESHOLD} sets it), ${consequence}.`;
  notes.availability = outage;
  notes.mtbf = outage;
  notes.emergency_change_ratio =
    'PagerDuty change events have no change type: a change counts as emergency only when its custom_details.change_type says so.';

  return { unmeasurable, metricNotes: notes };
}
