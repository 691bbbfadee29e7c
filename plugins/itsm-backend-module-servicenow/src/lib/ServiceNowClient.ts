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

import { OAuthTokenCache, RawResponse, ServiceNowAuthConfig } from './auth';
import { describeErrorBody, parseRetryAfter, ServiceNowError } from './errors';
import type { DisplayValueMode, ServiceNowRow } from './values';

/** Options of {@link ServiceNowClient}. @public */
export interface ServiceNowClientOptions {
  /** Who is calling, for messages: the provider id, e.g. `servicenow:corp`. */
  instance: string;
  /** The instance's base URL, e.g. `https://example.service-now.com`. */
  baseUrl: string;
  auth: ServiceNowAuthConfig;
  /** Per request, body included. */
  timeoutMs: number;
  /** `sysparm_display_value`; `false` by default. */
  displayValue?: DisplayValueMode;
  /** The config key of the instance, named in errors about credentials. */
  configKey?: string;
}

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
 * A small Table API client on native fetch: basic or OAuth auth (one new
 * token and one retry on a 401), a timeout per request joined to the run's
 * signal, and {@link ServiceNowError}s that tell the engine what to retry.
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
  #requests = 0;

  constructor(options: ServiceNowClientOptions) {
    this.instance = options.instance;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.displayValue = options.displayValue ?? 'false';
    this.#auth = options.auth;
    this.#timeoutMs = options.timeoutMs;
    this.#configKey = options.configKey ?? 'itsm.providers.servicenow';
    if (options.auth.type === 'oauth') {
      const url = `${this.baseUrl}/oauth_token.do`;
      this.#tokens = new OAuthTokenCache({
        config: options.auth,
        instance: this.instance,
        url,
        configKey: this.#configKey,
        endpoint: (form, signal) =>
          this.#send(
            url,
            {
              method: 'POST',
              headers: {
                'Content-Type': 'application/x-www-form-urlencoded',
                Accept: 'application/json',
              },
              body: form.toString(),
            },
            { what: 'the OAuth token request', signal },
          ),
      });
    }
  }

  /** HTTP requests sent so far (token requests included). */
  get requestCount(): number {
    return this.#requests;
  }

  /** Reads rows of a table (`GET /api/now/table/<table>`). */
  async getRows(
    table: string,
    query: TableQuery,
    signal?: AbortSignal,
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

    const response = await this.#authorised(url, table, signal);
    const where = `reading table ${table}`;
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
    signal?: AbortSignal,
  ): Promise<RawResponse> {
    for (let attempt = 0; ; attempt++) {
      let token: string | undefined;
      let authorization: string;
      if (this.#auth.type === 'basic') {
        authorization = `Basic ${Buffer.from(
          `${this.#auth.username}:${this.#auth.password}`,
        ).toString('base64')}`;
      } else {
        token = await this.#tokens!.get(signal ?? new AbortController().signal);
        authorization = `Bearer ${token}`;
      }
      const response = await this.#send(
        url,
        {
          method: 'GET',
          headers: { Accept: 'application/json', Authorization: authorization },
        },
        { what: `reading table ${table}`, table, signal },
      );
      if (response.status === 401 && token !== undefined && attempt === 0) {
        // Revoked or expired early: one new token, one more try.
        this.#tokens!.invalidate(token);
        continue;
      }
      return response;
    }
  }

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
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(response.headers);
      throw new ServiceNowError({
        instance: this.instance,
        table,
        status,
        retryable: true,
        retryAfterMs,
        message: `ServiceNow instance ${
          this.instance
        } rate-limited the integration when ${where}${
          retryAfterMs !== undefined
            ? ` (retry after ${Math.ceil(retryAfterMs / 1000)} s)`
            : ''
        }: ${detail}`,
      });
    }
    throw new ServiceNowError({
      instance: this.instance,
      table,
      status,
      retryable: status >= 500,
      message: `ServiceNow instance ${this.instance} failed when ${where}: ${detail}`,
    });
  }

  async #send(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string },
    context: { what: string; table?: string; signal?: AbortSignal },
  ): Promise<RawResponse> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = context.signal
      ? AbortSignal.any([context.signal, timeout])
      : timeout;
    this.#requests++;
    try {
      const response = await fetch(url, { ...init, signal });
      const text = await response.text();
      return {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        text,
      };
    } catch (error) {
      if (context.signal?.aborted) {
        throw context.signal.reason ?? error;
      }
      if (timeout.aborted) {
        throw new ServiceNowError({
          instance: this.instance,
          table: context.table,
          retryable: true,
          message: `ServiceNow instance ${this.instance} did not answer ${
            context.what
          } within ${this.#timeoutMs / 1000} s`,
        });
      }
      throw new ServiceNowError({
        instance: this.instance,
        table: context.table,
        retryable: true,
        cause: error,
        message: `Could not reach ServiceNow instance ${this.instance} at ${this.baseUrl} for ${context.what}`,
      });
    }
  }
}
