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

/** A person or team, as the catalog or a source system names it. @public */
export interface ItsmOwnershipContact {
  name: string;
  email?: string;
  url?: string;
  /** Catalog ref when the contact is a catalog entity. */
  entityRef?: string;
}

/** What one source system says about who runs the entity. @public */
export interface ItsmOwnershipSourceFacts {
  sourceId: string;
  sourceName: string;
  url?: string;
  onCall?: ItsmOwnershipContact[];
  escalationPolicy?: {
    name: string;
    url?: string;
    levels: Array<{
      level: number;
      targets: ItsmOwnershipContact[];
      delayMinutes?: number;
    }>;
  };
  owner?: ItsmOwnershipContact;
  supportGroup?: ItsmOwnershipContact;
  criticality?: string;
  asOf: string;
}

/** A disagreement between the catalog and a source about who owns the entity. @public */
export interface ItsmOwnershipDrift {
  /** `owner`, `supportGroup`, `onCallTeam` */
  field: string;
  sourceId: string;
  catalogValue: string;
  sourceValue: string;
  message: string;
}

/** GET /ownership: the ownership card's data. @public */
export interface ItsmOwnership {
  entityRef: string;
  owner: {
    entityRef: string;
    title: string;
    email?: string;
    members: ItsmOwnershipContact[];
  } | null;
  tier: string | null;
  supportHours: string | null;
  escalationContact: string | null;
  sources: ItsmOwnershipSourceFacts[];
  /** Sources that failed to answer, with the reason; the others still count. */
  sourceErrors: Array<{ sourceId: string; error: string }>;
  drift: ItsmOwnershipDrift[];
}
