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

import { isTransientStatus } from '@backstage-itsm/plugin-itsm-node';
import type { ItsmHttpCallOptions } from '@backstage-itsm/plugin-itsm-node';
import { ServiceNowError } from './errors';

/** `auth` of an instance: basic, or OAuth (client credentials or password grant). @public */
export type ServiceNowAuthConfig =
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'oauth';
      clientId: string;
      clientSecret: string;
      /** With username and password the password grant is used, else client credentials. */
      username?: string;
      password?: string;
    };

/** An HTTP answer, body read. */
export interface RawResponse {
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
}

/**
 * Posts a form to `<baseUrl>/oauth_token.do` and returns the final answer
 * (the HTTP layer has retried what was transient).
 */
export type TokenEndpoint = (
  form: URLSearchParams,
  call: ItsmHttpCallOptions,
) => Promise<RawResponse>;

/**
 * What a token endpoint's answer says, for an error message, without a
 * word of its values: a token answer may hold a refresh token or an access
 * token under another name, and a refusal may echo the request's form. Only
 * RFC 6749's `error` code is quoted (when it is a short code); otherwise the
 * names of the fields present.
 */
export function describeTokenAnswer(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text.trim() === ''
      ? 'the body was empty'
      : `the body was not JSON (${text.length} characters)`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'the body was not a JSON object';
  }
  const names = Object.keys(body).map(name =>
    /^[A-Za-z0-9_.-]{1,40}$/.test(name) ? name : '(a field)',
  );
  const error = (body as { error?: unknown }).error;
  const code =
    typeof error === 'string' && /^[a-z_]{1,40}$/.test(error)
      ? `error ${error}; `
      : '';
  return `${code}fields present: ${
    names.length > 0 ? names.slice(0, 20).join(', ') : 'none'
  }`;
}

/** Default access token lifetime when the instance does not say (its own default). */
const DEFAULT_EXPIRES_IN_SECONDS = 1800;

interface AccessToken {
  value: string;
  /** When to stop using it: a little before it expires. */
  renewAt: number;
}

/**
 * Fetches and caches OAuth access tokens of one instance. A token is reused
 * until shortly before `expires_in` (a tenth of its lifetime, at most a
 * minute, early); then the refresh token is used when the instance gave one,
 * and the configured grant when it did not or the refresh is refused.
 * Concurrent callers share one token request.
 */
export class OAuthTokenCache {
  readonly #config: Extract<ServiceNowAuthConfig, { type: 'oauth' }>;
  readonly #endpoint: TokenEndpoint;
  readonly #describe: { instance: string; url: string; configKey: string };
  readonly #now: () => number;
  #token?: AccessToken;
  #refreshToken?: string;
  #pending?: Promise<string>;

  constructor(options: {
    config: Extract<ServiceNowAuthConfig, { type: 'oauth' }>;
    endpoint: TokenEndpoint;
    instance: string;
    url: string;
    configKey: string;
    now?: () => number;
  }) {
    this.#config = options.config;
    this.#endpoint = options.endpoint;
    this.#describe = {
      instance: options.instance,
      url: options.url,
      configKey: options.configKey,
    };
    this.#now = options.now ?? Date.now;
  }

  /** A valid access token, fetched when none is cached or it is about to expire. */
  async get(call: ItsmHttpCallOptions = {}): Promise<string> {
    if (this.#token && this.#now() < this.#token.renewAt) {
      return this.#token.value;
    }
    if (!this.#pending) {
      this.#pending = this.#fetch(call).finally(() => {
        this.#pending = undefined;
      });
    }
    return this.#pending;
  }

  /** Forgets a token the instance refused (401), so the next call fetches a new one. */
  invalidate(token: string): void {
    if (this.#token?.value === token) {
      this.#token = undefined;
    }
  }

  async #fetch(call: ItsmHttpCallOptions): Promise<string> {
    if (this.#refreshToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: this.#config.clientId,
        client_secret: this.#config.clientSecret,
        refresh_token: this.#refreshToken,
      });
      const response = await this.#endpoint(form, call);
      if (response.status === 400 || response.status === 401) {
        // Expired or revoked: start over with the configured grant.
        this.#refreshToken = undefined;
      } else {
        return this.#accept(response, 'refresh_token');
      }
    }
    const { username, password } = this.#config;
    const grant = username && password ? 'password' : 'client_credentials';
    const form = new URLSearchParams({
      grant_type: grant,
      client_id: this.#config.clientId,
      client_secret: this.#config.clientSecret,
    });
    if (grant === 'password') {
      form.set('username', username!);
      form.set('password', password!);
    }
    return this.#accept(await this.#endpoint(form, call), grant);
  }

  #accept(response: RawResponse, grant: string): string {
    const { instance, url, configKey } = this.#describe;
    if (response.status < 200 || response.status >= 300) {
      const transient = isTransientStatus(response.status);
      throw new ServiceNowError({
        instance,
        status: response.status,
        retryable: transient,
        message:
          `ServiceNow instance ${instance} refused the OAuth token request (${grant} grant) at ${url}: ${
            response.status
          } ${response.statusText} (${describeTokenAnswer(response.text)})${
            transient
              ? ''
              : `. Check the client id, secret and grant at ${configKey}.auth`
          }`.trim(),
      });
    }
    let body: {
      access_token?: unknown;
      refresh_token?: unknown;
      expires_in?: unknown;
    };
    try {
      body = JSON.parse(response.text);
    } catch {
      body = {};
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new ServiceNowError({
        instance,
        retryable: false,
        message: `ServiceNow instance ${instance} answered the OAuth token request (${grant} grant) at ${url} without an access_token (${describeTokenAnswer(
          response.text,
        )})`,
      });
    }
    const expiresIn =
      Number(body.expires_in) > 0
        ? Number(body.expires_in)
        : DEFAULT_EXPIRES_IN_SECONDS;
    const earlyMs = Math.min(60_000, (expiresIn * 1000) / 10);
    this.#token = {
      value: body.access_token,
      renewAt: this.#now() + expiresIn * 1000 - earlyMs,
    };
    if (typeof body.refresh_token === 'string' && body.refresh_token !== '') {
      this.#refreshToken = body.refresh_token;
    }
    return body.access_token;
  }
}
