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
 * The demo catalog's components (examples/components.yaml) with the vendor
 * annotations records map by, so the simulated sources can put records on
 * them and the benchmark can ask for their metrics.
 */

import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';

export interface DemoComponent {
  ref: string;
  system?: string;
  ciSysIds: string[];
  pagerDutyServiceIds: string[];
}

export const DEMO_COMPONENTS_FILE = resolvePath(
  __dirname,
  '../../../../examples/components.yaml',
);

/** Reads the simple, flat YAML of the demo components (no YAML library needed). */
export function readDemoComponents(
  file = DEMO_COMPONENTS_FILE,
): DemoComponent[] {
  const components: DemoComponent[] = [];
  for (const document of readFileSync(file, 'utf8').split(/^---\s*$/m)) {
    if (!/^kind:\s*Component\s*$/m.test(document)) continue;
    const value = (key: string) =>
      new RegExp(
        `^\\s+${key.replace(/[./]/g, '\\$&')}:\\s*'?([^'\\n#]+?)'?\\s*$`,
        'm',
      )
        .exec(document)?.[1]
        ?.trim();
    const list = (key: string) =>
      (value(key) ?? '')
        .split(',')
        .map(v => v.trim())
        .filter(Boolean);
    const name = value('name');
    if (!name) continue;
    const system = value('system');
    components.push({
      ref: `component:default/${name}`,
      system: system ? `system:default/${system}` : undefined,
      ciSysIds: list('servicenow.com/ci-sysid'),
      pagerDutyServiceIds: list('pagerduty.com/service-id'),
    });
  }
  return components;
}
