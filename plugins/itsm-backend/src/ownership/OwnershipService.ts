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

import type {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_HAS_MEMBER,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotFoundError, stringifyError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_ITSM_ESCALATION_CONTACT,
  ANNOTATION_ITSM_SUPPORT_HOURS,
  ANNOTATION_ITSM_TIER,
  ItsmOwnership,
  ItsmOwnershipContact,
  ItsmOwnershipDrift,
  ItsmOwnershipSourceFacts,
  itsmOwnerRefOf,
} from '@backstage-itsm/plugin-itsm-common';
import type { ItsmOwnershipSource } from '@backstage-itsm/plugin-itsm-node';

/** How long one source may take before the card answers without it. */
const SOURCE_TIMEOUT_MS = 5_000;

/** Lower-case letters and digits only: `IT Platform` ~ `it-platform` ~ `itplatform`. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Whether a source's team name denotes the catalog owner (equal or contained, ignoring case and punctuation). */
export function namesMatch(
  catalogNames: string[],
  sourceName: string,
): boolean {
  const source = normaliseName(sourceName);
  if (!source) return true;
  return catalogNames
    .map(normaliseName)
    .filter(Boolean)
    .some(
      name => name === source || source.includes(name) || name.includes(source),
    );
}

function contactOf(entity: Entity): ItsmOwnershipContact {
  const profile = (
    entity.spec as
      | { profile?: { displayName?: string; email?: string } }
      | undefined
  )?.profile;
  return {
    name: profile?.displayName ?? entity.metadata.title ?? entity.metadata.name,
    email: profile?.email,
    entityRef: stringifyEntityRef(entity),
  };
}

/**
 * Who owns, supports and is on call for an entity: the catalog owner and its
 * members, the project's service-fact annotations, and what each ownership
 * source (PagerDuty on-call, ServiceNow CMDB) says, with the drift between them.
 */
export class OwnershipService {
  readonly #catalog: CatalogService;
  readonly #sources: ItsmOwnershipSource[];
  readonly #logger: LoggerService;

  constructor(options: {
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
    sources: ItsmOwnershipSource[];
  }) {
    this.#catalog = options.catalog;
    this.#sources = options.sources;
    this.#logger = options.logger;
  }

  async getOwnership(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<ItsmOwnership> {
    const entity = await this.#catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity found with ref '${entityRef}'`);
    }
    const ref = stringifyEntityRef(entity);
    const annotations = entity.metadata.annotations ?? {};

    const ownerRef =
      entity.relations?.find(r => r.type === RELATION_OWNED_BY)?.targetRef ??
      itsmOwnerRefOf(entity);
    const ownerEntity = ownerRef
      ? await this.#catalog.getEntityByRef(ownerRef, { credentials })
      : undefined;
    let owner: ItsmOwnership['owner'] = null;
    if (ownerRef) {
      const memberRefs = (ownerEntity?.relations ?? [])
        .filter(r => r.type === RELATION_HAS_MEMBER)
        .map(r => r.targetRef);
      const members = memberRefs.length
        ? (
            await this.#catalog.getEntitiesByRefs(
              {
                entityRefs: memberRefs,
                fields: ['kind', 'metadata', 'spec.profile'],
              },
              { credentials },
            )
          ).items
            .filter((e): e is Entity => Boolean(e))
            .map(contactOf)
        : [];
      const contact = ownerEntity ? contactOf(ownerEntity) : undefined;
      owner = {
        entityRef: ownerRef,
        title: contact?.name ?? parseEntityRef(ownerRef).name,
        email: contact?.email,
        members,
      };
    }

    const sources: ItsmOwnershipSourceFacts[] = [];
    const sourceErrors: ItsmOwnership['sourceErrors'] = [];
    await Promise.all(
      this.#sources.map(async source => {
        try {
          const facts = await source.getOwnershipFacts({
            entity,
            signal: AbortSignal.timeout(SOURCE_TIMEOUT_MS),
          });
          if (facts) sources.push(facts);
        } catch (error) {
          this.#logger.warn(
            `Ownership source ${source.id} failed for ${ref}: ${stringifyError(
              error,
            )}`,
          );
          sourceErrors.push({
            sourceId: source.id,
            error: stringifyError(error),
          });
        }
      }),
    );
    sources.sort((a, b) => a.sourceId.localeCompare(b.sourceId));

    return {
      entityRef: ref,
      owner,
      tier: annotations[ANNOTATION_ITSM_TIER] ?? null,
      supportHours: annotations[ANNOTATION_ITSM_SUPPORT_HOURS] ?? null,
      escalationContact:
        annotations[ANNOTATION_ITSM_ESCALATION_CONTACT] ?? null,
      sources,
      sourceErrors,
      drift: owner ? findDrift(owner, ownerEntity, sources) : [],
    };
  }
}

function isMember(
  members: ItsmOwnershipContact[],
  person: ItsmOwnershipContact,
): boolean {
  const email = person.email?.toLowerCase();
  const name = normaliseName(person.name);
  return members.some(
    m =>
      (email && m.email?.toLowerCase() === email) ||
      (name && normaliseName(m.name) === name),
  );
}

/** Where a source names a team other than the catalog owner. */
export function findDrift(
  owner: NonNullable<ItsmOwnership['owner']>,
  ownerEntity: Entity | undefined,
  sources: ItsmOwnershipSourceFacts[],
): ItsmOwnershipDrift[] {
  const catalogNames = [
    owner.title,
    parseEntityRef(owner.entityRef).name,
    ownerEntity?.metadata.title ?? '',
    owner.email?.split('@')[0] ?? '',
  ];
  const drift: ItsmOwnershipDrift[] = [];
  for (const facts of sources) {
    const candidates: Array<[string, string | undefined, string]> = [
      ['owner', facts.owner?.name, 'owner'],
      ['supportGroup', facts.supportGroup?.name, 'support group'],
      ['onCallTeam', facts.escalationPolicy?.name, 'escalation policy'],
    ];
    for (const [field, value, label] of candidates) {
      if (!value || namesMatch(catalogNames, value)) continue;
      // A person recorded as owner is fine when they belong to the owning team.
      if (field === 'owner' && isMember(owner.members, facts.owner!)) continue;
      drift.push({
        field,
        sourceId: facts.sourceId,
        catalogValue: owner.title,
        sourceValue: value,
        message: `${facts.sourceName} ${label} is "${value}", the catalog owner is ${owner.title}`,
      });
    }
  }
  return drift;
}
