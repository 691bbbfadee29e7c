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

import { CustomErrorBase, InputError } from '@backstage/errors';
import express, { NextFunction, RequestHandler } from 'express';

/**
 * The largest JSON body of every route but `/ingest`: 256 kB. The largest
 * valid body, a review's decisions of 50,000 characters, fits in UTF-8.
 */
export const BODY_LIMIT = 256 * 1024;

/** A request body larger than its route accepts (413). */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  statusCode = 413;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  }
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} kB` : `${bytes} bytes`;
}

/**
 * Parses JSON bodies with the limit of the route: `pushBodyLimit` for
 * `/ingest`, BODY_LIMIT everywhere else. A body over the limit is a 413
 * naming it (Content-Length is checked before anything is read), malformed
 * JSON a 400; the parser's own errors never reach the caller as they are.
 */
export function jsonBodies(pushBodyLimit: number): RequestHandler {
  const small = express.json({ limit: BODY_LIMIT });
  const push = express.json({ limit: pushBodyLimit });
  return (req, res, next: NextFunction) => {
    const isPush = req.path.startsWith('/ingest/');
    (isPush ? push : small)(req, res, (error?: unknown) => {
      if (!error) {
        next();
        return;
      }
      const { type } = error as { type?: string };
      if (type === 'entity.too.large') {
        const limit = formatBytes(isPush ? pushBodyLimit : BODY_LIMIT);
        next(
          new PayloadTooLargeError(
            isPush
              ? `Request body too large: a push accepts at most ${limit} (itsm.ingestion.pushBodyLimit); send the items in several requests`
              : `Request body too large: ${req.method} ${req.baseUrl}${req.path} accepts at most ${limit}`,
          ),
        );
      } else if (type === 'entity.parse.failed') {
        next(
          new InputError(
            `Invalid body: not JSON (${(error as Error).message})`,
          ),
        );
      } else {
        next(error);
      }
    });
  };
}
