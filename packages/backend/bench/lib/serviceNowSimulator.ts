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

/*
 * A simulated ServiceNow instance for the faults benchmark, run as a child
 * process (`fork`) by bench/faults.ts: the module's own in-memory fake
 * (FakeServiceNow: Table API, encoded queries, paging) filled with
 * incidents, changes and their task_sla rows, behind a node:http server on
 * 127.0.0.1 that answers 429 (`Retry-After: 1`) on every 5th request and
 * 500 ("Transaction cancelled: maximum execution time exceeded") on every
 * 7th. Basic auth: user `bench-<replica>`, password `bench-password`; the
 * user names the replica that sent each request.
 *
 * Arguments: --anchor <epoch ms> (every record lies before it)
 *   --incidents N --changes N --seed N --ci-ids <demo sys_ids, comma-separated>
 */

// The module's own fake and data generator, shared with its tests and
// benchmark (not part of its API).
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import type { FakeServiceNow } from '@backstage-itsm/plugin-itsm-backend-module-servicenow/src/__testUtils__/FakeServiceNow';
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { generateServiceNowInstance } from '@backstage-itsm/plugin-itsm-backend-module-servicenow/src/__testUtils__/generateServiceNowInstance';
import {
  argument,
  json,
  RequestLedger,
  runSimulator,
  SimulatedRequest,
  SimulatedResponse,
} from './simulator';

export const SERVICENOW_PASSWORD = 'bench-password';

const ANCHOR = Number(argument('anchor') ?? Date.now());
const INCIDENTS = Number(argument('incidents') ?? 50_000);
const CHANGES = Number(argument('changes') ?? 10_000);
const SEED = Number(argument('seed') ?? 42);
const DEMO_CIS = (argument('ci-ids') ?? '').split(',').filter(Boolean);

/** The replica a request came from, by its basic-auth user; undefined: refused. */
function credentialOf(request: SimulatedRequest): string | undefined {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return undefined;
  const [user, password] = Buffer.from(header.slice(6), 'base64')
    .toString('utf8')
    .split(':');
  if (password !== SERVICENOW_PASSWORD || !/^bench-[a-z0-9]+$/.test(user)) {
    return undefined;
  }
  return user.slice('bench-'.length);
}

function main() {
  const ledger = new RequestLedger('servicenow');
  let fake: FakeServiceNow;
  runSimulator({
    name: 'servicenow',
    ledger,
    setup() {
      fake = generateServiceNowInstance({
        incidents: INCIDENTS,
        changes: CHANGES,
        seed: SEED,
        anchor: ANCHOR,
        ciIds: DEMO_CIS,
      });
      return {
        counts: {
          incident: fake.rows('incident').length,
          change: fake.rows('change_request').length,
        },
        facts: { task_sla: fake.rows('task_sla').length },
      };
    },
    async handle(request): Promise<SimulatedResponse> {
      const credential = credentialOf(request) ?? 'refused';
      const fault = ledger.admit(credential, Date.now());
      if (fault === '429') {
        ledger.answered('429 fault');
        // ServiceNow's own 429 (inbound REST API rate limiting).
        return json(
          429,
          {
            error: {
              message: 'Rate limit exceeded',
              detail:
                'Rate limit of 1000 requests per hour for Table API exceeded',
            },
            status: 'failure',
          },
          { 'retry-after': '1' },
        );
      }
      if (fault === '500') {
        ledger.answered('500 fault');
        return json(500, {
          error: {
            message: 'Transaction cancelled: maximum execution time exceeded',
          },
        });
      }
      if (credential === 'refused') {
        ledger.answered('401');
        return json(401, {
          error: {
            message: 'User Not Authenticated',
            detail: 'Required to provide Auth information',
          },
          status: 'failure',
        });
      }
      const answer = fake.handle({
        method: request.method,
        url: request.url,
        headers: {
          get: (name: string) => {
            const value = request.headers[name.toLowerCase()];
            return Array.isArray(value) ? value.join(', ') : value ?? null;
          },
        },
        body: request.body,
      });
      ledger.answered(String(answer.status));
      return {
        status: answer.status,
        headers: answer.headers ?? {},
        body: answer.body,
      };
    },
    ids() {
      return {
        incident: fake.rows('incident').map(row => row.sys_id),
        change: fake.rows('change_request').map(row => row.sys_id),
      };
    },
  }).catch(error => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  });
}

main();
