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
 * What both simulated sources share: a node:http server on 127.0.0.1 in a
 * child process (its data does not count in the backend's memory), faults
 * counted per server over the whole run (a 429 with `Retry-After: 1` on
 * every 5th request, a 500 on every 7th), request counts by status and by
 * the credential that sent them (one per backend replica), and the IPC
 * protocol the benchmark drives them with.
 */

import {
  createServer,
  IncomingHttpHeaders,
  IncomingMessage,
  ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** A response of a simulated source. */
export interface SimulatedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A request as the simulators see it. */
export interface SimulatedRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The fault plan: on by default, switched off for the fault-free run. */
export interface FaultPlan {
  enabled: boolean;
  /** Every nth request is answered 429 with `Retry-After: 1`. */
  every429: number;
  /** Every nth request (not already a 429) is answered 500. */
  every500: number;
}

/** A stretch of consecutive requests sent with one credential. */
export interface RequestSegment {
  credential: string;
  first: string;
  last: string;
  requests: number;
}

/** What a simulator reports when asked (and prints when it ends). */
export interface SimulatorStats {
  name: string;
  requests: number;
  /** Answers by status, faults told apart: `429 fault`, `429 rate limit`, `500 fault`. */
  byStatus: Record<string, number>;
  /** Requests per credential (per backend replica). */
  byCredential: Record<string, number>;
  /**
   * Consecutive requests of one credential, in arrival order. Two runs of
   * one provider overlapping on two replicas show as many alternating
   * segments; runs one after the other as one segment per run.
   */
  segments: RequestSegment[];
  /** Segments left out of `segments` (only the first 200 are kept). */
  segmentsLeftOut: number;
  firstRequestAt?: string;
  lastRequestAt?: string;
  /** Largest number of requests answered in one rate window, when limited. */
  peakRequestsPerWindow?: number;
}

/** Messages from the benchmark to a simulator. */
export type SimulatorCommand =
  | { type: 'configure'; faults: boolean }
  | { type: 'stats'; reset?: boolean }
  | { type: 'ids' };

/** Messages from a simulator to the benchmark. */
export type SimulatorMessage =
  | {
      type: 'ready';
      name: string;
      port: number;
      /** Records the source holds, by kind. */
      counts: Record<string, number>;
      /** Other facts worth printing (rows of related tables). */
      facts: Record<string, number>;
      setupMs: number;
    }
  | { type: 'configured' }
  | { type: 'stats'; stats: SimulatorStats }
  | { type: 'ids'; ids: Record<string, string[]> };

const MAX_SEGMENTS = 200;

/** Counts requests and decides which ones fail. */
export class RequestLedger {
  readonly plan: FaultPlan = { enabled: true, every429: 5, every500: 7 };
  #stats!: SimulatorStats;
  #credential?: string;

  constructor(readonly name: string) {
    this.reset();
  }

  reset() {
    this.#credential = undefined;
    this.#stats = {
      name: this.name,
      requests: 0,
      byStatus: {},
      byCredential: {},
      segments: [],
      segmentsLeftOut: 0,
    };
  }

  /**
   * Counts a request and returns the fault it gets, if any: the request's
   * number n (1-based, per server, over the whole run) fails with a 429 when
   * n is a multiple of 5, else with a 500 when n is a multiple of 7.
   */
  admit(credential: string, now: number): '429' | '500' | undefined {
    const stats = this.#stats;
    stats.requests += 1;
    const at = new Date(now).toISOString();
    stats.firstRequestAt ??= at;
    stats.lastRequestAt = at;
    stats.byCredential[credential] = (stats.byCredential[credential] ?? 0) + 1;
    if (credential !== this.#credential) {
      this.#credential = credential;
      if (stats.segments.length < MAX_SEGMENTS) {
        stats.segments.push({ credential, first: at, last: at, requests: 0 });
      } else {
        stats.segmentsLeftOut += 1;
      }
    }
    if (stats.segmentsLeftOut === 0) {
      const last = stats.segments[stats.segments.length - 1];
      last.last = at;
      last.requests += 1;
    }
    if (!this.plan.enabled) return undefined;
    const n = stats.requests;
    if (n % this.plan.every429 === 0) return '429';
    if (n % this.plan.every500 === 0) return '500';
    return undefined;
  }

  /** Counts an answer under its status (or a fault's label). */
  answered(label: string) {
    this.#stats.byStatus[label] = (this.#stats.byStatus[label] ?? 0) + 1;
  }

  notePeakWindow(requests: number) {
    this.#stats.peakRequestsPerWindow = Math.max(
      this.#stats.peakRequestsPerWindow ?? 0,
      requests,
    );
  }

  get stats(): SimulatorStats {
    return JSON.parse(JSON.stringify(this.#stats));
  }
}

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): SimulatedResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Runs a simulator in this (child) process: listens on 127.0.0.1, answers
 * with `handle`, follows the benchmark's commands over IPC, prints its
 * counts when it ends and never outlives the benchmark.
 */
export async function runSimulator(options: {
  name: string;
  ledger: RequestLedger;
  setup(): { counts: Record<string, number>; facts: Record<string, number> };
  handle(request: SimulatedRequest): Promise<SimulatedResponse>;
  ids(): Record<string, string[]>;
}) {
  const { name, ledger } = options;
  const send = (message: SimulatorMessage) => process.send!(message);
  const started = Date.now();
  const { counts, facts } = options.setup();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    readBody(req)
      .then(body =>
        options.handle({
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', 'http://127.0.0.1'),
          headers: req.headers,
          body,
        }),
      )
      .catch(
        (error): SimulatedResponse =>
          json(599, { error: { message: `simulator bug: ${error}` } }),
      )
      .then(answer => {
        res.writeHead(answer.status, {
          ...answer.headers,
          'content-length': String(Buffer.byteLength(answer.body)),
        });
        res.end(answer.body);
      });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );

  const printStats = () => {
    const { requests, byStatus } = ledger.stats;
    process.stderr.write(
      `[${name} simulator] ${requests} requests: ${Object.entries(byStatus)
        .map(([status, n]) => `${n} × ${status}`)
        .join(', ')}\n`,
    );
  };
  process.on('SIGTERM', () => {
    printStats();
    process.exit(0);
  });
  // Never outlive the benchmark, however it ends.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: SimulatorCommand) => {
    if (message?.type === 'configure') {
      ledger.plan.enabled = message.faults;
      send({ type: 'configured' });
    } else if (message?.type === 'stats') {
      send({ type: 'stats', stats: ledger.stats });
      if (message.reset) ledger.reset();
    } else if (message?.type === 'ids') {
      send({ type: 'ids', ids: options.ids() });
    }
  });

  send({
    type: 'ready',
    name,
    port: (server.address() as AddressInfo).port,
    counts,
    facts,
    setupMs: Date.now() - started,
  });
}

/** Reads `--name value` from this process's arguments. */
export function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}
