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

import type { Request, Router } from 'express';
import {
  itsmReviewAmendSchema,
  itsmReviewHoldSchema,
  itsmReviewQuerySchema,
} from '@backstage-itsm/plugin-itsm-common';
import {
  improvementCaller,
  ImprovementRouteOptions,
} from '../improvements/improvementsRouter';
import { bindItsmRoute, parseItsmQuery } from '../service/itsmRoute';
import { parseInput } from '../service/validation';
import { renderReviewMarkdown } from './markdown';
import { parseHeldPeriod, parseReviewPeriod } from './period';
import { ReviewCaller, ReviewService } from './ReviewService';

/** Longest decisions text a held review keeps. */
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
 * `GET /reviews?entityRef=&period=|from=&to=&format=json|markdown`,
 * `POST /reviews` (hold the review of an ended month or quarter: freeze its
 * numbers), `PATCH /reviews/held/:id` (amend its decisions) and
 * `DELETE /reviews/held/:id` (release it).
 */
export function bindReviewRoutes(
  router: Router,
  options: ImprovementRouteOptions & { reviews: ReviewService },
): void {
  const { reviews, auditor } = options;

  bindItsmRoute(router, 'get', '/reviews', async (req, res) => {
    const query = parseItsmQuery(itsmReviewQuerySchema, req);
    const period = parseReviewPeriod(query, 'query');
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

  bindItsmRoute(router, 'post', '/reviews', async (req, res) => {
    const auditorEvent = await auditor.createEvent({
      eventId: 'review-hold',
      severityLevel: 'medium',
      request: req,
    });
    try {
      const body = parseInput(itsmReviewHoldSchema, req.body, 'body');
      const caller = await reviewCaller(req, options);
      const period = parseHeldPeriod(body, caller.probe.now);
      const review = await reviews.hold(
        body.entityRef,
        period,
        body.decisions,
        caller,
      );
      await auditorEvent.success({
        meta: {
          entityRef: review.entityRef,
          period: review.period.label,
          reviewId: review.held?.id,
        },
      });
      res.status(201).json(review);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  bindItsmRoute(router, 'patch', '/reviews/held/{id}', async (req, res) => {
    const auditorEvent = await auditor.createEvent({
      eventId: 'review-amend',
      severityLevel: 'medium',
      request: req,
      meta: { reviewId: req.params.id },
    });
    try {
      const body = parseInput(itsmReviewAmendSchema, req.body, 'body');
      const caller = await reviewCaller(req, options);
      const review = await reviews.amend(req.params.id, body.decisions, caller);
      await auditorEvent.success({
        meta: { entityRef: review.entityRef, period: review.period.label },
      });
      res.json(review);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  bindItsmRoute(router, 'delete', '/reviews/held/{id}', async (req, res) => {
    const auditorEvent = await auditor.createEvent({
      eventId: 'review-release',
      severityLevel: 'medium',
      request: req,
      meta: { reviewId: req.params.id },
    });
    try {
      const caller = await reviewCaller(req, options);
      const released = await reviews.release(req.params.id, caller);
      await auditorEvent.success({
        meta: {
          entityRef: released.entityRef,
          period: released.period,
          decisions: released.decisions,
        },
      });
      res.status(204).end();
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });
}
