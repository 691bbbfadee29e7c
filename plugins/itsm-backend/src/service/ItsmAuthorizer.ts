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
  BackstageCredentials,
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  PermissionCriteria,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  ConditionTransformer,
  createConditionTransformer,
  PermissionResourceRef,
} from '@backstage/plugin-permission-node';
import {
  itsmImprovementReadPermission,
  itsmMetricsReadPermission,
  itsmRecordReadPermission,
} from '@backstage-itsm/plugin-itsm-common';
import type { Request } from 'express';
import type { RecordCriterion, RecordFilter } from '../database/ItsmStore';
import {
  ImprovementCriterion,
  ImprovementFilter,
  itsmImprovementPermissionResourceRef,
} from '../permissions/improvementRules';
import { itsmRecordPermissionResourceRef } from '../permissions/rules';

/**
 * The caller's permission decisions as SQL filters. A filter of `undefined`
 * means everything; a plain deny throws NotAllowedError with `message`.
 */
export class ItsmAuthorizer {
  readonly #httpAuth: HttpAuthService;
  readonly #permissions: PermissionsService;
  readonly #recordTransform: ConditionTransformer<RecordCriterion>;
  readonly #improvementTransform: ConditionTransformer<ImprovementCriterion>;

  constructor(options: {
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
    permissionsRegistry: PermissionsRegistryService;
  }) {
    this.#httpAuth = options.httpAuth;
    this.#permissions = options.permissions;
    this.#recordTransform = transformerFor(
      options.permissionsRegistry,
      itsmRecordPermissionResourceRef,
    );
    this.#improvementTransform = transformerFor(
      options.permissionsRegistry,
      itsmImprovementPermissionResourceRef,
    );
  }

  credentials(req: Request): Promise<BackstageCredentials> {
    return this.#httpAuth.credentials(req);
  }

  /** Which records the caller may read (`itsm.record.read`). */
  recordReadFilter(
    credentials: BackstageCredentials,
  ): Promise<RecordFilter | undefined> {
    return this.#conditional(
      credentials,
      itsmRecordReadPermission,
      this.#recordTransform,
      'You are not allowed to read ITSM records',
    );
  }

  /** Which records the caller may count into aggregate metrics (`itsm.metrics.read`). */
  metricsFilter(
    credentials: BackstageCredentials,
  ): Promise<RecordFilter | undefined> {
    return this.#conditional(
      credentials,
      itsmMetricsReadPermission,
      this.#recordTransform,
      'You are not allowed to read ITSM metrics',
    );
  }

  /** Which improvements the caller may read, update or delete. */
  improvementFilter(
    credentials: BackstageCredentials,
    permission: ResourcePermission = itsmImprovementReadPermission,
    message = 'You are not allowed to read improvements',
  ): Promise<ImprovementFilter | undefined> {
    return this.#conditional(
      credentials,
      permission,
      this.#improvementTransform,
      message,
    );
  }

  /** Throws NotAllowedError with `message` unless the caller has `permission`. */
  async require(
    credentials: BackstageCredentials,
    permission: BasicPermission,
    message: string,
  ): Promise<void> {
    const [decision] = await this.#permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(message);
    }
  }

  async #conditional<T>(
    credentials: BackstageCredentials,
    permission: ResourcePermission,
    transform: ConditionTransformer<T>,
    message: string,
  ): Promise<PermissionCriteria<T> | undefined> {
    const [decision] = await this.#permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(message);
    }
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      return transform(decision.conditions);
    }
    return undefined;
  }
}

function transformerFor<TResource, TQuery>(
  registry: PermissionsRegistryService,
  ref: PermissionResourceRef<TResource, TQuery>,
): ConditionTransformer<TQuery> {
  return createConditionTransformer(registry.getPermissionRuleset(ref));
}
