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

import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

/**
 * How a normalised field is read from a source item, in config: a source
 * field name (a CSV column, or a JSON path such as `fields.status` for a
 * REST item), or, for text fields, a template such as
 * `'{Category}: {Subject}'` (any value with a `{`), or an object.
 * @public
 */
export type ItsmFieldMappingConfig =
  | string
  | {
      /** The source field (CSV column or JSON path). */
      from?: string;
      /** A template of source fields, `'{Category}: {Subject}'`; text fields only. */
      template?: string;
      /** A constant, the same for every item. */
      value?: string | number;
      /**
       * Source value to normalised value (`Completed: resolved`). Matched
       * exactly, then ignoring case and surrounding spaces. state, priority,
       * category and SLA stage and breached only.
       */
      values?: { [sourceValue: string]: string | number | boolean };
      /**
       * Instants only: a luxon format (`dd/MM/yyyy HH:mm`,
       * https://moment.github.io/luxon/#/parsing?id=table-of-tokens), or
       * `iso` (ISO 8601, the default), `sql`, `rfc2822`, `http`, `millis`
       * or `seconds` (UNIX time). Defaults to the source's `instantFormat`.
       */
      format?: string;
      /** Instants only: the IANA zone of times without an offset, e.g. `Europe/London`. Defaults to the source's `timeZone`. */
      zone?: string;
    };

/**
 * An SLA a source's own SLA engine reports per item, in config.
 * @public
 */
export interface ItsmSlaMappingConfig {
  /** The SLA's name: a constant or a template, e.g. `'{SLA Policy}'`. Defaults to its id. */
  name?: string;
  /** `response` or `resolution`. */
  kind: 'response' | 'resolution';
  /**
   * The SLA's stage; an item whose stage is empty has no such SLA. Values
   * must map to in_progress, paused, completed, breached or cancelled.
   */
  stage: ItsmFieldMappingConfig;
  /** Whether it breached (yes/no, true/false, 1/0, or a value map). Defaults to stage `breached`. */
  breached?: ItsmFieldMappingConfig;
  /** The target, a number in `unit`. */
  target?: ItsmFieldMappingConfig;
  /** Elapsed time on the SLA's own clock (pauses left out), a number in `unit`. */
  elapsed?: ItsmFieldMappingConfig;
  /** Unit of `target` and `elapsed`: seconds (default), minutes, hours or days. */
  unit?: 'seconds' | 'minutes' | 'hours' | 'days';
  /** When the SLA started. Defaults to the record's `openedAt`. */
  startAt?: ItsmFieldMappingConfig;
  /** When it stopped (met, breached or cancelled). */
  endAt?: ItsmFieldMappingConfig;
  /** When a running SLA will breach. */
  breachAt?: ItsmFieldMappingConfig;
}

/**
 * One config-driven source of ITSM records (`itsm.hr.sources.<id>`,
 * `itsm.facilities.sources.<id>`): a CSV export or a REST API, and how its
 * items map to normalised records. Modules use this type in their
 * `config.d.ts`.
 * @public
 */
