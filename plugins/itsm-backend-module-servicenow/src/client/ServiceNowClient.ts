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
  ItsmHttpClient,
  ItsmSourceError,
  isTransientStatus,
} from '@backstage-itsm/plugin-itsm-node';
import type {
  ItsmHttpCallOptions,
  ItsmHttpClientOptions,
  ItsmHttpStats,
} from '@backstage-itsm/plugin-itsm-node';
import { OAuthTokenCache, RawResponse, ServiceNowAuthConfig } from './auth';
import {
  describeErrorBody,
  ServiceNowError,
  tableApiErrorMessage,
} from './errors';
import type { DisplayValueMode, ServiceNowRow } from './values';

/** Options of {@link ServiceNowClient}. @public */
export interface ServiceNowClientOptions {
  /** Who is calling, for messages: the provider id, e.g. `servicenow:corp`. */
  instance: string;
  /** The instance's base URL, e.g. `https://example.service-now.com`. */
  baseUrl: string;
  auth: ServiceNowAuthConfig;
  /** Per attempt, body included. */
  timeoutMs: number;
  /**
   * How long one request may keep retrying 429s, 5xx, timeouts and dropped
   * connections, waits included; then it fails as retryable. Default 5 minutes.
   */
  retryBudgetMs?: number;
  /** Request starts per second, all callers together. Default: no limit. */
  maxRequestsPerSecond?: number;
  /** `sysparm_display_value`; `false` by default. */
  displayValue?: DisplayValueMode;
  /** The config key of the instance, named in errors about credentials. */
  configKey?: string;
  /** For tests and benchmarks: how the HTTP layer waits, its clock, its jitter. */
  http?: Pick<
    ItsmHttpClientOptions,
    'sleep' | 'now' | 'random' | 'backoffBaseMs' | 'backoffMaxMs'
  >;
}

/** Fields of an OAuth token request that hold secrets. */
const OAUTH_SECRET_FIELDS = ['client_secret', 'password', 'refresh_token'];

/** One Table API read. */
export interface TableQuery {
  /** Encoded query (`sysparm_query`). */
  query?: string;
  /** `sysparm_fields`; dot-walked fields allowed. */
  fields: ReadonlyArray<string>;
  limit: number;
  offset?: number;
}

/**
 * A Table API client on the ITSM HTTP layer (`ItsmHttpClient`), which
 * retries 429s, 5xx, timeouts and dropped connections within its budget,
 * honours `Retry-After` and paces requests. On top of it: basic or OAuth
 * auth (one new token and one retry on a 401), the Table API's parameters,
 * and {@link ServiceNowError}s that name the instance and the table.
 * @public
 */
export class ServiceNowClient {
  readonly instance: string;
  readonly baseUrl: string;
  readonly displayValue: DisplayValueMode;
  readonly #auth: ServiceNowAuthConfig;
  readonly #tokens?: OAuthTokenCache;
  readonly #timeoutMs: number;
  readonly #configKey: string;
  readonly #http: ItsmHttpClient;
  /** Token requests: never redirected, as their body carries the secrets. */
  readonly #tokenHttp: ItsmHttpClient;

