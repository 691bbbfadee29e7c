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

import { createPermission } from '@backstage/plugin-permission-common';

/** Resource type of ITSM records, for conditional decisions. @public */
export const RESOURCE_TYPE_ITSM_RECORD = 'itsm-record';

/** The resource type of continual-improvement items. @public */
export const RESOURCE_TYPE_ITSM_IMPROVEMENT = 'itsm-improvement';

/**
 * Reading ITSM records and anything derived from their details. A policy may
 * answer with conditions (department, owned-by) that the backend applies in
 * SQL; a record the user may not read does not appear to exist.
 * @public
 */
export const itsmRecordReadPermission = createPermission({
  name: 'itsm.record.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_ITSM_RECORD,
});

/**
 * Reading the ingestion bookkeeping of every provider: sync status (counts,
 * last error, failed parts) and dead letters (GET /sync,
 * GET /sync/:providerId/dead-letters). Dead letters also need unconditional
 * `itsm.record.read`: they hold raw source payloads.
 * @public
 */
export const itsmSyncReadPermission = createPermission({
  name: 'itsm.sync.read',
  attributes: { action: 'read' },
});

/** Triggering a provider's sync now (POST /sync/:providerId). @public */
export const itsmSyncTriggerPermission = createPermission({
  name: 'itsm.sync.trigger',
  attributes: { action: 'update' },
});

/** Pushing records into a provider (POST /ingest/:providerId). @public */
export const itsmIngestPermission = createPermission({
  name: 'itsm.ingest',
  attributes: { action: 'create' },
});

/** Creating a continual-improvement item. @public */
export const itsmImprovementCreatePermission = createPermission({
  name: 'itsm.improvement.create',
  attributes: { action: 'create' },
});

/** Updating a continual-improvement item. @public */
export const itsmImprovementUpdatePermission = createPermission({
  name: 'itsm.improvement.update',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_ITSM_IMPROVEMENT,
});

/** Deleting a continual-improvement item. @public */
export const itsmImprovementDeletePermission = createPermission({
  name: 'itsm.improvement.delete',
  attributes: { action: 'delete' },
  resourceType: RESOURCE_TYPE_ITSM_IMPROVEMENT,
});

/**
 * Reading continual-improvement items. Conditional: the backend applies the
 * policy's conditions (department, owner) in SQL. Items of confidential
 * departments are sealed like their records.
 * @public
 */
export const itsmImprovementReadPermission = createPermission({
  name: 'itsm.improvement.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_ITSM_IMPROVEMENT,
});

/**
 * Counting records into aggregate metrics (counts, durations, ratios) without
 * seeing them. Conditional on `itsm-record` like `itsm.record.read`; a policy
 * that allows it while sealing `itsm.record.read` lets people see how a
 * confidential desk performs, never what its cases say.
 * @public
 */
export const itsmMetricsReadPermission = createPermission({
  name: 'itsm.metrics.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_ITSM_RECORD,
});

/**
 * The catalog's resource type (`RESOURCE_TYPE_CATALOG_ENTITY` of
 * `@backstage/plugin-catalog-common`): the review permissions are decided
 * on the catalog entity the review is about.
 */
const CATALOG_ENTITY = 'catalog-entity';

/**
 * Holding a service review: saving a frozen snapshot of a period that has
 * ended. A resource permission of the catalog entity under review
 * (`catalog-entity`, authorized with the entity ref), so a policy may answer
 * with the catalog's conditions, e.g. `catalogConditions.isEntityOwner`, and
 * the catalog applies them.
 * @public
 */
export const itsmReviewHoldPermission = createPermission({
  name: 'itsm.review.hold',
  attributes: { action: 'create' },
  resourceType: CATALOG_ENTITY,
});

/**
 * Amending the decisions of a held service review, or releasing it (the
 * snapshot is deleted, so the period can be held again). Decided on the
 * catalog entity under review, like `itsm.review.hold`.
 * @public
 */
export const itsmReviewUpdatePermission = createPermission({
  name: 'itsm.review.update',
  attributes: { action: 'update' },
  resourceType: CATALOG_ENTITY,
});

/** Every ITSM permission. @public */
export const itsmPermissions = [
  itsmRecordReadPermission,
  itsmSyncReadPermission,
  itsmSyncTriggerPermission,
  itsmIngestPermission,
  itsmImprovementCreatePermission,
  itsmImprovementUpdatePermission,
  itsmImprovementDeletePermission,
  itsmImprovementReadPermission,
  itsmMetricsReadPermission,
  itsmReviewHoldPermission,
  itsmReviewUpdatePermission,
];
