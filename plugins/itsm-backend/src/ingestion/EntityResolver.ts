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

import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ItsmEntityMapping,
  itsmOwnerRefOf,
} from '@backstage-itsm/plugin-itsm-common';
import type { ItsmStore, ResolvedEntity } from '../database/ItsmStore';

interface IndexedEntity {
  entityRef: string;
  ownerRef: string | null;
}

/** The `via` of entities a provider named directly. */
export const VIA_PROVIDER = 'provider';

const MAX_ANNOTATION_VALUE_LENGTH = 256;

/**
 * Maps records to catalog entities by the annotations adopters already have
 * (`servicenow.com/ci-sysid`, `pagerduty.com/service-id`, ...; comma-separated
 * values allowed) and by refs a provider names itself. Holds an index of the
 * catalog's annotation values, rebuilt by `refresh()`.
 */
export class EntityResolver {
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;
  readonly #logger: LoggerService;
  /** annotation → value → entities */
  #byAnnotation = new Map<string, Map<string, IndexedEntity[]>>();
  #byRef = new Map<string, IndexedEntity>();
  #refreshedAt = 0;
  #refreshing?: Promise<void>;

  constructor(options: {
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
  }) {
    this.#catalog = options.catalog;
    this.#auth = options.auth;
    this.#logger = options.logger;
  }

  /** Epoch ms of the last completed refresh, 0 before the first. */
  get refreshedAt(): number {
    return this.#refreshedAt;
  }

  /** Rebuilds the index from the catalog. Concurrent calls share one read. */
  async refresh(): Promise<void> {
    if (!this.#refreshing) {
      this.#refreshing = this.#read().finally(() => {
        this.#refreshing = undefined;
      });
    }
    return this.#refreshing;
  }

  /** Refreshes when the index is older than `maxAgeMs`. */
  async ensureFresh(maxAgeMs: number): Promise<void> {
    if (Date.now() - this.#refreshedAt > maxAgeMs) await this.refresh();
  }

  async #read(): Promise<void> {
    const credentials = await this.#auth.getOwnServiceCredentials();
    const byAnnotation = new Map<string, Map<string, IndexedEntity[]>>();
    const byRef = new Map<string, IndexedEntity>();
    let count = 0;
    for await (const page of this.#catalog.streamEntities(
      {
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.annotations',
          'spec.owner',
        ],
      },
      { credentials },
    )) {
      for (const entity of page) {
        count++;
        const indexed: IndexedEntity = {
          entityRef: stringifyEntityRef(entity),
          ownerRef: itsmOwnerRefOf(entity) ?? null,
        };
        byRef.set(indexed.entityRef, indexed);
        for (const [annotation, raw] of Object.entries(
          entity.metadata.annotations ?? {},
        )) {
          if (typeof raw !== 'string') continue;
          for (const value of raw.split(',')) {
            const trimmed = value.trim();
            if (!trimmed || trimmed.length > MAX_ANNOTATION_VALUE_LENGTH) {
              continue;
            }
            let values = byAnnotation.get(annotation);
            if (!values) {
              values = new Map();
              byAnnotation.set(annotation, values);
            }
            const list = values.get(trimmed) ?? [];
            list.push(indexed);
            values.set(trimmed, list);
          }
        }
      }
    }
    this.#byAnnotation = byAnnotation;
    this.#byRef = byRef;
    this.#refreshedAt = Date.now();
    this.#logger.debug(`Indexed ${count} catalog entities for ITSM mapping`);
  }

  /** The entities a record maps to; many-to-many, each entity once. */
  resolve(input: {
    entityRefs: string[];
    mappings: ItsmEntityMapping[];
  }): ResolvedEntity[] {
    const result = new Map<string, ResolvedEntity>();
    for (const ref of input.entityRefs) {
      let entityRef: string;
      try {
        entityRef = stringifyEntityRef(parseEntityRef(ref));
      } catch {
        continue;
      }
      result.set(entityRef, {
        entityRef,
        via: VIA_PROVIDER,
        ownerRef: this.#byRef.get(entityRef)?.ownerRef ?? null,
      });
    }
    for (const { annotation, value } of input.mappings) {
      for (const entity of this.#byAnnotation
        .get(annotation)
        ?.get(value.trim()) ?? []) {
        if (!result.has(entity.entityRef)) {
          result.set(entity.entityRef, { ...entity, via: annotation });
        }
      }
    }
    return [...result.values()];
  }

  /**
   * Re-resolves every stored record against the current catalog, so records
   * that arrived before their entity existed (or after it changed) map right.
   * Returns how many records changed.
   */
  async reresolveAll(store: ItsmStore, pageSize = 1000): Promise<number> {
    await this.refresh();
    let changed = 0;
    let afterRecordId: string | undefined;
    for (;;) {
      const page = await store.listRecordMappings({
        afterRecordId,
        limit: pageSize,
      });
      if (page.length === 0) break;
      const entities = new Map<string, ResolvedEntity[]>();
      for (const row of page) {
        entities.set(row.recordId, this.resolve(row));
      }
      changed += await store.replaceRecordEntities(entities);
      afterRecordId = page[page.length - 1].recordId;
      if (page.length < pageSize) break;
    }
    return changed;
  }
}
