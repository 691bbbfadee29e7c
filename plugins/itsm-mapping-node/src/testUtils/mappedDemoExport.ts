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

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { ItsmCsvSource } from '../csvSource';
import { createItsmMappedProviders } from '../registerItsmMappedSources';
import type { ItsmMappedSourceModuleOptions } from '../settings';
import { createCapturingLogger } from '@backstage-itsm/plugin-itsm-node/testUtils';

/** What {@link mapDemoExport} produced. @public */
export interface MappedDemoExport {
  /** One output folder per seed, in order. */
  dirs: string[];
  /** The source's section of the app config, as written. */
  config: Record<string, any>;
  /** The records mapped from the first folder's export. */
  records: Array<Record<string, any>>;
  /** Everything the provider logged while mapping. */
  logText: string;
  /** Every value of the personal columns in the raw export. */
  personalValues: string[];
  /** Removes the folders. */
  cleanup(): Promise<void>;
}

/**
 * Runs a demo data generator once per seed and maps the first export
 * through a source of the repository's own app config (`itsm.<module>.sources.<id>`),
 * so a module's tests read the demo exactly as the portal does.
 * @public
 */
export async function mapDemoExport(options: {
  repoRoot: string;
  /** The generator script, relative to `repoRoot`; run with `--out --end --seed`. */
  generator: string;
  end: string;
  seeds: string[];
  /** The export, relative to each output folder. */
  file: string;
  /** The config path of the sources, e.g. `itsm.hr.sources`. */
  configKey: string;
  sourceId: string;
  module: ItsmMappedSourceModuleOptions;
  personalColumns: string[];
  delimiter: string;
}): Promise<MappedDemoExport> {
  const dirs: string[] = [];
  for (const seed of options.seeds) {
    const dir = await mkdtemp(path.join(tmpdir(), 'itsm-demo-export-'));
    dirs.push(dir);
    execFileSync(
      process.execPath,
      [
        path.join(options.repoRoot, options.generator),
        '--out',
        dir,
        '--end',
        options.end,
        '--seed',
        seed,
      ],
      { encoding: 'utf8' },
    );
  }
  const appConfig = JSON.parse(
    execFileSync(
      process.execPath,
      [
        '-e',
        "process.stdout.write(JSON.stringify(require('yaml').parse(require('fs').readFileSync('app-config.yaml', 'utf8'))))",
      ],
      { cwd: options.repoRoot, encoding: 'utf8' },
    ),
  );
  const keys = options.configKey.split('.');
  const sources = keys.reduce((node: any, key) => node?.[key], appConfig);
  const config = sources?.[options.sourceId];
  if (!config) {
    throw new Error(
      `No ${options.configKey}.${options.sourceId} in app-config.yaml`,
    );
  }
  const file = path.join(dirs[0], options.file);
  const nested = keys.reduceRight<Record<string, any>>(
    (inner, key) => ({ [key]: inner }),
    {
      [options.sourceId]: { ...config, csv: { ...config.csv, path: file } },
    },
  );
  const [{ provider }] = createItsmMappedProviders(
    new ConfigReader(nested),
    options.module,
  );
  const logger = createCapturingLogger();
  const records: Array<Record<string, any>> = [];
  for await (const batch of provider.sync({
    cursor: null,
    signal: new AbortController().signal,
    logger,
  })) {
    records.push(...(batch.records as Array<Record<string, any>>));
  }

  const raw = new ItsmCsvSource({
    providerId: 'raw',
    settings: { type: 'csv', path: file, delimiter: options.delimiter },
  });
  const values = new Set<string>();
  for await (const entry of raw.read({
    position: null,
    since: null,
    signal: new AbortController().signal,
    logger: createCapturingLogger(),
  })) {
    for (const column of options.personalColumns) {
      values.add(String(entry.item![column]));
    }
  }

  return {
    dirs,
    config,
    records,
    logText: logger.text(),
    personalValues: [...values],
    cleanup: async () => {
      for (const dir of dirs) {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
