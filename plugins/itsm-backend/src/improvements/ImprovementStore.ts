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

import type {
  ItsmImprovement,
  ItsmImprovementEvent,
  ItsmImprovementEventType,
  ItsmImprovementStatus,
} from '@backstage-itsm/plugin-itsm-common';
import type { ImprovementFilter } from '../permissions/improvementRules';

/**
 * An improvement as stored, before progress and record links are added:
 * the API's item with the ids of its motivating records.
 */
export type StoredImprovement = Omit<
  ItsmImprovement,
  'records' | 'hiddenRecordCount' | 'progress'
> & {
  recordIds: string[];
};

export interface NewImprovementEvent {
  actor: string;
  type: ItsmImprovementEventType;
  changes: ItsmImprovementEvent['changes'];
  comment: string | null;
}

export type ImprovementSort =
  | 'dueDate'
  | 'priority'
  | 'updatedAt'
  | 'createdAt'
  | 'title';

export interface ListImprovementsQuery {
  ids?: string[];
  /** Improvements about any of these entities. */
  entityRefs?: string[];
  /**
   * A team's improvements: those about any of `entityRefs` (what it owns)
   * or owned by any of `ownerRefs` (the team itself).
   */
  ownedBy?: { entityRefs: string[]; ownerRefs: string[] };
  ownerRefs?: string[];
  statuses?: ItsmImprovementStatus[];
  department?: string;
  /** Open items whose due date is before this date (YYYY-MM-DD). */
  dueBefore?: string;
  q?: string;
  sort?: ImprovementSort;
  order?: 'asc' | 'desc';
  limit: number;
  offset?: number;
  /** Permission filter, applied in SQL. */
  filter?: ImprovementFilter;
}

/** Statuses of items still being worked on. */
export const OPEN_STATUSES: ItsmImprovementStatus[] = [
  'proposed',
  'approved',
  'in_progress',
];

/**
 * The continual-improvement register: items, the entities they are about,
 * and their history. Every write and its history events commit together.
 */
export interface ImprovementStore {
  list(
    query: ListImprovementsQuery,
  ): Promise<{ items: StoredImprovement[]; totalCount: number }>;

  /** The item, when it exists and passes `filter`. */
  get(
    id: string,
    filter?: ImprovementFilter,
  ): Promise<StoredImprovement | undefined>;

  create(item: StoredImprovement, event: NewImprovementEvent): Promise<void>;

  /**
   * Replaces an item with `next` and records the events, unless it changed
   * since `expectedUpdatedAt` (then ConflictError: someone else saved first).
   */
  update(
    next: StoredImprovement,
    expectedUpdatedAt: string,
    events: NewImprovementEvent[],
  ): Promise<void>;

  /** Deletes the item with its history; false when there was none. */
  delete(id: string): Promise<boolean>;

  /** The item's history, oldest first. */
  listEvents(id: string): Promise<ItsmImprovementEvent[]>;
}
