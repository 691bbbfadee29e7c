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

/** The config key of the HR sources, keyed by id. @public */
export const HR_SOURCES_CONFIG_KEY = 'itsm.hr.sources';

/** The HR module's categories. @public */
export type HrCategory =
  | 'onboarding'
  | 'offboarding'
  | 'payroll_query'
  | 'leave_request'
  | 'policy_question';

/**
 * The HR categories, their labels (each title starts with one) and the
 * catalog entities their cases map to unless config says otherwise: the
 * demo catalog's HR components, and the HR Services system for policy
 * questions, which no single service answers.
 * @public
 */
export const HR_CATEGORIES: Readonly<
  Record<HrCategory, ItsmCategoryDefinition>
> = {
  onboarding: {
    label: 'Onboarding',
    entityRef: 'component:default/employee-onboarding',
  },
  offboarding: {
    label: 'Offboarding',
    entityRef: 'component:default/employee-offboarding',
  },
  payroll_query: {
    label: 'Payroll',
    entityRef: 'component:default/payroll',
  },
  leave_request: {
    label: 'Leave',
    entityRef: 'component:default/leave-management',
  },
  policy_question: {
    label: 'Policy',
    entityRef: 'system:default/hr-services',
  },
};

/** How the HR module reads its sources: provider ids `hr:<id>`, department `hr`, kind `request`. @public */
export const HR_SOURCE_OPTIONS: ItsmMappedSourceModuleOptions = {
  configKey: HR_SOURCES_CONFIG_KEY,
  providerIdPrefix: 'hr',
  department: 'hr',
  kind: 'request',
  categories: HR_CATEGORIES,
  // The onboarding metric finds onboarding cases by this prefix: metrics
  // read a record's title, not its payload.
  categoryTitlePrefix: true,
};
