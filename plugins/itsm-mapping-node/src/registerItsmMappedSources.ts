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

import { existsSync } from 'node:fs';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type {
  ItsmProviderRegistration,
  ItsmProvidersExtensionPoint,
} from '@backstage-itsm/plugin-itsm-node';
import { readItsmMappedSourceConfigs } from './config';
import {
  ItsmMappedProvider,
  ItsmMappedProviderOptions,
} from './ItsmMappedProvider';
import type {
  ItsmMappedSourceModuleOptions,
  ItsmMappedSourceSettings,
} from './settings';

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