export interface ItsmMappedSourceConfig {
  /** Read CSV files. Set exactly one of `csv` and `rest`. */
  csv?: {
    /**
     * A `.csv` file, or a folder whose `.csv` files are read in name order.
     * A relative path resolves against the backend's working directory.
     */
    path: string;
    /** The field delimiter. Defaults to `,`. */
    delimiter?: string;
    /**
     * Whether the export always holds every record of the source (a
     * snapshot), rather than only what changed. When true, a record that a
     * complete read of a changed export no longer finds was deleted at the
     * source: it becomes a tombstone, kept for audit, never shown or
     * counted. A read with a row that cannot be parsed deletes nothing.
     * Defaults to false: records missing from the files are kept.
     */
    fullExport?: boolean;
  };
  /** Read a REST API (GET, JSON). Set exactly one of `csv` and `rest`. */
  rest?: {
    /** The URL of the first page, `https://...`; its query is kept. */
    url: string;
    /** Extra request headers that are not secret, e.g. `Accept`. */
    headers?: { [name: string]: string };
    /**
     * Credentials: sent only to the origin of `url`. A next link to another
     * origin fails the sync; a redirect to another origin is followed
     * without them.
     */
    auth?: {
      /** The header that carries `value`. Defaults to `Authorization`. */
      header?: string;
      /**
       * The header value, e.g. `Bearer ${WORKDAY_TOKEN}`.
       * @visibility secret
       */
      value?: string;
      /** For HTTP basic auth, with `password`, instead of `value`. */
      username?: string;
      /**
       * For HTTP basic auth.
       * @visibility secret
       */
      password?: string;
    };
    /** Extra query parameters sent with every request. */
    query?: { [name: string]: string };
    /**
     * JSON path to the array of items in a response, e.g. `data` or
     * `Report_Entry`. Defaults to the response itself.
     */
    itemsPath?: string;
    /** How to read further pages. Defaults to `{ type: none }` (one request). */
    pagination?: {
      /** `none`, `offset` (limit/offset), `page` (page number) or `next` (a next link or cursor in the response). */
      type: 'none' | 'offset' | 'page' | 'next';
      /** Items per page for offset and page; defaults to 100. */
      pageSize?: number;
      /** Query parameter of the page size; defaults to `limit`. */
      limitParam?: string;
      /** offset: query parameter of the offset; defaults to `offset`. */
      offsetParam?: string;
      /** page: query parameter of the page number; defaults to `page`. */
      pageParam?: string;
      /** page: number of the first page; defaults to 1. */
      firstPage?: number;
      /** next: JSON path in the response to the next page's URL or cursor, e.g. `links.next`. Required for next. */
      nextPath?: string;
      /** next: query parameter that carries the cursor, when the value at `nextPath` is not a URL. */
      nextParam?: string;
    };
    /**
     * Query parameter that carries the watermark (the latest
     * `sourceUpdatedAt` already read, less `overlap`), so the API returns
     * only what changed. Without it every sync reads everything.
     */
    updatedSinceParam?: string;
    /** Format of the watermark parameter: a luxon format or `iso` (default), in `timeZone`. */
    updatedSinceFormat?: string;
    /** Time per attempt of a request before it is abandoned and retried. Defaults to 30 seconds. */
    timeout?:
      | string
      | { minutes?: number; seconds?: number; milliseconds?: number };
    /**
     * How long one request may keep retrying 429s (after their
     * `Retry-After`), 408s, 5xx, timeouts and network errors, waits
     * included, before the sync stops with a retryable error and resumes
     * later from its last committed batch. Replaces `maxAttempts`, which is
     * no longer read (setting it stops the backend with an error naming this
     * key). Defaults to 5 minutes.
     */
    retryBudget?:
      | string
      | {
          hours?: number;
          minutes?: number;
          seconds?: number;
          milliseconds?: number;
        };
    /**
     * Most requests started per second, e.g. `5` or `0.5`, to stay under the
     * API's rate limit rather than survive its 429s. Defaults to no limit.
     */
    maxRequestsPerSecond?: number;
  };
  /** Default format of every instant field; see the field `format`. Defaults to `iso`. */
  instantFormat?: string;
  /** Default IANA zone of instants without an offset. Defaults to `UTC`. */
  timeZone?: string;
  /**
   * Normalised field to source field. Required: externalId, title, state,
   * openedAt. `dueAt` is the promised completion time. Without
   * `sourceUpdatedAt`, the latest of the record's instants stands in.
   */
  mapping: {
    externalId?: ItsmFieldMappingConfig;
    number?: ItsmFieldMappingConfig;
    title?: ItsmFieldMappingConfig;
    state?: ItsmFieldMappingConfig;
    priority?: ItsmFieldMappingConfig;
    category?: ItsmFieldMappingConfig;
    openedAt?: ItsmFieldMappingConfig;
    acknowledgedAt?: ItsmFieldMappingConfig;
    resolvedAt?: ItsmFieldMappingConfig;
    closedAt?: ItsmFieldMappingConfig;
    dueAt?: ItsmFieldMappingConfig;
    assignmentGroup?: ItsmFieldMappingConfig;
    assignee?: ItsmFieldMappingConfig;
    sourceUpdatedAt?: ItsmFieldMappingConfig;
    url?: ItsmFieldMappingConfig;
  };
  /** SLAs the source reports per item, keyed by an id of your choice. */
  slas?: { [id: string]: ItsmSlaMappingConfig };
  /**
   * Source fields (CSV columns or JSON paths) that hold personal data. Their
   * values are replaced by `[redacted]` as each item is read, before it is
   * mapped, stored, logged or put in an error: in the stored payload and in
   * every field or template that uses them.
   */
  personalFields?: string[];
  /**
   * Category to catalog entity, added to (or overriding) the module's
   * defaults, e.g. `onboarding: { entityRef: component:default/employee-onboarding }`.
   */
  categories?: {
    [category: string]: {
      /** The entity records of this category map to. */
      entityRef?: string;
      /** How the category reads in titles, e.g. `Onboarding`. */
      label?: string;
    };
  };
  /** The entity of records whose category is missing or unknown. Without it they map to no entity. */
  defaultEntityRef?: string;
  /**
   * How far before the watermark a sync starts reading, to catch late
   * writes. Defaults to 5 minutes.
   */
  overlap?: string | { minutes?: number; seconds?: number };
  /** Most records per batch. Defaults to 500. */
  batchSize?: number;
  /** When to read. Defaults to the ITSM plugin's provider schedule. */
  schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
}
