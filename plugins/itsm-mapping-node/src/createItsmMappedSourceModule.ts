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
  BackendFeature,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  ItsmMetric,
  itsmMetricsExtensionPoint,
  itsmProvidersExtensionPoint,
} from '@backstage-itsm/plugin-itsm-node';
import type { ItsmMappedSourceModuleOptions } from './settings';
import { registerItsmMappedSources } from './registerItsmMappedSources';

/**
 * A backend module of the ITSM plugin whose records come from config-driven
 * sources: at `init` it registers one provider per `<configKey>.<id>` of
 * `sources` (see {@link registerItsmMappedSources}) and adds `metrics`.
 * @public
 */
export function createItsmMappedSourceModule(options: {
  moduleId: string;
  sources: ItsmMappedSourceModuleOptions;
  metrics?: ItsmMetric[];
}): BackendFeature {
  return createBackendModule({
    pluginId: 'itsm',
    moduleId: options.moduleId,
    register(reg) {
      reg.registerInit({
        deps: {
          config: coreServices.rootConfig,
          logger: coreServices.logger,
          providers: itsmProvidersExtensionPoint,
          metrics: itsmMetricsExtensionPoint,
        },
        async init({ config, logger, providers, metrics }) {
          registerItsmMappedSources({
            config,
            logger,
            providers,
            module: options.sources,
          });
          if (options.metrics?.length) {
            metrics.addMetric(...options.metrics);
          }
        },
      });
    },
  });
}
