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

import { wrapServer } from '@backstage/backend-openapi-utils/testUtils';
import type { Express } from 'express';

/**
 * Serves an app with the itsm router behind a proxy that checks every
 * request and response against `openapi.yaml` (served by the generated
 * router at `/openapi.json`); a response that drifts from the spec fails
 * the test. Returns the base URL to give supertest: `request(url).get(…)`.
 */
export async function specCheckedServer(app: Express): Promise<string> {
  // The proxy forwards to `localhost` over IPv6 when the app listens there
  // too, and `localhost` need not resolve to ::1: listen on IPv4 only.
  const server = await wrapServer({
    listen: (port: number) => app.listen(port, '127.0.0.1'),
  } as Express);
  // `address()` is the proxy's URL, which supertest 7 does not read as a
  // server address: hand it the base URL instead.
  return (server.address() as unknown as URL).origin;
}
