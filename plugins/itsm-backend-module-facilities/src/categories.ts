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
  ItsmCategoryDefinition,
  ItsmMappedSourceModuleOptions,
} from '@backstage-itsm/plugin-itsm-mapping-node';

/** The config key of the facilities sources, keyed by id. @public */
export const FACILITIES_SOURCES_CONFIG_KEY = 'itsm.facilities.sources';

/** The facilities module's categories. @public */
export type FacilitiesCategory =
  | 'building_access'
  | 'hvac'
  | 'cleaning'
  | 'meeting_rooms'
  | 'desk_moves';

/**
 * The facilities categories and the catalog entities their work orders map
 * to unless config says otherwise: the demo catalog's facilities
 * components, and the Workplace system for cleaning, which no component
 * of the demo catalog covers.
 * @public
 */
export const FACILITIES_CATEGORIES: Readonly<
  Record<FacilitiesCategory, ItsmCategoryDefinition>
> = {
  building_access: {
    label: 'Building access',
    entityRef: 'component:default/building-access',
  },
  hvac: { label: 'HVAC', entityRef: 'component:default/building-climate' },
  cleaning: { label: 'Cleaning', entityRef: 'system:default/workplace' },
  meeting_rooms: {
    label: 'Meeting rooms',
    entityRef: 'component:default/meeting-rooms',
  },
  desk_moves: {
    label: 'Desk moves',
    entityRef: 'component:default/desk-booking',
  },
};

/** How the facilities module reads its sources: provider ids `facilities:<id>`, department `facilities`, kind `request`. @public */
export const FACILITIES_SOURCE_OPTIONS: ItsmMappedSourceModuleOptions = {
  configKey: FACILITIES_SOURCES_CONFIG_KEY,
  providerIdPrefix: 'facilities',
  department: 'facilities',
  kind: 'request',
  categories: FACILITIES_CATEGORIES,
  categoryTitlePrefix: false,
};
