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

/*
 * Config-driven sources of ITSM records, shared by the HR and facilities
 * modules: a CSV export or a REST API, a field mapping from config, and
 * redaction of personal fields before anything else sees them.
 */

import { existsSync } from 'node:fs';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { ItsmProvidersExtensionPoint } from '../extensions';
import type { ItsmProviderRegistration } from '../provider';
import {
  ItsmMappedSourceModuleOptions,
  ItsmMappedSourceSettings,
  readItsmMappedSourceConfigs,
} from './config';
import {
  ItsmMappedProvider,
  ItsmMappedProviderOptions,
} from './ItsmMappedProvider';

export type {
  ItsmFieldMappingConfig,
  ItsmMappedSourceConfig,
  ItsmSlaMappingConfig,
} from './types';
export {
  DEFAULT_ITSM_MAPPED_BATCH_SIZE,
  DEFAULT_ITSM_MAPPED_OVERLAP_MS,
  DEFAULT_ITSM_REST_PAGE_SIZE,
  DEFAULT_ITSM_REST_RETRY_BUDGET_MS,
  DEFAULT_ITSM_REST_TIMEOUT_MS,
  readItsmMappedSourceConfigs,
} from './config';
export type {
  ItsmCsvSourceSettings,
  ItsmMappedSourceModuleOptions,
  ItsmMappedSourceSettings,
  ItsmRestPagination,
  ItsmRestSourceSettings,
} from './config';
export {
  ItsmRecordMapper,
  ITSM_MAPPED_FIELDS,
  ITSM_MAPPED_FIELD_TYPES,
  ITSM_REQUIRED_MAPPED_FIELDS,
} from './mapper';
export type {
  ItsmCategoryDefinition,
  ItsmFieldSpec,
  ItsmFieldType,
  ItsmMappedField,
  ItsmMappedItem,
  ItsmRecordMapping,
  ItsmSlaSpec,
} from './mapper';
export {
  checkItsmInstantFormat,
  DEFAULT_ITSM_INSTANT_FORMAT,
  formatItsmInstant,
  ITSM_NAMED_INSTANT_FORMATS,
  parseItsmInstant,
} from './instants';
export type { ItsmInstantFormat } from './instants';
export { parseTemplate } from './template';
export type { ItsmTemplate } from './template';
export { redactPersonalFields } from './redact';
export type { ItsmSourceItem } from './paths';
export type {
  ItsmItemSource,
  ItsmSourceEntry,
  ItsmSourceReadOptions,
} from './sources';
export { ItsmCsvSource } from './csvSource';
export { ItsmRestSource } from './restSource';
export { ItsmMappedProvider } from './ItsmMappedProvider';
export type { ItsmMappedProviderOptions } from './ItsmMappedProvider';
export { percentileCont, summariseDurations } from './durationStats';

/**
 * The providers of a module's config-driven sources, one per
 * `<configKey>.<id>`, each with its schedule. Throws at the first config
 * mistake, naming its key.
 * @public
 */
export function createItsmMappedProviders(
  config: Config,
  options: ItsmMappedSourceModuleOptions & {
    cwd?: string;
    provider?: ItsmMappedProviderOptions;
  },
): Array<ItsmProviderRegistration & { provider: ItsmMappedProvider }> {
  return readItsmMappedSourceConfigs(config, options).map(settings => {
    const provider = new ItsmMappedProvider(settings, options.provider);
    return settings.schedule
      ? { provider, schedule: settings.schedule }
      : { provider };
  });
}

/** Where a source reads, for logs: a path, or a URL without its query. @public */
export function describeItsmMappedSource(
  settings: Pick<ItsmMappedSourceSettings, 'source'>,
): string {
  const { source } = settings;
  if (source.type === 'csv') return source.path;
  const url = new URL(source.url);
  return `${url.origin}${url.pathname}`;
}

/**
 * What a module's `init` does with its config-driven sources: reads them
 * (throwing at the first config mistake, naming its key), adds one provider
 * per source and logs where each reads. Returns their settings.
 * @public
 */
export function registerItsmMappedSources(options: {
  config: Config;
  logger: LoggerService;
  providers: ItsmProvidersExtensionPoint;
  module: ItsmMappedSourceModuleOptions;
  cwd?: string;
}): ItsmMappedSourceSettings[] {
  const registrations = createItsmMappedProviders(options.config, {
    ...options.module,
    cwd: options.cwd,
  });
  return registrations.map(registration => {
    const { settings } = registration.provider;
    options.providers.addProvider(registration);
    options.logger.info(
      `Registered ITSM provider ${settings.id} (department ${
        settings.department
      }) reading ${describeItsmMappedSource(settings)}`,
    );
    if (settings.source.type === 'csv' && !existsSync(settings.source.path)) {
      // Not fatal: the export may be written later. Each sync fails, naming
      // the path, until it exists.
      options.logger.warn(
        `${settings.source.path} of ITSM provider ${settings.id} does not exist (yet)`,
      );
    }
    return settings;
  });
}
