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

import type { ItsmHealth } from '@backstage-itsm/plugin-itsm-common';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';

const SEVERITY = {
  healthy: 'success',
  degraded: 'warning',
  unhealthy: 'error',
} as const;
const LABEL = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  unhealthy: 'Unhealthy',
} as const;

/**
 * The health verdict from the entity's targets, with its reasons. When no
 * source covers the entity (`covered` false) there is nothing to judge: it
 * says so, with the backend's reason (which annotation to add), instead of
 * calling the entity healthy.
 */
export function HealthVerdict(props: {
  health?: ItsmHealth;
  covered?: boolean;
}) {
  if (!props.health) return null;
  const { verdict, reasons } = props.health;
  if (props.covered === false || verdict === 'unknown') {
    return (
      <Alert severity="info" sx={{ mb: 2 }} data-testid="itsm-health-verdict">
        <AlertTitle>No source connected</AlertTitle>
        {reasons.length > 0
          ? reasons.join('; ')
          : 'No ITSM source covers this entity, so its health is unknown.'}
      </Alert>
    );
  }
  return (
    <Alert
      severity={SEVERITY[verdict]}
      sx={{ mb: 2 }}
      data-testid="itsm-health-verdict"
    >
      <AlertTitle>{LABEL[verdict]}</AlertTitle>
      {reasons.length > 0
        ? reasons.join('; ')
        : 'Every metric with a target meets it.'}
    </Alert>
  );
}
