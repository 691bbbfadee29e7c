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

import { itsmIngestPermission } from '@backstage-itsm/plugin-itsm-common';
import { z } from 'zod';
import type { Router } from 'express';
import { bindItsmRoute } from '../itsmRoute';
import { parseInput } from '../validation';
import type { EndpointContext } from './types';

/** Most items one push may carry. */
export const MAX_INGEST_ITEMS = 5000;

const ingestBodySchema = z
  .object({
    records: z.array(z.unknown()).optional(),
    feedback: z.array(z.unknown()).optional(),
  })
  .strict()
  .refine(
    b =>
      (b.records?.length ?? 0) + (b.feedback?.length ?? 0) <= MAX_INGEST_ITEMS,
    {
      path: ['records'],
      message: `at most ${MAX_INGEST_ITEMS} items per request`,
    },
  );

/**
 * `POST /ingest/{providerId}`: a service pushes records and feedback into a
 * push provider (`itsm.ingest`), audited; each item is validated by the
 * engine, so the body is only checked for its shape and size here.
 */
export function bindIngestRecords(
  router: Router,
  { engine, httpAuth, auditor, authorizer }: EndpointContext,
): void {
  bindItsmRoute(router, 'post', '/ingest/{providerId}', async (req, res) => {
    const { providerId } = req.params;
    const auditorEvent = await auditor.createEvent({
      eventId: 'ingest',
      severityLevel: 'medium',
      request: req,
      meta: { providerId },
    });
    try {
      await authorizer.require(
        await httpAuth.credentials(req, { allow: ['service'] }),
        itsmIngestPermission,
        `You are not allowed to push records to '${providerId}'`,
      );
      engine.getPushProvider(providerId);
      const body = parseInput(ingestBodySchema, req.body ?? {}, 'body');
      const result = await engine.ingest(providerId, body);
      await auditorEvent.success({ meta: { ...result } });
      res.json(result);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });
}
