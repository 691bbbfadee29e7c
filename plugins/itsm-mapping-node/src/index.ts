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

/**
 * Config-driven sources of ITSM records for backend modules (the HR and
 * facilities modules): a CSV export or a REST API, a field mapping from
 * config, and redaction of personal fields before anything else sees them.
 *
 * @packageDocumentation
 */

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
} from './settings';
export { readItsmMappedSourceConfigs } from './config';
export type {
  ItsmCsvSourceSettings,
  ItsmMappedSourceModuleOptions,
  ItsmMappedSourceSettings,
  ItsmRestPagination,
  ItsmRestSourceSettings,
} from './settings';
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
export {
  createItsmMappedProviders,
  describeItsmMappedSource,
  registerItsmMappedSources,
} from './registerItsmMappedSources';
export { createItsmMappedSourceModule } from './createItsmMappedSourceModule';
