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

import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { ItsmOwnershipSource } from './ownership';
import type { ItsmProvider, ItsmProviderRegistration } from './provider';
import type { ItsmMetric } from './metrics';

/**
 * Lets backend modules add ITSM providers to the `itsm` plugin.
 * @public
 */
export interface ItsmProvidersExtensionPoint {
  /**
   * Adds providers. A bare provider runs on the default schedule; a
   * registration carries its own. Ids must be unique: a second provider with
   * an id already taken fails the plugin's start.
   */
  addProvider(
    ...providers: Array<ItsmProvider | ItsmProviderRegistration>
  ): void;
}

/** @public */
export const itsmProvidersExtensionPoint =
  createExtensionPoint<ItsmProvidersExtensionPoint>({
    id: 'itsm.providers',
  });

/**
 * Lets backend modules add live ownership sources (on-call, escalation, CMDB
 * owner) to the `itsm` plugin.
 * @public
 */
export interface ItsmOwnershipSourcesExtensionPoint {
  addOwnershipSource(...sources: ItsmOwnershipSource[]): void;
}

/** @public */
export const itsmOwnershipSourcesExtensionPoint =
  createExtensionPoint<ItsmOwnershipSourcesExtensionPoint>({
    id: 'itsm.ownershipSources',
  });

/**
 * Lets backend modules add outcome metrics (e.g. an HR "time to onboard")
 * that `GET /api/itsm/metrics` serves like the built-in ones.
 * @public
 */
export interface ItsmMetricsExtensionPoint {
  /** Adds metrics. An id already taken (built-in or added) fails the plugin's start. */
  addMetric(...metrics: ItsmMetric[]): void;
}

/** @public */
export const itsmMetricsExtensionPoint =
  createExtensionPoint<ItsmMetricsExtensionPoint>({
    id: 'itsm.metrics',
  });
