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

import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ItsmSyncReporter } from '@backstage-itsm/plugin-itsm-node';
import type { ItsmSourceItem } from './paths';

/**
 * One entry a source reads: an item, or a reason it could not be read (a
 * CSV row with the wrong number of cells). An error never holds source
 * values, only where it happened.
 * @public
 */
export type ItsmSourceEntry = (
  | { item: ItsmSourceItem; error?: undefined }
  | { item?: undefined; error: string }
) & {
  /**
   * Where to resume to read what follows this entry (JSON). Entries that do
   * not end a page may point back at their page: reading a page again is
   * harmless, skipping one is not.
   */
  position: unknown;
};

/** What a source is asked for. @public */
export interface ItsmSourceReadOptions {
  /** Where the last committed batch ended, or null to start at the beginning. */
  position: unknown;
  /** Only what changed at or after this UTC ISO instant, when the source can filter. */
  since: string | null;
  signal: AbortSignal;
  logger: LoggerService;
  /** Where the run's HTTP requests and retries are counted, when it has one. */
  reporter?: ItsmSyncReporter;
}

/** A CSV export or REST API, read as items. @public */
export interface ItsmItemSource {
  read(options: ItsmSourceReadOptions): AsyncGenerator<ItsmSourceEntry>;
  /**
   * For an export that a read from the start reads whole (CSV files): a
   * fingerprint of it as it is now, which changes when the export does; or
   * undefined when it does not look whole (an empty file, likely one being
   * written). Sources without one are never compared with stored records.
   */
  fingerprint?(): Promise<string | undefined>;
}
