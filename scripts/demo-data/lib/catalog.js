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

// The Northwind catalog the history is about: examples/org.yaml and
// examples/components.yaml of the repository.

'use strict';

const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const REPO_ROOT = path.resolve(__dirname, '../../..');
const EXAMPLES = path.join(REPO_ROOT, 'examples');

function loadCatalog() {
  const readAll = file =>
    YAML.parseAllDocuments(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'))
      .map(doc => doc.toJS())
      .filter(Boolean);
  const groups = new Map();
  const members = new Map();
  for (const entity of readAll('org.yaml')) {
    if (entity.kind === 'Group') {
      groups.set(
        entity.metadata.name,
        entity.metadata.title || entity.metadata.name,
      );
    } else if (entity.kind === 'User') {
      for (const group of entity.spec.memberOf || []) {
        if (!members.has(group)) members.set(group, []);
        members
          .get(group)
          .push(entity.spec.profile?.displayName || entity.metadata.name);
      }
    }
  }
  const components = readAll('components.yaml')
    .filter(entity => entity.kind === 'Component')
    .map(entity => {
      const annotations = entity.metadata.annotations || {};
      const owner = String(entity.spec.owner).replace(
        /^group:(default\/)?/,
        '',
      );
      return {
        name: entity.metadata.name,
        ref: `component:default/${entity.metadata.name}`,
        title: entity.metadata.title || entity.metadata.name,
        type: entity.spec.type,
        tags: entity.metadata.tags || [],
        tier: Number(annotations['backstage-itsm.io/tier'] || 3),
        alwaysOn: annotations['backstage-itsm.io/support-hours'] === '24x7',
        owner,
        team: groups.get(owner) || owner,
        members: members.get(owner) || [],
        system: entity.spec.system,
        sysId: annotations['servicenow.com/ci-sysid'],
        pagerDutyId: annotations['pagerduty.com/service-id'],
      };
    });
  return { components, groups, members };
}

module.exports = { EXAMPLES, loadCatalog };
