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

import type { ServiceNowClient } from '../client/ServiceNowClient';
import type { ServiceNowTable, ServiceNowTaskTable } from '../client/tables';
import type { ServiceNowTableReader } from './ServiceNowTableReader';

/** What a provider's sync phases know of it: fixed when it is built. */
export interface ServiceNowSyncSettings {
  /** Provider id, `servicenow:<config key>`. */
  id: string;
  client: ServiceNowClient;
  reader: ServiceNowTableReader;
  /** The task tables configured, in sync order. */
  taskTables: ServiceNowTaskTable[];
  /** The extra encoded query of each table. */
  query: Partial<Record<ServiceNowTable, string>>;
  reconcileEveryMs: number;
  reconcilePageSize: number;
  acknowledgedAtField?: string;
  /** The config key of the instance, named in errors. */
  configKey: string;
  now: () => number;
}
