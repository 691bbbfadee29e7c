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

import {
  describeUrl,
  ItsmHttpCallOptions,
  ItsmHttpClient,
  ItsmHttpClientOptions,
  ItsmSourceError,
  noopItsmSyncReporter,
} from '@backstage-itsm/plugin-itsm-node';
import type { ItsmRestSourceSettings } from './settings';
import { formatItsmInstant } from './instants';
import { getSourceValue, sourceText } from './paths';
import type {
  ItsmItemSource,
  ItsmSourceEntry,
  ItsmSourceReadOptions,
} from './sources';

/** Where a REST read stands: the page to read next. */
type RestPosition =
  | { offset: number }
  | { page: number }
  | { next: string }
  | { done: true };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Pages a source reads at most in one run, a guard against a loop. */
const MAX_PAGES = 100_000;

/**
 * Reads a JSON REST API page by page: offset (limit/offset), page numbers,
 * or a next link or cursor found in each response; the items are the array
 * at `itemsPath`. The watermark goes in `updatedSinceParam` when set.
 *
 * Requests go through the one HTTP layer of the ITSM sources
 * ({@link ItsmHttpClient}): a timeout per attempt, retries of 429s, 5xx and
 * network errors within a retry budget, a request rate, and the auth header
 * sent only to the origin of the configured URL (a next link elsewhere is
 * refused; a redirect elsewhere is followed without it).
 * @public
 */
export class ItsmRestSource implements ItsmItemSource {
  readonly #providerId: string;
  readonly #settings: ItsmRestSourceSettings;
  readonly #configKey: string;
  readonly #http: ItsmHttpClient;

  constructor(options: {
    providerId: string;
    /** The source's config key, named in errors about the response shape. */
    configKey: string;
    settings: ItsmRestSourceSettings;
    /**
     * Options of its HTTP client besides those the settings give: `fetch`,
     * `sleep`, `now`, `random`, backoff. Mostly for tests.
     */
    http?: Partial<Omit<ItsmHttpClientOptions, 'providerId' | 'baseUrl'>>;
  }) {
    const { settings } = options;
    this.#providerId = options.providerId;
    this.#settings = settings;
    this.#configKey = options.configKey;
    this.#http = new ItsmHttpClient({
      providerId: options.providerId,
      baseUrl: settings.url,
      timeoutMs: settings.timeoutMs,
      retryBudgetMs: settings.retryBudgetMs,
      maxRequestsPerSecond: settings.maxRequestsPerSecond,
      ...options.http,
    });
  }

  async *read({
    position,
    since,
    signal,
    logger,
    reporter = noopItsmSyncReporter,
  }: ItsmSourceReadOptions): AsyncGenerator<ItsmSourceEntry> {
    const s = this.#settings;
    const call: ItsmHttpCallOptions = {
      signal,
      reporter: {
        request: () => reporter.request(),
        retry: event => {
          logger.debug(
            `${event.message}; retrying in ${Math.ceil(event.waitMs / 1000)} s`,
          );
          reporter.retry(event);
        },
        partFailed: (part, error) => reporter.partFailed(part, error),
      },
    };
    const p = s.pagination;
    const first = new URL(s.url);
    for (const [name, value] of Object.entries(s.query)) {
      first.searchParams.set(name, value);
    }
    if (s.updatedSinceParam && since) {
      first.searchParams.set(
        s.updatedSinceParam,
        formatItsmInstant(since, s.updatedSinceFormat),
      );
    }

    let current: RestPosition = this.#start(position);
    const seen = new Set<string>();
    for (let pages = 0; !('done' in current); pages++) {
      signal.throwIfAborted();
      if (pages >= MAX_PAGES) {
        throw new ItsmSourceError({
          retryable: false,
          message: `ITSM source ${
            this.#providerId
          }: stopped after ${MAX_PAGES} pages of ${describeUrl(first)}; check ${
            this.#configKey
          }.pagination`,
        });
      }
      const url = this.#urlOf(first, current);
      const body = await this.#http.getJson(
        { url, headers: s.headers, credentials: s.credentials },
        call,
      );
      const items = s.itemsPath ? getSourceValue(body, s.itemsPath) : body;
      if (!Array.isArray(items)) {
        throw new ItsmSourceError({
          retryable: false,
          message: `ITSM source ${
            this.#providerId
          }: the response of ${describeUrl(url)} has no array ${
            s.itemsPath ? `at '${s.itemsPath}'` : 'at its top'
          }; check ${this.#configKey}.itemsPath`,
        });
      }

      let next: RestPosition;
      if (p.type === 'offset' && 'offset' in current) {
        next =
          items.length < p.pageSize
            ? { done: true }
            : { offset: current.offset + items.length };
      } else if (p.type === 'page' && 'page' in current) {
        next =
          items.length < p.pageSize || items.length === 0
            ? { done: true }
            : { page: current.page + 1 };
      } else if (p.type === 'next') {
        const value = sourceText(getSourceValue(body, p.nextPath));
        if (value === undefined || items.length === 0) {
          next = { done: true };
        } else if (seen.has(value)) {
          throw new ItsmSourceError({
            retryable: false,
            message: `ITSM source ${this.#providerId}: the response at '${
              p.nextPath
            }' points back at a page already read; check ${
              this.#configKey
            }.pagination`,
          });
        } else {
          seen.add(value);
          next = { next: value };
        }
      } else {
        next = { done: true };
      }

      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        const at = i === items.length - 1 ? next : current;
        yield isObject(item)
          ? { item, position: at }
          : {
              error: `item ${i + 1} of the page of ${describeUrl(
                url,
              )} is not an object`,
              position: at,
            };
      }
      current = next;
    }
  }

  #start(position: unknown): RestPosition {
    const p = this.#settings.pagination;
    const saved = isObject(position) ? position : undefined;
    if (saved?.done === true) return { done: true };
    switch (p.type) {
      case 'offset':
        return typeof saved?.offset === 'number' && saved.offset >= 0
          ? { offset: saved.offset }
          : { offset: 0 };
      case 'page':
        return typeof saved?.page === 'number'
          ? { page: saved.page }
          : { page: p.firstPage };
      case 'next':
        return typeof saved?.next === 'string'
          ? { next: saved.next }
          : { next: '' };
      default:
        return { next: '' };
    }
  }

  #urlOf(first: URL, position: RestPosition): URL {
    const p = this.#settings.pagination;
    const url = new URL(first);
    if (p.type === 'offset' && 'offset' in position) {
      url.searchParams.set(p.limitParam, String(p.pageSize));
      url.searchParams.set(p.offsetParam, String(position.offset));
    } else if (p.type === 'page' && 'page' in position) {
      url.searchParams.set(p.limitParam, String(p.pageSize));
      url.searchParams.set(p.pageParam, String(position.page));
    } else if (p.type === 'next' && 'next' in position && position.next) {
      const value = position.next;
      if (/^https?:\/\//i.test(value) || value.startsWith('/')) {
        return new URL(value, first);
      }
      if (!p.nextParam) {
        throw new ItsmSourceError({
          retryable: false,
          message: `ITSM source ${this.#providerId}: the value at '${
            p.nextPath
          }' is not a URL; set ${
            this.#configKey
          }.pagination.nextParam to send it as a cursor`,
        });
      }
      url.searchParams.set(p.nextParam, value);
    }
    return url;
  }
}
