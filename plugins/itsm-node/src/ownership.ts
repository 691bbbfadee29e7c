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

import type { Entity } from '@backstage/catalog-model';

/** A person or team as a source system names it. @public */
export interface ItsmContact {
  name: string;
  email?: string;
  /** Deep link to the person or team in the source system. */
  url?: string;
}

/** One level of an escalation chain. @public */
export interface ItsmEscalationLevel {
  level: number;
  /** Who is reached at this level, now. */
  targets: ItsmContact[];
  /** Minutes before escalating to the next level. */
  delayMinutes?: number;
}

/**
 * What a source system knows about who runs an entity. Every field is
 * optional: a source fills in what it has.
 * @public
 */
export interface ItsmOwnershipFacts {
  /** Id of the source, e.g. `servicenow:corp`. */
  sourceId: string;
  /** Display name of the source system, e.g. `ServiceNow`. */
  sourceName: string;
  /** Link to the entity's counterpart in the source (CMDB CI, PagerDuty service). */
  url?: string;
  /** Who is on call now (first escalation level). */
  onCall?: ItsmContact[];
  escalationPolicy?: {
    name: string;
    url?: string;
    levels: ItsmEscalationLevel[];
  };
  /** The owner the source records (CMDB `owned_by`, `managed_by`). */
  owner?: ItsmContact;
  /** The team the source routes work to (CMDB `support_group`, PagerDuty team). */
  supportGroup?: ItsmContact;
  /** Business criticality or tier as the source names it. */
  criticality?: string;
  /** When these facts were read. */
  asOf: string;
}

/**
 * A source that can say, live, who owns, supports and is on call for an
 * entity; read by the ownership card. Register through
 * {@link itsmOwnershipSourcesExtensionPoint}.
 * @public
 */
export interface ItsmOwnershipSource {
  readonly id: string;
  /**
   * Facts for the entity, or undefined when the entity has no counterpart in
   * this source (no matching annotation). Throwing reports the source as
   * failing for this request; other sources still answer.
   */
  getOwnershipFacts(options: {
    entity: Entity;
    signal?: AbortSignal;
  }): Promise<ItsmOwnershipFacts | undefined>;
}
