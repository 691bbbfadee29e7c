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
  ItsmMetricsResponse,
  ItsmOwnership,
  ItsmRecord,
  ItsmRecordPage,
  ItsmSyncStatus,
  ItsmImprovement,
  ItsmImprovementCreateRequest,
  ItsmImprovementDetails,
  ItsmImprovementList,
  ItsmImprovementUpdateRequest,
  ItsmAmendReviewRequest,
  ItsmHoldReviewRequest,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';
import type {
  ItsmApi,
  ItsmImprovementsQuery,
  ItsmMetricsQuery,
  ItsmRecordsQuery,
  ItsmReviewQuery,
} from './ItsmApi';

type QueryValue =
  | string
  | number
  | boolean
  | undefined
  | Array<string | number>;

function toSearch(query: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','));
    } else {
      params.set(key, String(value));
    }
  }
  const search = params.toString();
  return search ? `?${search}` : '';
}

/** Talks to `/api/itsm` with the signed-in user's credentials. @public */
export class ItsmClient implements ItsmApi {
  readonly #discoveryApi: DiscoveryApi;
  readonly #fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.#discoveryApi = options.discoveryApi;
    this.#fetchApi = options.fetchApi;
  }

  getRecords(query: ItsmRecordsQuery): Promise<ItsmRecordPage> {
    return this.#request(`/records${toSearch({ ...query })}`);
  }

  getRecord(id: string): Promise<ItsmRecord> {
    return this.#request(`/records/${encodeURIComponent(id)}`);
  }

  getMetrics(query: ItsmMetricsQuery): Promise<ItsmMetricsResponse> {
    return this.#request(`/metrics${toSearch({ ...query })}`);
  }

  getOwnership(entityRef: string): Promise<ItsmOwnership> {
    return this.#request(`/ownership${toSearch({ entityRef })}`);
  }

  getSyncStatus(): Promise<{ items: ItsmSyncStatus[] }> {
    return this.#request('/sync');
  }

  getImprovements(query: ItsmImprovementsQuery): Promise<ItsmImprovementList> {
    return this.#request(`/improvements${toSearch({ ...query })}`);
  }

  getImprovement(id: string): Promise<ItsmImprovementDetails> {
    return this.#request(`/improvements/${encodeURIComponent(id)}`);
  }

  createImprovement(
    request: ItsmImprovementCreateRequest,
  ): Promise<ItsmImprovement> {
    return this.#request('/improvements', { method: 'POST', body: request });
  }

  updateImprovement(
    id: string,
    request: ItsmImprovementUpdateRequest,
  ): Promise<ItsmImprovement> {
    return this.#request(`/improvements/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: request,
    });
  }

  async deleteImprovement(id: string): Promise<void> {
    await this.#fetch(`/improvements/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }

  getReview(query: ItsmReviewQuery): Promise<ItsmServiceReview> {
    return this.#request(`/reviews${toSearch({ ...query })}`);
  }

  async getReviewMarkdown(query: ItsmReviewQuery): Promise<string> {
    const response = await this.#fetch(
      `/reviews${toSearch({ ...query, format: 'markdown' })}`,
    );
    return response.text();
  }

  holdReview(request: ItsmHoldReviewRequest): Promise<ItsmServiceReview> {
    return this.#request('/reviews', { method: 'POST', body: request });
  }

  amendReview(
    heldId: string,
    request: ItsmAmendReviewRequest,
  ): Promise<ItsmServiceReview> {
    return this.#request(`/reviews/held/${encodeURIComponent(heldId)}`, {
      method: 'PATCH',
      body: request,
    });
  }

  async releaseReview(heldId: string): Promise<void> {
    await this.#fetch(`/reviews/held/${encodeURIComponent(heldId)}`, {
      method: 'DELETE',
    });
  }

  async #request<T>(
    path: string,
    init?: { method: string; body?: unknown },
  ): Promise<T> {
    const response = await this.#fetch(path, init);
    return (await response.json()) as T;
  }

  async #fetch(
    path: string,
    init?: { method: string; body?: unknown },
  ): Promise<Response> {
    const baseUrl = await this.#discoveryApi.getBaseUrl('itsm');
    const response = await this.#fetchApi.fetch(
      `${baseUrl}${path}`,
      init && {
        method: init.method,
        ...(init.body !== undefined && {
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(init.body),
        }),
      },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
