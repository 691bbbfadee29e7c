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
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Autocomplete from '@mui/material/Autocomplete';
import Box from '@mui/material/Box';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useDebounced } from '../common';

/** The kinds a review rolls up (DESIGN.md section 8), as catalog filters. */
export const REVIEWABLE_KINDS = [
  'component',
  'system',
  'domain',
  'group',
  'resource',
];

/** Most options a search or the default list shows. */
export const PICKER_LIMIT = 20;

/** How long typing must pause before the catalog is searched. */
const SEARCH_DEBOUNCE_MS = 250;

const FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'spec.profile.displayName',
];

/** The catalog fields a search matches the typed text in. */
const SEARCH_FIELDS = [
  'metadata.name',
  'metadata.title',
  'spec.profile.displayName',
];

/** One choice of the picker. */
export interface ReviewEntityOption {
  ref: string;
  title: string;
  kind: string;
  /** Where it came from: the user's own, or a search. */
  group?: string;
}

function toOption(entity: Entity, group?: string): ReviewEntityOption {
  const profile = entity.spec?.profile as { displayName?: string } | undefined;
  return {
    ref: stringifyEntityRef(entity),
    title:
      entity.metadata.title ?? profile?.displayName ?? entity.metadata.name,
    kind: entity.kind,
    group,
  };
}

/** An option for a ref the catalog did not answer for (yet). */
function refOption(ref: string): ReviewEntityOption {
  try {
    const parsed = parseEntityRef(ref);
    return { ref, title: parsed.name, kind: parsed.kind };
  } catch {
    return { ref, title: ref, kind: '' };
  }
}

const OWNED_GROUP = 'Yours and your teams’';
const SEARCH_GROUP = 'Catalog';

/**
 * Picks the entity of a review from the catalog: with nothing typed, the
 * signed-in user's teams and what they and their teams own; typing part of
 * a name or title searches the catalog (server side, debounced).
 */
export function ReviewEntityPicker(props: {
  /** The entity ref in the URL, or '' for none. */
  entityRef: string;
  /** The entity of `entityRef`, when the catalog has answered. */
  entity?: Entity;
  onChange: (entityRef: string) => void;
}) {
  const catalogApi = useApi(catalogApiRef);
  const identityApi = useApi(identityApiRef);
  const [input, setInput] = useState('');
  const term = useDebounced(input.trim(), SEARCH_DEBOUNCE_MS);

  const owned = useAsync(async (): Promise<ReviewEntityOption[]> => {
    const { ownershipEntityRefs } = await identityApi.getBackstageIdentity();
    if (ownershipEntityRefs.length === 0) return [];
    const groupRefs = ownershipEntityRefs.filter(
      ref => parseEntityRef(ref).kind.toLocaleLowerCase('en-US') === 'group',
    );
    const [teams, ownedEntities] = await Promise.all([
      groupRefs.length > 0
        ? catalogApi.getEntitiesByRefs({
            entityRefs: groupRefs,
            fields: FIELDS,
          })
        : Promise.resolve({ items: [] }),
      catalogApi.queryEntities({
        filter: {
          'relations.ownedBy': ownershipEntityRefs,
          kind: REVIEWABLE_KINDS,
        },
        fields: FIELDS,
        orderFields: { field: 'metadata.name', order: 'asc' },
        limit: PICKER_LIMIT,
      }),
    ]);
    return [
      ...teams.items.filter((e): e is Entity => Boolean(e)),
      ...ownedEntities.items,
    ].map(e => toOption(e, OWNED_GROUP));
  }, [catalogApi, identityApi]);

  const searched = useAsync(async (): Promise<
    ReviewEntityOption[] | undefined
  > => {
    if (!term) return undefined;
    const { items } = await catalogApi.queryEntities({
      filter: { kind: REVIEWABLE_KINDS },
      fullTextFilter: { term, fields: SEARCH_FIELDS },
      fields: FIELDS,
      orderFields: { field: 'metadata.name', order: 'asc' },
      limit: PICKER_LIMIT,
    });
    return items.map(e => toOption(e, SEARCH_GROUP));
  }, [catalogApi, term]);

  // The URL is the source of truth; the picked option only lends its title
  // until the page has the entity.
  const [picked, setPicked] = useState<ReviewEntityOption | null>(null);
  const value = useMemo(() => {
    if (!props.entityRef) return null;
    if (props.entity && stringifyEntityRef(props.entity) === props.entityRef) {
      return toOption(props.entity);
    }
    if (picked?.ref === props.entityRef) return picked;
    return refOption(props.entityRef);
  }, [props.entityRef, props.entity, picked]);

  // While typing, the search answers; otherwise the user's own entities.
  const typing = input.trim() !== '' && input !== value?.title;
  const listed = typing ? searched.value ?? [] : owned.value ?? [];
  // MUI wants the value among the options; it is not listed unless found.
  const unlisted =
    value && !listed.some(o => o.ref === value.ref) ? value : undefined;
  const options = unlisted ? [...listed, unlisted] : listed;
  const loading = typing
    ? searched.loading || term !== input.trim()
    : owned.loading;
  const error = typing ? searched.error : owned.error;

  let noOptionsText = 'Type part of a name to search the catalog';
  if (error) {
    noOptionsText = `Could not search the catalog: ${error.message}`;
  } else if (typing) {
    noOptionsText = `Nothing in the catalog matches "${input.trim()}": try another part of its name or title`;
  } else if (owned.value?.length === 0) {
    noOptionsText =
      'You own nothing in the catalog yet: type part of a name to search it';
  }

  return (
    <Autocomplete<ReviewEntityOption>
      className="itsm-review-no-print"
      sx={{ width: 480, maxWidth: '100%', mb: 3 }}
      size="small"
      value={value}
      options={options}
      loading={loading}
      // The catalog filters; show what it answered.
      filterOptions={x => x.filter(o => o !== unlisted)}
      groupBy={o => o.group ?? ''}
      getOptionLabel={o => o.title}
      isOptionEqualToValue={(a, b) => a.ref === b.ref}
      inputValue={input}
      onInputChange={(_, next) => setInput(next)}
      onChange={(_, option) => {
        if (option) {
          setPicked(option);
          props.onChange(option.ref);
        }
      }}
      noOptionsText={noOptionsText}
      loadingText="Searching the catalog…"
      renderOption={(optionProps, option) => {
        const { key, ...rest } = optionProps as typeof optionProps & {
          key: string;
        };
        return (
          <Box component="li" key={key} {...rest}>
            <Box>
              <Typography variant="body2">{option.title}</Typography>
              <Typography variant="caption" color="text.secondary">
                {option.kind} · {option.ref}
              </Typography>
            </Box>
          </Box>
        );
      }}
      renderInput={params => (
        <TextField
          {...params}
          label="Entity to review"
          placeholder="Type part of a name, e.g. paym"
          helperText="A component, system, domain or team from the catalog"
        />
      )}
    />
  );
}
