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
  AllOfCriteria,
  AnyOfCriteria,
  NotCriteria,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';
import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import type { RecordCriterion, RecordFilter } from './ItsmStore';
import { TABLE_RECORD_ENTITIES } from './tables';

/** The alias of `records` in every filtered read, so filters can refer to `r.id`. */
export const R = 'r';

/**
 * Translates a permission filter into nested where-groups, leaving each leaf
 * criterion to `applyCriterion`. Every node yields a condition, so `not` of
 * an empty group stays correct: an empty `allOf` matches everything, an
 * empty `anyOf` nothing.
 */
export function applyPermissionCriteria<TCriterion>(
  builder: Knex.QueryBuilder,
  filter: PermissionCriteria<TCriterion>,
  applyCriterion: (builder: Knex.QueryBuilder, criterion: TCriterion) => void,
): void {
  const apply = (b: Knex.QueryBuilder, f: PermissionCriteria<TCriterion>) =>
    applyPermissionCriteria(b, f, applyCriterion);
  if ('allOf' in (filter as object)) {
    const children = (filter as AllOfCriteria<TCriterion>).allOf;
    if (children.length === 0) {
      builder.whereRaw('1 = 1');
      return;
    }
    builder.where(all => {
      for (const child of children) {
        all.andWhere(sub => apply(sub, child));
      }
    });
  } else if ('anyOf' in (filter as object)) {
    const children = (filter as AnyOfCriteria<TCriterion>).anyOf;
    if (children.length === 0) {
      builder.whereRaw('1 = 0');
      return;
    }
    builder.where(any => {
      for (const child of children) {
        any.orWhere(sub => apply(sub, child));
      }
    });
  } else if ('not' in (filter as object)) {
    const child = (filter as NotCriteria<TCriterion>).not;
    builder.whereNot(sub => apply(sub, child));
  } else {
    applyCriterion(builder, filter as TCriterion);
  }
}

/**
 * The ids of records mapped to an entity whose `column` is one of `values`,
 * as an uncorrelated subquery for `r.id in (...)`: evaluated once, where a
 * correlated EXISTS may be planned per row through the wrong index.
 */
export function recordIdsWhere(
  column: 'entity_ref' | 'owner_ref',
  values: string[],
): (sub: Knex.QueryBuilder) => void {
  return sub => {
    sub.select('record_id').from(TABLE_RECORD_ENTITIES).whereIn(column, values);
  };
}

/** Translates a permission filter into where-groups on `records as r`. */
export function applyFilter(
  builder: Knex.QueryBuilder,
  filter: RecordFilter,
): void {
  applyPermissionCriteria(builder, filter, applyRecordCriterion);
}

function applyRecordCriterion(
  builder: Knex.QueryBuilder,
  criterion: RecordCriterion,
): void {
  switch (criterion.key) {
    case 'department':
      builder.whereIn(`${R}.department`, criterion.values);
      return;
    case 'kind':
      builder.whereIn(`${R}.kind`, criterion.values);
      return;
    case 'owner':
      builder.whereIn(`${R}.id`, recordIdsWhere('owner_ref', criterion.values));
      return;
    default:
      throw new InputError(
        `Unknown record filter criterion ${JSON.stringify(criterion)}`,
      );
  }
}
