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

import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  type IdentityApi,
  identityApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import {
  type CatalogApi,
  catalogApiRef,
} from '@backstage/plugin-catalog-react';
import { useCallback, useEffect, useState } from 'react';
import { type ItsmApi, itsmApiRef } from '../../api';
import {
  MY_SERVICES_CONCURRENCY,
  MY_SERVICES_KINDS,
  MY_SERVICES_LIMIT,
  type MyServicesResult,
  mapWithConcurrency,
  rowFromError,
  rowFromMetrics,
  sortWorstFirst,
} from './myServicesModel';

/**
 * The signed-in user's owned entities (of MY_SERVICES_KINDS, at most
 * MY_SERVICES_LIMIT, by name) with their health, worst first. Health comes
 * from one `GET /metrics` per entity, MY_SERVICES_CONCURRENCY at a time; a
 * failed one makes that row unknown, not the whole list.
 */
export async function loadMyServices(
  apis: {
    identityApi: Pick<IdentityApi, 'getBackstageIdentity'>;
    catalogApi: Pick<CatalogApi, 'queryEntities'>;
    itsmApi: Pick<ItsmApi, 'getMetrics'>;
  },
  isCancelled: () => boolean = () => false,
): Promise<MyServicesResult> {
  const { identityApi, catalogApi, itsmApi } = apis;
  const { ownershipEntityRefs } = await identityApi.getBackstageIdentity();
  if (ownershipEntityRefs.length === 0) {
    return { ownershipEntityRefs, rows: [], totalItems: 0 };
  }
  const { items, totalItems } = await catalogApi.queryEntities({
    filter: {
      kind: MY_SERVICES_KINDS,
      'relations.ownedBy': ownershipEntityRefs,
    },
    fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title'],
    orderFields: { field: 'metadata.name', order: 'asc' },
    limit: MY_SERVICES_LIMIT,
  });
  const entities = items.slice(0, MY_SERVICES_LIMIT);
  const rows = await mapWithConcurrency(
    entities,
    MY_SERVICES_CONCURRENCY,
    entity =>
      itsmApi.getMetrics({ entityRef: stringifyEntityRef(entity) }).then(
        response => rowFromMetrics(entity, response),
        error => rowFromError(entity, error),
      ),
    isCancelled,
  );
  return {
    ownershipEntityRefs,
    rows: sortWorstFirst(rows.filter(row => row !== undefined)),
    totalItems: Math.max(totalItems, entities.length),
  };
}

/** State of the My services card; `retry` loads again. */
export type MyServicesState =
  | { loading: true; error?: undefined; value?: undefined }
  | { loading: false; error: Error; value?: undefined }
  | { loading: false; error?: undefined; value: MyServicesResult };

/** loadMyServices for the signed-in user; stops fetching when unmounted. */
export function useMyServices(): MyServicesState & { retry: () => void } {
  const identityApi = useApi(identityApiRef);
  const catalogApi = useApi(catalogApiRef);
  const itsmApi = useApi(itsmApiRef);
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<MyServicesState>({ loading: true });

  useEffect(() => {
    let cancelled = false;
    setState({ loading: true });
    loadMyServices({ identityApi, catalogApi, itsmApi }, () => cancelled).then(
      value => {
        if (!cancelled) setState({ loading: false, value });
      },
      error => {
        if (!cancelled) {
          setState({
            loading: false,
            error: error instanceof Error ? error : new Error(String(error)),
          });
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [identityApi, catalogApi, itsmApi, attempt]);

  const retry = useCallback(() => setAttempt(n => n + 1), []);
  return { ...state, retry };
}
