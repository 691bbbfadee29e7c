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

import type { LoggerService } from '@backstage/backend-plugin-api';

/** One line a {@link createCapturingLogger} logger received. @public */
export interface CapturedLogLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta?: unknown;
}

/**
 * A logger that keeps every line, its children's included, to assert on
 * what was logged (e.g. that no personal value was). `text()` joins all
 * lines, errors and meta as JSON.
 * @public
 */
export function createCapturingLogger(): LoggerService & {
  lines: CapturedLogLine[];
  text(): string;
} {
  const lines: CapturedLogLine[] = [];
  const make = (fields: unknown): LoggerService => {
    const log =
      (level: CapturedLogLine['level']) =>
      (message: string, meta?: unknown) => {
        lines.push({
          level,
          message,
          meta:
            meta instanceof Error
              ? { name: meta.name, message: meta.message, stack: meta.stack }
              : meta ?? fields,
        });
      };
    return {
      error: log('error'),
      warn: log('warn'),
      info: log('info'),
      debug: log('debug'),
      child: meta => make(meta),
    };
  };
  const root = make(undefined);
  return Object.assign(root, {
    lines,
    text: () => JSON.stringify(lines),
  });
}
