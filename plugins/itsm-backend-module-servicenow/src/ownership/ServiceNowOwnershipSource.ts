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
import { InputError } from '@backstage/errors';
import { ANNOTATION_SERVICENOW_CI_SYSID } from '@backstage-itsm/plugin-itsm-common';
import type {
  ItsmContact,
  ItsmOwnershipFacts,
  ItsmOwnershipSource,
} from '@backstage-itsm/plugin-itsm-node';
import { recordUrl } from '../provider/normalise';
import type { ServiceNowClient } from '../client/ServiceNowClient';
import { readField, readText, ServiceNowRow } from '../client/values';

/** Most CIs whose facts are cached at once. */
const MAX_CACHED = 1000;

const CI_FIELDS = [
  'sys_id',
  'name',
  'sys_class_name',
  'owned_by',
  'owned_by.name',
  'owned_by.email',
  'managed_by',
  'managed_by.name',
  'managed_by.email',
  'support_group',
  'support_group.name',
  'support_group.email',
];

/**
 * Where the facts are read: a service (business, technical or application
 * service, with its criticality) first, any configuration item otherwise.
 * `busines_criticality` is the platform's own spelling.
 */
const CI_TABLES: Array<{ table: string; fields: string[] }> = [
  { table: 'cmdb_ci_service', fields: [...CI_FIELDS, 'busines_criticality'] },
  { table: 'cmdb_ci', fields: CI_FIELDS },
];

/** Options of {@link ServiceNowOwnershipSource}. @public */
export interface ServiceNowOwnershipSourceOptions {
  /** Source id, the provider id: `servicenow:<config key>`. */
  id: string;
  client: ServiceNowClient;
  /** How long the facts of a CI are reused; defaults to 300 s. 0 disables the cache. */
  cacheSeconds?: number;
  /** The clock; for tests. */
  now?: () => number;
}

/**
 * Serves the CMDB's owner, support group and criticality of an entity's
 * configuration item (the first sys_id of its `servicenow.com/ci-sysid`
 * annotation), read live from `cmdb_ci_service` or `cmdb_ci` and cached
 * briefly. Concurrent requests for one CI share one read; failures are not
 * cached.
 * @public
 */
export class ServiceNowOwnershipSource implements ItsmOwnershipSource {
  readonly id: string;
  readonly #client: ServiceNowClient;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<
    string,
    { at: number; facts: Promise<ItsmOwnershipFacts | undefined> }
  >();

  constructor(options: ServiceNowOwnershipSourceOptions) {
    this.id = options.id;
    this.#client = options.client;
    this.#ttlMs = (options.cacheSeconds ?? 300) * 1000;
    this.#now = options.now ?? Date.now;
  }

  async getOwnershipFacts(options: {
    entity: Entity;
    signal?: AbortSignal;
  }): Promise<ItsmOwnershipFacts | undefined> {
    const annotation =
      options.entity.metadata.annotations?.[ANNOTATION_SERVICENOW_CI_SYSID];
    const sysId = annotation
      ?.split(',')
      .map(s => s.trim())
      .find(s => s !== '');
    if (!sysId) {
      return undefined;
    }
    if (!/^[A-Za-z0-9_]+$/.test(sysId)) {
      throw new InputError(
        `Annotation ${ANNOTATION_SERVICENOW_CI_SYSID} of ${options.entity.metadata.name} holds '${sysId}', which is not a sys_id`,
      );
    }

    const now = this.#now();
    const cached = this.#cache.get(sysId);
    if (cached && now - cached.at < this.#ttlMs) {
      return cached.facts;
    }
    const facts = this.#read(sysId, options.signal);
    if (this.#ttlMs > 0) {
      this.#cache.delete(sysId);
      this.#cache.set(sysId, { at: now, facts });
      if (this.#cache.size > MAX_CACHED) {
        this.#cache.delete(this.#cache.keys().next().value!);
      }
      // A failure is not kept: the next request tries again.
      facts.catch(() => {
        if (this.#cache.get(sysId)?.facts === facts) {
          this.#cache.delete(sysId);
        }
      });
    }
    return facts;
  }

  async #read(
    sysId: string,
    signal?: AbortSignal,
  ): Promise<ItsmOwnershipFacts | undefined> {
    for (const { table, fields } of CI_TABLES) {
      const [row] = await this.#client.getRows(
        table,
        { query: `sys_id=${sysId}`, fields, limit: 1 },
        { signal },
      );
      if (row) {
        return this.#facts(table, sysId, row);
      }
    }
    return undefined;
  }

  #facts(table: string, sysId: string, row: ServiceNowRow): ItsmOwnershipFacts {
    const mode = this.#client.displayValue;
    const baseUrl = this.#client.baseUrl;
    const contact = (
      field: string,
      targetTable: string,
    ): ItsmContact | undefined => {
      const ref = readField(row, field, mode);
      const name =
        ref.display ?? readText(row, `${field}.name`, mode) ?? ref.value;
      if (!name) return undefined;
      const email = readText(row, `${field}.email`, mode);
      return {
        name,
        ...(email ? { email } : {}),
        ...(ref.value
          ? { url: recordUrl(baseUrl, targetTable, ref.value) }
          : {}),
      };
    };
    const criticality = readField(row, 'busines_criticality', mode);
    const className = readText(row, 'sys_class_name', mode);
    const facts: ItsmOwnershipFacts = {
      sourceId: this.id,
      sourceName: 'ServiceNow',
      url: recordUrl(
        baseUrl,
        className && /^[a-z0-9_]+$/.test(className) ? className : table,
        sysId,
      ),
      asOf: new Date(this.#now()).toISOString(),
    };
    const owner =
      contact('owned_by', 'sys_user') ?? contact('managed_by', 'sys_user');
    if (owner) facts.owner = owner;
    const supportGroup = contact('support_group', 'sys_user_group');
    if (supportGroup) facts.supportGroup = supportGroup;
    const level = criticality.display ?? criticality.value;
    if (level) facts.criticality = level;
    return facts;
  }
}
