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

import type { ItsmImprovementEvent } from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import { createImprovement } from '../database/operations/improvements/createImprovement';
import { deleteImprovement } from '../database/operations/improvements/deleteImprovement';
import { getImprovement } from '../database/operations/improvements/getImprovement';
import { listImprovementEvents } from '../database/operations/improvements/listImprovementEvents';
import { listImprovements } from '../database/operations/improvements/listImprovements';
import { updateImprovement } from '../database/operations/improvements/updateImprovement';
import type { ImprovementFilter } from '../permissions/improvementRules';
import type {
  ImprovementStore,
  ListImprovementsQuery,
  NewImprovementEvent,
  StoredImprovement,
} from './ImprovementStore';

/**
 * The improvement register on knex (SQLite and PostgreSQL), one operation
 * per method in `database/operations/improvements`. The tables come with
 * the plugin's migrations, run by `DatabaseItsmStore.create`.
 */
export class DatabaseImprovementStore implements ImprovementStore {
  constructor(private readonly db: Knex) {}

  list(
    query: ListImprovementsQuery,
  ): Promise<{ items: StoredImprovement[]; totalCount: number }> {
    return listImprovements(this.db, query);
  }

  get(
    id: string,
    filter?: ImprovementFilter,
  ): Promise<StoredImprovement | undefined> {
    return getImprovement(this.db, { id, filter });
  }

  create(item: StoredImprovement, event: NewImprovementEvent): Promise<void> {
    return createImprovement(this.db, { item, event });
  }

  update(
    next: StoredImprovement,
    expectedUpdatedAt: string,
    events: NewImprovementEvent[],
  ): Promise<void> {
    return updateImprovement(this.db, { next, expectedUpdatedAt, events });
  }

  delete(id: string): Promise<boolean> {
    return deleteImprovement(this.db, { id });
  }

  listEvents(id: string): Promise<ItsmImprovementEvent[]> {
    return listImprovementEvents(this.db, { improvementId: id });
  }
}
