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
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Content, EmptyState, Header, Page } from '@backstage/core-components';
import { useApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef, useEntity } from '@backstage/plugin-catalog-react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { ReviewEntityPicker } from './ReviewEntityPicker';
import { ServiceReview } from './ServiceReview';

/** `payments-api` → `component:default/payments-api`; undefined when unreadable. */
function normaliseRef(value: string): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(value.trim(), {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    );
  } catch {
    return undefined;
  }
}

/**
 * The service review as a page of its own: an entity or a team, picked here
 * or from `?entityRef=`, and a period from `?period=`.
 */
export function ServiceReviewPage(props: {
  /** Fixes the entity; without it the page offers a picker and reads `?entityRef=`. */
  entityRef?: string;
}) {
  const [searchParams, setSearchParams] = useSearchParams();
  const entityRef =
    props.entityRef ?? normaliseRef(searchParams.get('entityRef') ?? '') ?? '';
  const catalogApi = useApiHolder().get(catalogApiRef);
  // The catalog entity is optional: it words the review for HR and
  // facilities and names the owner of new actions.
  const { value: entity } = useAsync(async (): Promise<Entity | undefined> => {
    if (!catalogApi || !entityRef) return undefined;
    return catalogApi.getEntityByRef(entityRef).catch(() => undefined);
  }, [catalogApi, entityRef]);

  const pick = (ref: string) =>
    setSearchParams(prev => {
      const params = new URLSearchParams(prev);
      params.set('entityRef', ref);
      return params;
    });

  return (
    <Page themeId="tool">
      <Header
        title="Service review"
        subtitle="The outcomes of a service or a team over a month or a quarter"
      />
      <Content>
        {!props.entityRef && (
          <ReviewEntityPicker
            entityRef={entityRef}
            entity={entity}
            onChange={pick}
          />
        )}
        {entityRef ? (
          <ServiceReview entityRef={entityRef} entity={entity} />
        ) : (
          <EmptyState
            missing="field"
            title="Choose an entity to review"
            description="Pick one of your services or teams in the Entity to review box above, or type part of any name (e.g. paym for Payments API) to search the catalog. The review opens on the last complete quarter."
          />
        )}
      </Content>
    </Page>
  );
}

/** The service review as an entity page tab, for the entity in context. */
export function ServiceReviewContent() {
  const { entity } = useEntity();
  return (
    <ServiceReview entityRef={stringifyEntityRef(entity)} entity={entity} />
  );
}
