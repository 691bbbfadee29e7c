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

import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

// Serves the built frontend in production.
backend.add(import('@backstage/plugin-app-backend'));

// Sign-in: guest for the local demo (app-config.yaml).
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// The catalog, read from examples/ in the demo.
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// Permissions, with the portal's own policy.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissionPolicy'));

// ITSM: records, ingestion and the API at /api/itsm; the file provider loads
// the demo data generated into examples/itsm-data.
backend.add(import('@backstage-itsm/plugin-itsm-backend'));
backend.add(import('@backstage-itsm/plugin-itsm-backend-module-file'));
// HR cases and facilities work orders from exports or REST APIs, mapped by
// config (itsm.hr.sources, itsm.facilities.sources), with their metrics.
backend.add(import('@backstage-itsm/plugin-itsm-backend-module-hr'));
backend.add(import('@backstage-itsm/plugin-itsm-backend-module-facilities'));
// The demo's continual-improvement items (itsmDemo.seedImprovements).
backend.add(import('./demoImprovements'));
// Vendor connectors: each registers nothing until itsm.providers.<vendor> is configured.
backend.add(import('@backstage-itsm/plugin-itsm-backend-module-servicenow'));
backend.add(import('@backstage-itsm/plugin-itsm-backend-module-pagerduty'));

// Search over the catalog (Postgres engine in production, Lunr in memory otherwise).
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// Starred entities and settings for signed-in users, kept in step across tabs
// through signals.
backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.start();
