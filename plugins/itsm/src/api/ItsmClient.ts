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

import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ItsmAmendReviewRequest,
  ItsmApiPaths,
  ItsmHoldReviewRequest,
  ItsmImprovement,
  ItsmImprovementCreateRequest,
  ItsmImprovementDetails,
  ItsmImprovementList,
  ItsmImprovementUpdateRequest,
  ItsmMetricsResponse,
  ItsmOwnership,
  ItsmRecord,
  ItsmRecordPage,
  ItsmServiceReview,
  ItsmSyncStatus,
} from '@backstage-itsm/plugin-itsm-common';
import createClient, { type Client } from 'openapi-fetch';
import type {
  ItsmApi,
  ItsmImprovementsQuery,
  ItsmMetricsQuery,
  ItsmRecordsQuery,
  ItsmReviewQuery,
} from './ItsmApi';

/**
 * Query parameters as the backend reads them: lists comma-separated, empty
 * lists and undefined values left out.
 */
function serializeQuery(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','));
    } else {
      params.set(key, String(value));
    }
  }
  return params.toString();
}

/**
 * Talks to `/api/itsm` with the signed-in user's credentials, through a
 * client typed by the API's OpenAPI spec. @public
 */
export class ItsmClient implements ItsmApi {
  readonly #discoveryApi: DiscoveryApi;
  readonly #client: Client<ItsmApiPaths>;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.#discoveryApi = options.discoveryApi;
    this.#client = createClient<ItsmApiPaths>({
      // openapi-fetch hands over a Request; the app's fetch middleware
      // rebuilds it with new Request(input, init), which spends a body it is
      // given inside a Request. Pass the URL and a buffered body instead.
      fetch: async request => {
        const body = request.body ? await request.text() : '';
        return options.fetchApi.fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: body || undefined,
          signal: request.signal,
        });
      },
      querySerializer: serializeQuery,
    });
    // Error responses become ResponseErrors, which keep the status and the
    // backend's message for the components.
    this.#client.use({
      async onResponse({ response }) {
        if (!response.ok) {
          throw await ResponseError.fromResponse(response);
        }
        return undefined;
      },
    });
  }

  async getRecords(query: ItsmRecordsQuery): Promise<ItsmRecordPage> {
    const { data } = await this.#client.request('get', '/records', {
      baseUrl: await this.#baseUrl(),
      params: {
        query: {
          ...query,
          entityRef: query.entityRef ? [query.entityRef] : undefined,
          priority: query.priority?.map(String),
        },
      },
    });
    return data as ItsmRecordPage;
  }

  async getRecord(id: string): Promise<ItsmRecord> {
    const { data } = await this.#client.request('get', '/records/{id}', {
      baseUrl: await this.#baseUrl(),
      params: { path: { id } },
    });
    return data as ItsmRecord;
  }

  async getMetrics(query: ItsmMetricsQuery): Promise<ItsmMetricsResponse> {
    const { data } = await this.#client.request('get', '/metrics', {
      baseUrl: await this.#baseUrl(),
      params: { query },
    });
    return data as ItsmMetricsResponse;
  }

  async getOwnership(entityRef: string): Promise<ItsmOwnership> {
    const { data } = await this.#client.request('get', '/ownership', {
      baseUrl: await this.#baseUrl(),
      params: { query: { entityRef } },
    });
    return data as ItsmOwnership;
  }

  async getSyncStatus(): Promise<{ items: ItsmSyncStatus[] }> {
    const { data } = await this.#client.request('get', '/sync', {
      baseUrl: await this.#baseUrl(),
    });
    return data as { items: ItsmSyncStatus[] };
  }

  async getImprovements(
    query: ItsmImprovementsQuery,
  ): Promise<ItsmImprovementList> {
    const { data } = await this.#client.request('get', '/improvements', {
      baseUrl: await this.#baseUrl(),
      params: {
        query: {
          ...query,
          ownerRef: query.ownerRef ? [query.ownerRef] : undefined,
          overdue: query.overdue === undefined ? undefined : `${query.overdue}`,
        },
      },
    });
    return data as ItsmImprovementList;
  }

  async getImprovement(id: string): Promise<ItsmImprovementDetails> {
    const { data } = await this.#client.request('get', '/improvements/{id}', {
      baseUrl: await this.#baseUrl(),
      params: { path: { id } },
    });
    return data as ItsmImprovementDetails;
  }

  async createImprovement(
    request: ItsmImprovementCreateRequest,
  ): Promise<ItsmImprovement> {
    const { data } = await this.#client.request('post', '/improvements', {
      baseUrl: await this.#baseUrl(),
      body: request,
    });
    return data as ItsmImprovement;
  }

  async updateImprovement(
    id: string,
    request: ItsmImprovementUpdateRequest,
  ): Promise<ItsmImprovement> {
    const { data } = await this.#client.request('patch', '/improvements/{id}', {
      baseUrl: await this.#baseUrl(),
      params: { path: { id } },
      body: request,
    });
    return data as ItsmImprovement;
  }

  async deleteImprovement(id: string): Promise<void> {
    await this.#client.request('delete', '/improvements/{id}', {
      baseUrl: await this.#baseUrl(),
      params: { path: { id } },
    });
  }

  async getReview(query: ItsmReviewQuery): Promise<ItsmServiceReview> {
    const { data } = await this.#client.request('get', '/reviews', {
      baseUrl: await this.#baseUrl(),
      params: { query },
    });
    return data as ItsmServiceReview;
  }

  async getReviewMarkdown(query: ItsmReviewQuery): Promise<string> {
    const { data } = await this.#client.request('get', '/reviews', {
      baseUrl: await this.#baseUrl(),
      params: { query: { ...query, format: 'markdown' } },
      parseAs: 'text',
    });
    return data ?? '';
  }

  async holdReview(request: ItsmHoldReviewRequest): Promise<ItsmServiceReview> {
    const { data } = await this.#client.request('post', '/reviews', {
      baseUrl: await this.#baseUrl(),
      body: request,
    });
    return data as ItsmServiceReview;
  }

  async amendReview(
    heldId: string,
    request: ItsmAmendReviewRequest,
  ): Promise<ItsmServiceReview> {
    const { data } = await this.#client.request('patch', '/reviews/held/{id}', {
      baseUrl: await this.#baseUrl(),
      params: { path: { id: heldId } },
      body: request,
    });
    return data as ItsmServiceReview;
  }

  async releaseReview(heldId: string): Promise<void> {
    await this.#client.request('delete', '/reviews/held/{id}', {
      baseUrl: await this.#baseUrl(),
      params: { path: { id: heldId } },
    });
  }

  #baseUrl(): Promise<string> {
    return this.#discoveryApi.getBaseUrl('itsm');
  }
}
