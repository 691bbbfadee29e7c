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

/*
 * The PagerDuty REST API v2 objects this module reads, as loose shapes:
 * every field is optional and checked where it is used, since a malformed
 * object must become a dead letter, never crash a sync.
 */

/** A reference to another object (`service_reference`, `user_reference`, ...). */
export interface PagerDutyReference {
  id?: string;
  type?: string;
  summary?: string;
  self?: string;
  html_url?: string | null;
  /** Present when the full object is included (`include[]`). */
  name?: string;
  email?: string;
}

/** @see https://developer.pagerduty.com/api-reference/ (Incidents) */
export interface PagerDutyIncident {
  id?: string;
  type?: string;
  summary?: string;
  title?: string;
  html_url?: string;
  incident_number?: number;
  created_at?: string;
  updated_at?: string;
  last_status_change_at?: string;
  resolved_at?: string | null;
  status?: string;
  urgency?: string;
  priority?: PagerDutyReference | null;
  service?: PagerDutyReference | null;
  escalation_policy?: PagerDutyReference | null;
  teams?: PagerDutyReference[];
  assignments?: Array<{ at?: string; assignee?: PagerDutyReference }>;
  acknowledgements?: Array<{ at?: string; acknowledger?: PagerDutyReference }>;
  [key: string]: unknown;
}

/** An incident log entry (`trigger_log_entry`, `acknowledge_log_entry`, ...). */
export interface PagerDutyLogEntry {
  id?: string;
  type?: string;
  created_at?: string;
  incident?: PagerDutyReference | null;
  service?: PagerDutyReference | null;
  agent?: PagerDutyReference | null;
  assignees?: PagerDutyReference[];
  [key: string]: unknown;
}

/** A change event (deploys, config changes) sent through the Events API. */
export interface PagerDutyChangeEvent {
  id?: string;
  type?: string;
  summary?: string;
  timestamp?: string;
  html_url?: string;
  source?: string;
  services?: PagerDutyReference[];
  custom_details?: Record<string, unknown> | null;
  links?: Array<{ href?: string; text?: string }>;
  /** Only on `GET /incidents/{id}/related_change_events`. */
  correlation_reason?: { reason?: string } | null;
  [key: string]: unknown;
}

/** One rule (level) of an escalation policy. */
export interface PagerDutyEscalationRule {
  id?: string;
  escalation_delay_in_minutes?: number;
  targets?: PagerDutyReference[];
}

export interface PagerDutyEscalationPolicy extends PagerDutyReference {
  escalation_rules?: PagerDutyEscalationRule[];
  num_loops?: number;
}

export interface PagerDutyService extends PagerDutyReference {
  status?: string;
  description?: string | null;
  /** A reference, or the full policy with `include[]=escalation_policies`. */
  escalation_policy?: PagerDutyEscalationPolicy | null;
  teams?: PagerDutyReference[];
}

/** Who is on call for an escalation policy level, and until when. */
export interface PagerDutyOnCall {
  /** A reference, or the full user (with email) with `include[]=users`. */
  user?: PagerDutyReference | null;
  schedule?: PagerDutyReference | null;
  escalation_policy?: PagerDutyReference | null;
  escalation_level?: number;
  start?: string | null;
  end?: string | null;
}

/** A page of a classic (offset) paginated list. */
export interface PagerDutyPage<T> {
  items: T[];
  /** Whether another page follows. */
  more: boolean;
  /** Total count, only when asked for with `total=true`. */
  total: number | null;
}