  constructor(options: ServiceNowClientOptions) {
    this.instance = options.instance;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.displayValue = options.displayValue ?? 'false';
    this.#auth = options.auth;
    this.#timeoutMs = options.timeoutMs;
    this.#configKey = options.configKey ?? 'itsm.providers.servicenow';
    const common: ItsmHttpClientOptions = {
      ...options.http,
      providerId: options.instance,
      baseUrl: this.baseUrl,
      timeoutMs: options.timeoutMs,
      retryBudgetMs: options.retryBudgetMs,
      // ServiceNow's error bodies are the platform's own words and say what
      // to change (the rate limit rule hit, a transaction cancelled for
      // taking too long: a smaller page size). Only the Table API's
      // `{ error: { message, detail } }` is read, never other bodies.
      describeFailure: response => tableApiErrorMessage(response.text),
    };
    this.#http = new ItsmHttpClient({
      ...common,
      maxRequestsPerSecond: options.maxRequestsPerSecond,
    });
    this.#tokenHttp = new ItsmHttpClient({ ...common, maxRedirects: 0 });
    if (options.auth.type === 'oauth') {
      const url = `${this.baseUrl}/oauth_token.do`;
      const what = 'requesting an OAuth token';
      this.#tokens = new OAuthTokenCache({
        config: options.auth,
        instance: this.instance,
        url,
        configKey: this.#configKey,
        endpoint: (form, call) =>
          this.#send(
            this.#tokenHttp,
            {
              url,
              method: 'POST',
              headers: {
                'Content-Type': 'application/x-www-form-urlencoded',
                Accept: 'application/json',
              },
              body: form.toString(),
              // Never repeated in an error, even by an instance that echoes the request.
              secrets: OAUTH_SECRET_FIELDS.flatMap(field => form.getAll(field)),
              what,
            },
            call,
          ),
      });
    }
  }

  /** HTTP requests sent so far (retries and token requests included). */
  get requestCount(): number {
    return this.stats.requests;
  }

  /** Requests, retries and time spent waiting so far (token requests included). */
  get stats(): ItsmHttpStats {
    const a = this.#http.stats;
    const b = this.#tokenHttp.stats;
    return {
      requests: a.requests + b.requests,
      retries: a.retries + b.retries,
      waitMs: a.waitMs + b.waitMs,
    };
  }

  /**
   * Reads rows of a table (`GET /api/now/table/<table>`), with the run's
   * signal and reporter.
   */
  async getRows(
    table: string,
    query: TableQuery,
    call: ItsmHttpCallOptions = {},
  ): Promise<ServiceNowRow[]> {
    const params: Array<[string, string]> = [];
    if (query.query) params.push(['sysparm_query', query.query]);
    params.push(
      ['sysparm_fields', query.fields.join(',')],
      ['sysparm_limit', String(query.limit)],
    );
    if (query.offset) params.push(['sysparm_offset', String(query.offset)]);
    params.push(
      ['sysparm_display_value', this.displayValue],
      ['sysparm_exclude_reference_link', 'true'],
      ['sysparm_no_count', 'true'],
      ['sysparm_suppress_pagination_header', 'true'],
    );
    const url = `${this.baseUrl}/api/now/table/${encodeURIComponent(
      table,
    )}?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;

    const where = `reading table ${table}`;
    const response = await this.#authorised(url, table, where, call);
    this.#throwUnlessOk(response, table, where);
    let body: unknown;
    try {
      body = JSON.parse(response.text);
    } catch (error) {
      throw new ServiceNowError({
        instance: this.instance,
        table,
        status: response.status,
        retryable: false,
        cause: error,
        message: `ServiceNow instance ${
          this.instance
        } answered with a body that is not JSON when ${where} (content-type ${
          response.headers.get('content-type') ?? 'none'
        }; a hibernating developer instance answers with a login page): ${describeErrorBody(
          response.text,
        )}`,
      });
    }
    const result = (body as { result?: unknown })?.result;
    if (
      !Array.isArray(result) ||
      result.some(r => r === null || typeof r !== 'object' || Array.isArray(r))
    ) {
      throw new ServiceNowError({
        instance: this.instance,
        table,
        status: response.status,
        retryable: false,
        message: `ServiceNow instance ${
          this.instance
        } answered without a result list when ${where}: ${describeErrorBody(
          response.text,
        )}`,
      });
    }
    return result as ServiceNowRow[];
  }

  async #authorised(
    url: string,
    table: string,
    where: string,
    call: ItsmHttpCallOptions,
  ): Promise<RawResponse> {
    for (let attempt = 0; ; attempt++) {
      let token: string | undefined;
      let authorization: string;
      if (this.#auth.type === 'basic') {
        authorization = `Basic ${Buffer.from(
          `${this.#auth.username}:${this.#auth.password}`,
        ).toString('base64')}`;
      } else {
        token = await this.#tokens!.get(call);
        authorization = `Bearer ${token}`;
      }
      const response = await this.#send(
        this.#http,
        {
          url,
          headers: { Accept: 'application/json' },
          credentials: { Authorization: authorization },
          what: where,
          table,
        },
        call,
      );
      if (response.status === 401 && token !== undefined && attempt === 0) {
        // Revoked or expired early: one new token, one more try.
        this.#tokens!.invalidate(token);
        continue;
      }
      return response;
    }
  }

  /** Throws for a final answer that is not a success (the HTTP layer retried the rest). */
  #throwUnlessOk(response: RawResponse, table: string, where: string): void {
    const { status } = response;
    if (status >= 200 && status < 300) {
      return;
    }
    const detail = `${status} ${response.statusText} ${describeErrorBody(
      response.text,
    )}`.trim();
    if (status === 401 || status === 403) {
      throw new ServiceNowError({
        instance: this.instance,
        table,
        status,
        retryable: false,
        message: `ServiceNow instance ${this.instance} (${
          this.baseUrl
        }) refused access when ${where}: ${detail}. Check the credentials at ${
          this.#configKey
        }.auth and that the integration user may read ${table} (see the module's README for the roles)`,
      });
    }
    throw new ServiceNowError({
      instance: this.instance,
      table,
      status,
      retryable: isTransientStatus(status),
      message: `ServiceNow instance ${this.instance} failed when ${where}: ${detail}`,
    });
  }

  /**
   * One request through the HTTP layer: its final answer, or a
   * {@link ServiceNowError} when it gave up (budget spent, a refused
   * redirect). The run's abort passes as is.
   */
  async #send(
    http: ItsmHttpClient,
    request: {
      url: string;
      method?: string;
      headers: Record<string, string>;
      credentials?: Record<string, string>;
      body?: string;
      secrets?: string[];
      what: string;
      table?: string;
    },
    call: ItsmHttpCallOptions,
  ): Promise<RawResponse> {
    const { table, ...rest } = request;
    try {
      return await http.request(rest, call);
    } catch (error) {
      if (!(error instanceof ItsmSourceError)) {
        throw error;
      }
      throw this.#gaveUp(error, request.what, table, error.detail);
    }
  }

  #gaveUp(
    error: ItsmSourceError,
    what: string,
    table: string | undefined,
    platformMessage: string | undefined,
  ): ServiceNowError {
    const { status, retryAfterMs } = error;
    const said = platformMessage ? `: ${platformMessage}` : '';
    let message: string;
    if (status === 429) {
      message = `ServiceNow instance ${
        this.instance
      } rate-limited the integration when ${what}${
        retryAfterMs !== undefined
          ? ` (retry after ${Math.ceil(retryAfterMs / 1000)} s)`
          : ''
      }${said}`;
    } else if (status !== undefined) {
      message = `ServiceNow instance ${this.instance} failed when ${what}: ${status}${said}`;
    } else if (error.timedOut) {
      message = `ServiceNow instance ${
        this.instance
      } did not answer ${what} within ${this.#timeoutMs / 1000} s`;
    } else {
      message = `Could not reach ServiceNow instance ${this.instance} at ${this.baseUrl} for ${what}`;
    }
    return new ServiceNowError({
      instance: this.instance,
      table,
      status,
      retryable: error.retryable,
      retryAfterMs,
      cause: error,
      message,
    });
  }
}
