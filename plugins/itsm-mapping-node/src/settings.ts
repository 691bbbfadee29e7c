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

import type { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import type { ItsmRecordKind } from '@backstage-itsm/plugin-itsm-common';
import { DEFAULT_ITSM_HTTP_RETRY_BUDGET_MS } from '@backstage-itsm/plugin-itsm-node';
import type { ItsmInstantFormat } from './instants';
import type { ItsmCategoryDefinition, ItsmRecordMapping } from './mapper';

/** Most records per batch, unless configured. @public */
export const DEFAULT_ITSM_MAPPED_BATCH_SIZE = 500;
/** How far before the watermark a sync reads again, unless configured. @public */
export const DEFAULT_ITSM_MAPPED_OVERLAP_MS = 5 * 60_000;
/** Per REST request, unless configured. @public */
export const DEFAULT_ITSM_REST_TIMEOUT_MS = 30_000;
/** How long one REST request may keep retrying, unless configured: 5 minutes. @public */
export const DEFAULT_ITSM_REST_RETRY_BUDGET_MS =
  DEFAULT_ITSM_HTTP_RETRY_BUDGET_MS;
/** Items per REST page, unless configured. @public */
export const DEFAULT_ITSM_REST_PAGE_SIZE = 100;

/**
 * What a module using config-driven sources fixes: where its config lives,
 * the provider ids, department and kind of its records, and its categories.
 * @public
 */
export interface ItsmMappedSourceModuleOptions {
  /** The config key holding the sources by id, e.g. `itsm.hr.sources`. */
  configKey: string;
  /** Provider ids are `<prefix>:<id>`, e.g. `hr`. */
  providerIdPrefix: string;
  department: string;
  kind: ItsmRecordKind;
  /** The module's categories by id, with their default entities. */
  categories: Readonly<Record<string, ItsmCategoryDefinition>>;
  /** Start every title with its category's label (`Onboarding: ...`). */
  categoryTitlePrefix?: boolean;
}

/** Where a CSV source reads. @public */
export interface ItsmCsvSourceSettings {
  type: 'csv';
  /** Absolute path of a file or folder. */
  path: string;
  delimiter: string;
  /**
   * The export holds every record of the source (a snapshot): a stored
   * record that a complete read of a changed export no longer finds was
   * deleted at the source. Default false.
   */
  fullExport?: boolean;
}

/** How a REST source pages. @public */
export type ItsmRestPagination =
  | { type: 'none' }
  | {
      type: 'offset';
      pageSize: number;
      limitParam: string;
      offsetParam: string;
    }
  | {
      type: 'page';
      pageSize: number;
      limitParam: string;
      pageParam: string;
      firstPage: number;
    }
  | { type: 'next'; nextPath: string; nextParam?: string };

/** Where and how a REST source reads. @public */
export interface ItsmRestSourceSettings {
  type: 'rest';
  url: string;
  /** Headers that are not secret, sent to any host a request reaches. */
  headers: Record<string, string>;
  /**
   * The auth header, if any: sent only to the origin of `url`, never to a
   * host a redirect leads to.
   */
  credentials?: Record<string, string>;
  query: Record<string, string>;
  itemsPath?: string;
  pagination: ItsmRestPagination;
  updatedSinceParam?: string;
  updatedSinceFormat: ItsmInstantFormat;
  timeoutMs: number;
  /** How long one request may keep retrying 429s, 5xx and network errors. */
  retryBudgetMs: number;
  /** Request starts per second; undefined for no limit. */
  maxRequestsPerSecond?: number;
}

/** One source, read and checked from config. @public */
export interface ItsmMappedSourceSettings {
  /** The key under the module's config key, e.g. `workday`. */
  key: string;
  /** The full config key, e.g. `itsm.hr.sources.workday`, for messages. */
  configKey: string;
  /** The provider id, e.g. `hr:workday`. */
  id: string;
  department: string;
  source: ItsmCsvSourceSettings | ItsmRestSourceSettings;
  mapping: ItsmRecordMapping;
  overlapMs: number;
  batchSize: number;
  schedule?: SchedulerServiceTaskScheduleDefinition;
  /**
   * A hash of everything that decides which records come out (not the
   * credentials or schedule): when it changes, the next sync reads
   * everything again.
   */
  fingerprint: string;
}
