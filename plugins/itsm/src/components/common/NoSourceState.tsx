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

import { CodeSnippet, EmptyState } from '@backstage/core-components';

const EXAMPLE = `metadata:
  annotations:
    # ServiceNow CMDB CI sys_id(s) of this service, comma-separated
    servicenow.com/ci-sysid: 2ea9e28aa68b824a247e654158315362
    # PagerDuty service id(s), comma-separated
    pagerduty.com/service-id: PMQSWA6`;

/**
 * Empty state when no ITSM record maps to the entity: how to map one. The
 * snippet is the state's action: EmptyState renders its description inside
 * a paragraph, where a block would be invalid markup.
 */
export function NoSourceState(props: { entityRef: string }) {
  return (
    <EmptyState
      missing="field"
      title="No ITSM source maps to this entity"
      description={`No incident, change, problem or request is mapped to ${props.entityRef}. Records map to catalog entities through the annotations your sources already use. Add the one of your service desk to this entity's catalog-info.yaml:`}
      action={<CodeSnippet text={EXAMPLE} language="yaml" showCopyCodeButton />}
    />
  );
}
