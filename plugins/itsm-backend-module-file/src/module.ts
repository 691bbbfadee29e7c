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
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { itsmProvidersExtensionPoint } from '@backstage-itsm/plugin-itsm-node';
import { readFileProviderConfigs } from './config';
import { FileItsmProvider } from './provider';

/**
 * Registers one ITSM provider per `itsm.providers.file.<id>` config block,
 * each reading the JSON, NDJSON and CSV files of a folder.
 * @public
 */
export const itsmModuleFile = createBackendModule({
  pluginId: 'itsm',
  moduleId: 'file',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        providers: itsmProvidersExtensionPoint,
      },
      async init({ config, logger, providers }) {
        for (const entry of readFileProviderConfigs(config)) {
          const provider = new FileItsmProvider({
            id: entry.id,
            path: entry.path,
            department: entry.department,
            kinds: entry.kinds,
            fullExport: entry.fullExport,
            mapsOnAnnotations: entry.mapsOnAnnotations,
          });
          providers.addProvider(
            entry.schedule
              ? { provider, schedule: entry.schedule }
              : { provider },
          );
          logger.info(
            `Registered ITSM provider ${entry.id} (department ${entry.department}) reading ${entry.path}`,
          );
          if (!existsSync(entry.path)) {
            // Not fatal: the folder may be mounted or written later. Each
            // sync fails, naming the path, until it exists.
            logger.warn(
              `Folder ${entry.path} of ITSM provider ${entry.id} does not exist (yet)`,
            );
          }
        }
      },
    });
  },
});
