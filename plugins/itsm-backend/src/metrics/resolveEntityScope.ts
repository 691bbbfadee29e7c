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

import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_HAS_PART,
  RELATION_OWNER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { ScopeEntity, scopeEntityOf } from './coverage';

/** How deep domains may nest (subdomainOf) before the rollup stops. */
const MAX_DOMAIN_DEPTH = 5;

/** An entity and the entities whose records roll up into it. */
export interface EntityScope {
  entity: Entity;
  entityRef: string;
  /** The entity's own ref first, then the rolled-up refs, each once. */
  entityRefs: string[];
  /**
   * The entity and the rolled-up entities the caller can see, with the
   * annotations they bear: whether a configured source covers the scope.
   */
  entities: ScopeEntity[];
}

function targetsOf(entity: Entity, type: string): string[] {
  return (entity.relations ?? [])
    .filter(relation => relation.type === type)
    .map(relation => stringifyEntityRef(parseEntityRef(relation.targetRef)));
}

/**
 * Resolves the entity set of a metric through the catalog, with the caller's
 * credentials: a System rolls up its parts (components, resources, APIs:
 * `hasPart`); a Domain its systems' parts and its subdomains'; a Group or
 * User the entities it owns (`ownerOf`). Any other kind is itself alone.
 * The rolled-up entities are read once more (annotations and owner) for
 * coverage. Throws NotFoundError when the caller cannot see the entity.
 */
export async function resolveEntityScope(
  catalog: CatalogService,
  entityRef: string,
  credentials: BackstageCredentials,
): Promise<EntityScope> {
  const entity = await catalog.getEntityByRef(entityRef, { credentials });
  if (!entity) {
    throw new NotFoundError(`No entity found with ref '${entityRef}'`);
  }
  const ref = stringifyEntityRef(entity);
  const refs = new Set<string>([ref]);
  const kind = entity.kind.toLocaleLowerCase('en-US');

  if (kind === 'system') {
    targetsOf(entity, RELATION_HAS_PART).forEach(r => refs.add(r));
  } else if (kind === 'group' || kind === 'user') {
    targetsOf(entity, RELATION_OWNER_OF).forEach(r => refs.add(r));
  } else if (kind === 'domain') {
    let parents = [entity];
    const seen = new Set([ref]);
    for (let depth = 0; depth < MAX_DOMAIN_DEPTH && parents.length; depth++) {
      const parts = parents
        .flatMap(parent => targetsOf(parent, RELATION_HAS_PART))
        .filter(part => !seen.has(part));
      parts.forEach(part => {
        seen.add(part);
        refs.add(part);
      });
      if (parts.length === 0) {
        break;
      }
      const { items } = await catalog.getEntitiesByRefs(
        {
          entityRefs: parts,
          fields: ['kind', 'metadata.name', 'metadata.namespace', 'relations'],
        },
        { credentials },
      );
      const children = items.filter((e): e is Entity => e !== undefined);
      // A system's parts are leaves; a subdomain is expanded on the next round.
      children
        .filter(e => e.kind.toLocaleLowerCase('en-US') === 'system')
        .forEach(system =>
          targetsOf(system, RELATION_HAS_PART).forEach(r => refs.add(r)),
        );
      parents = children.filter(
        e => e.kind.toLocaleLowerCase('en-US') === 'domain',
      );
    }
  }
  const entityRefs = [...refs];
  const entities = [scopeEntityOf(entity)];
  if (entityRefs.length > 1) {
    const { items } = await catalog.getEntitiesByRefs(
      {
        entityRefs: entityRefs.slice(1),
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
          'spec.owner',
        ],
      },
      { credentials },
    );
    for (const item of items) {
      if (item) {
        entities.push(scopeEntityOf(item));
      }
    }
  }
  return { entity, entityRef: ref, entityRefs, entities };
}
