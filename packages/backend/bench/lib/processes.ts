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
 * The processes the faults benchmark starts: the simulators (forked, with
 * an IPC channel) and the real backend (packages/backend, node with the
 * backstage-cli transform). Each runs in its own process group and is
 * stopped with its group, whatever happens to the benchmark.
 */

import { ChildProcess, fork, spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import type {
  SimulatorCommand,
  SimulatorMessage,
  SimulatorStats,
} from './simulator';

const BACKEND_DIR = resolvePath(__dirname, '../..');
const NODE_TRANSFORM = require.resolve(
  '@backstage/cli/config/nodeTransform.cjs',
);

const groups = new Set<number>();

/** Kills every process group still running; safe to call more than once. */
export function killAll(signal: NodeJS.Signals = 'SIGKILL') {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, signal);
    } catch {
      // already gone
    }
  }
  groups.clear();
}

/** Resolves when the process has exited, or after `timeoutMs` (false). */
function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(true);
  }
  return new Promise(resolve => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Stops a process group: SIGTERM, then SIGKILL after `graceMs`. */
async function stopGroup(child: ChildProcess, graceMs: number) {
  const pgid = child.pid!;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    // already gone
  }
  if (!(await exited(child, graceMs))) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited(child, 5000);
  }
  groups.delete(pgid);
}

export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Timed out after ${ms} ms: ${what}`)),
        ms,
      );
    }),
  ]);
}

export function sleep(ms: number) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A simulator child process, driven over IPC. */
export class Simulator {
  private constructor(
    readonly child: ChildProcess,
    readonly ready: Extract<SimulatorMessage, { type: 'ready' }>,
  ) {}

  get baseUrl() {
    return `http://127.0.0.1:${this.ready.port}`;
  }

  static async start(
    file: string,
    args: string[],
    timeoutMs: number,
  ): Promise<Simulator> {
    const child = fork(resolvePath(__dirname, file), args, {
      execArgv: ['--require', NODE_TRANSFORM],
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    groups.add(child.pid!);
    const ready = await withTimeout(
      Simulator.#next<Extract<SimulatorMessage, { type: 'ready' }>>(
        child,
        'ready',
      ),
      timeoutMs,
      `simulator ${file} to start`,
    );
    return new Simulator(child, ready);
  }

  static #next<T extends SimulatorMessage>(
    child: ChildProcess,
    type: T['type'],
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const listeners = {
        message: (message: SimulatorMessage) => {
          if (message?.type === type) {
            listeners.remove();
            resolve(message as T);
          }
        },
        exit: (code: number | null) => {
          listeners.remove();
          reject(new Error(`simulator exited (${code}) before '${type}'`));
        },
        remove: () => {
          child.off('message', listeners.message);
          child.off('exit', listeners.exit);
        },
      };
      child.on('message', listeners.message);
      child.on('exit', listeners.exit);
    });
  }

  async #ask<T extends SimulatorMessage>(
    command: SimulatorCommand,
    type: T['type'],
  ): Promise<T> {
    const answer = Simulator.#next<T>(this.child, type);
    this.child.send(command);
    return withTimeout(answer, 60_000, `simulator answer '${type}'`);
  }

  async configure(faults: boolean) {
    await this.#ask({ type: 'configure', faults }, 'configured');
  }

  async stats(reset = false): Promise<SimulatorStats> {
    const answer = await this.#ask<
      Extract<SimulatorMessage, { type: 'stats' }>
    >({ type: 'stats', reset }, 'stats');
    return answer.stats;
  }

  async ids(): Promise<Record<string, string[]>> {
    const answer = await this.#ask<Extract<SimulatorMessage, { type: 'ids' }>>(
      { type: 'ids' },
      'ids',
    );
    return answer.ids;
  }

  /** Why the simulator ended, while the benchmark still needs it; undefined while it runs. */
  get exited(): string | undefined {
    const { exitCode, signalCode } = this.child;
    if (exitCode === null && signalCode === null) return undefined;
    return `the ${this.ready.name} simulator ended (${
      signalCode ?? `exit code ${exitCode}`
    })`;
  }

  /** Ends the simulator; it prints its counts on SIGTERM. */
  async stop() {
    await stopGroup(this.child, 5000);
  }
}

/** One real backend (packages/backend) on its own port. */
export class Backend {
  #child?: ChildProcess;
  #peakRssKb = 0;
  #lives = 0;
  /** Set while this benchmark stops or kills the backend on purpose. */
  #stopping = false;

  constructor(
    readonly options: {
      name: string;
      port: number;
      configs: string[];
      logFile: string;
      token: string;
    },
  ) {}

  get baseUrl() {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get pid() {
    return this.#child?.pid;
  }

  /** The highest peak RSS (VmHWM) of every process this backend ran as, in KiB. */
  get peakRssKb() {
    this.#sampleRss();
    return this.#peakRssKb;
  }

  #sampleRss() {
    const pid = this.#child?.pid;
    if (!pid || this.#child?.exitCode !== null) return;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
      if (match) {
        this.#peakRssKb = Math.max(this.#peakRssKb, Number(match[1]));
      }
    } catch {
      // gone
    }
  }

  /** Starts the backend and waits until it is ready. Returns the ms it took. */
  async start(timeoutMs: number): Promise<number> {
    const started = Date.now();
    this.#lives += 1;
    this.#stopping = false;
    const log = openSync(this.options.logFile, 'a');
    const args = [
      '--require',
      NODE_TRANSFORM,
      '--require',
      resolvePath(__dirname, 'exitWithParent.js'),
      'src/index.ts',
      ...this.options.configs.flatMap(config => ['--config', config]),
    ];
    const child = spawn(process.execPath, args, {
      cwd: BACKEND_DIR,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        NODE_ENV: 'development',
        ITSM_FAULTS_BENCH_PID: String(process.pid),
        ITSM_STATIC_TOKEN: this.options.token,
        FORCE_COLOR: '0',
      },
    });
    closeSync(log);
    groups.add(child.pid!);
    this.#child = child;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${this.options.name} exited while starting (see ${this.options.logFile})`,
        );
      }
      try {
        const response = await fetch(
          `${this.baseUrl}/.backstage/health/v1/readiness`,
          { signal: AbortSignal.timeout(2000) },
        );
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${this.options.name} not ready after ${timeoutMs} ms (see ${this.options.logFile})`,
        );
      }
      await sleep(500);
    }
    return Date.now() - started;
  }

  /** Why the backend ended when nobody stopped it; undefined while it runs. */
  get exited(): string | undefined {
    const child = this.#child;
    if (!child || this.#stopping) return undefined;
    const { exitCode, signalCode } = child;
    if (exitCode === null && signalCode === null) return undefined;
    return `${this.options.name} ended on its own (${
      signalCode ?? `exit code ${exitCode}`
    }; see ${this.options.logFile})`;
  }

  /** SIGKILL to the backend's process group, as a crash would end it. */
  async kill9() {
    const child = this.#child;
    if (!child) return;
    this.#sampleRss();
    this.#stopping = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited(child, 10_000);
    groups.delete(child.pid!);
  }

  async stop() {
    const child = this.#child;
    if (!child) return;
    this.#sampleRss();
    this.#stopping = true;
    await stopGroup(child, 15_000);
  }

  /** Samples the peak RSS now (call while it runs). */
  sample() {
    this.#sampleRss();
  }

  get lives() {
    return this.#lives;
  }

  /** A request to the backend with the static token. */
  async request(
    path: string,
    init: { method?: string; timeoutMs?: number } = {},
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${this.options.token}` },
      signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body };
  }
}
