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

import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { entityDepartment } from '../common';
import { OutcomeMetricsCard } from '../OutcomeMetricsCard';

/**
 * Entity card: MTTA, MTTR, availability, change failure rate, SLA attainment,
 * CSAT/NPS and more for a window, against targets, with trends. On systems,
 * domains and groups the records of their parts are rolled up. HR and
 * facilities entities (`backstage-itsm.io/department`) show their own
 * headline metrics, fulfilment time first.
 * @public
 */
export function EntityOutcomeMetricsCard() {
  const { entity } = useEntity();
  return (
    <OutcomeMetricsCard
      entityRef={stringifyEntityRef(entity)}
      department={entityDepartment(entity)}
    />
  );
}
