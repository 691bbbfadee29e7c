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

import { itsmSyncTriggerPermission } from '@backstage-itsm/plugin-itsm-common';
import type { Router } from 'express';
import { bindItsmRoute } from '../itsmRoute';
import type { EndpointContext } from './types';

/** `POST /sync/{providerId}`: runs a provider now (`itsm.sync.trigger`), audited. */
export function bindTriggerSync(
  router: Router,
  { engine, httpAuth, auditor, authorizer }: EndpointContext,
): void {
  bindItsmRoute(router, 'post', '/sync/{providerId}', async (req, res) => {
    const { providerId } = req.params;
    const auditorEvent = await auditor.createEvent({
      eventId: 'sync-trigger',
      severityLevel: 'medium',
      request: req,
      meta: { providerId },
    });
    try {
      await authorizer.require(
        await httpAuth.credentials(req),
        itsmSyncTriggerPermission,
        `You are not allowed to trigger a sync of '${providerId}'`,
      );
      await engine.trigger(providerId);
      await auditorEvent.success();
      res.status(202).json({ providerId, status: 'triggered' });
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });
}
