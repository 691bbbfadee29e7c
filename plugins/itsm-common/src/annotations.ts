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

/** ServiceNow CMDB CI sys_ids (comma-separated) of an entity. @public */
export const ANNOTATION_SERVICENOW_CI_SYSID = 'servicenow.com/ci-sysid';
/** The community ServiceNow plugin's entity id convention (`u_backstage_entity_id`). @public */
export const ANNOTATION_SERVICENOW_ENTITY_ID = 'servicenow.com/entity-id';
/** PagerDuty service ids (comma-separated) of an entity. @public */
export const ANNOTATION_PAGERDUTY_SERVICE_ID = 'pagerduty.com/service-id';

/** Prefix of this project's own annotations (service facts and targets). @public */
export const ITSM_ANNOTATION_PREFIX = 'backstage-itsm.io';
/**
 * The service desk that serves an entity: `it` (default), `hr`,
 * `facilities`, ... The frontend words records and picks metrics by it (a
 * "case", fulfilment time); the backend seals improvements of confidential
 * departments by it.
 * @public
 */
export const ANNOTATION_ITSM_DEPARTMENT = `${ITSM_ANNOTATION_PREFIX}/department`;

/**
 * The value that replaces a field a module names as personal. It is written
 * in place of the value before anything is stored or logged.
 * @public
 */
export const ITSM_REDACTED = '[redacted]';

/** Service tier, 1 (most critical) to 4. @public */
export const ANNOTATION_ITSM_TIER = `${ITSM_ANNOTATION_PREFIX}/tier`;
/** Support hours, e.g. `24x7` or `Mon-Fri 09:00-17:00 Europe/London`. @public */
export const ANNOTATION_ITSM_SUPPORT_HOURS = `${ITSM_ANNOTATION_PREFIX}/support-hours`;

/** Who to call when the on-call chain does not answer, e.g. `it-duty-manager@example.com`. @public */
export const ANNOTATION_ITSM_ESCALATION_CONTACT = `${ITSM_ANNOTATION_PREFIX}/escalation-contact`;

/** The vendor annotations the entity resolver reads by default. @public */
export const ITSM_MAPPING_ANNOTATIONS = [
  ANNOTATION_SERVICENOW_CI_SYSID,
  ANNOTATION_SERVICENOW_ENTITY_ID,
  ANNOTATION_PAGERDUTY_SERVICE_ID,
];
