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
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import TextField from '@mui/material/TextField';
import { FormEvent, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
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

function EntityPicker(props: {
  entityRef: string;
  onChange: (entityRef: string) => void;
}) {
  const [draft, setDraft] = useState(props.entityRef);
  const [invalid, setInvalid] = useState(false);
  useEffect(() => setDraft(props.entityRef), [props.entityRef]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const ref = normaliseRef(draft);
    setInvalid(!ref);
    if (ref) props.onChange(ref);
  };
  return (
    <Box
      component="form"
      onSubmit={submit}
      className="itsm-review-no-print"
      sx={{ display: 'flex', gap: 1, alignItems: 'flex-start', mb: 3 }}
    >
      <TextField
        size="small"
        label="Entity"
        value={draft}
        onChange={e => setDraft(e.target.value)}
        placeholder="component:default/payments-api or group:default/payments"
        error={invalid}
        helperText={
          invalid
            ? 'Not an entity reference: kind:namespace/name'
            : 'A component, system or group'
        }
        sx={{ minWidth: 420 }}
      />
      <Button type="submit" variant="contained">
        Open review
      </Button>
    </Box>
  );
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
          <EntityPicker entityRef={entityRef} onChange={pick} />
        )}
        {entityRef ? (
          <ServiceReview entityRef={entityRef} entity={entity} />
        ) : (
          <EmptyState
            missing="field"
            title="Choose an entity to review"
            description="Enter the reference of a component, system or group, e.g. component:default/payments-api, to see its review for the last complete quarter."
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
