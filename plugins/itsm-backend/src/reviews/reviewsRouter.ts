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

import { itsmReviewHoldPermission } from '@backstage-itsm/plugin-itsm-common';
import type { Request, Router } from 'express';
import { z } from 'zod';
import {
  improvementCaller,
  ImprovementRouteOptions,
} from '../improvements/improvementsRouter';
import { instantParam, parseInput } from '../service/validation';
import { renderReviewMarkdown } from './markdown';
import { parseReviewPeriod } from './period';
import { ReviewCaller, ReviewService } from './ReviewService';

const reviewQuerySchema = z
  .object({
    entityRef: z.string().min(1, 'entityRef is required'),
    period: z.string().min(1).optional(),
    from: instantParam.optional(),
    to: instantParam.optional(),
    format: z.enum(['json', 'markdown']).default('json'),
  })
  .strict();

const holdBodySchema = z
  .object({
    entityRef: z.string().min(1, 'entityRef is required'),
    period: z.string().min(1).optional(),
    from: z.iso
      .datetime({ offset: true })
      .transform(v => Date.parse(v))
      .optional(),
    to: z.iso
      .datetime({ offset: true })
      .transform(v => Date.parse(v))
      .optional(),
    decisions: z.string().max(50_000).default(''),
  })
  .strict();

async function reviewCaller(
  req: Request,
  options: ImprovementRouteOptions,
): Promise<ReviewCaller> {
  const caller = await improvementCaller(req, options);
  const improvementFilter = await options.authorizer.improvementFilter(
    caller.credentials,
  );
  return { ...caller, improvementFilter };
}

/**
 * `GET /reviews?entityRef=&period=|from=&to=&format=json|markdown` and
 * `POST /reviews` (hold a review: freeze its numbers).
 */
export function bindReviewRoutes(
  router: Router,
  options: ImprovementRouteOptions & { reviews: ReviewService },
): void {
  const { reviews, auditor, authorizer } = options;

  router.get('/reviews', async (req, res) => {
    const query = parseInput(reviewQuerySchema, req.query, 'query');
    const period = parseReviewPeriod(query);
    const caller = await reviewCaller(req, options);
    const review = await reviews.getReview(query.entityRef, period, caller);
    if (query.format === 'markdown') {
      res
        .type('text/markdown; charset=utf-8')
        .send(renderReviewMarkdown(review));
      return;
    }
    res.json(review);
  });

  router.post('/reviews', async (req, res) => {
    const auditorEvent = await auditor.createEvent({
      eventId: 'review-hold',
      severityLevel: 'low',
      request: req,
    });
    try {
      const caller = await reviewCaller(req, options);
      await authorizer.require(
        caller.credentials,
        itsmReviewHoldPermission,
        'You are not allowed to hold service reviews',
      );
      const body = parseInput(holdBodySchema, req.body, 'body');
      const period = parseReviewPeriod(body);
      const review = await reviews.hold(
        body.entityRef,
        period,
        body.decisions,
        caller,
      );
      await auditorEvent.success({
        meta: { entityRef: review.entityRef, period: review.period.label },
      });
      res.status(201).json(review);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });
}
