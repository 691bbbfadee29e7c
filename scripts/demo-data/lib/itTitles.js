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

// Titles of IT incidents, changes and problems.

'use strict';

const BROWSERS = [
  'Safari',
  'Firefox',
  'Edge',
  'Chrome on Android',
  'Safari on iOS 19',
];

/** Incident titles per component: severe ones for P1/P2, the rest for P3/P4. */
const INCIDENT_TITLES = {
  'checkout-web': {
    severe: [
      'Checkout returns HTTP 502 for card payments',
      'Checkout page fails to load for {pct}% of customers',
      'Basket empties on the payment step after release',
      'Orders placed but confirmation page times out',
    ],
    minor: [
      'Delivery slot picker shows wrong slots on {browser}',
      'Promo codes in lower case rejected at checkout',
      'Address lookup slow for Irish Eircodes',
      'Typo in the order summary e-mail',
      'Saved cards not shown to returning customers on {browser}',
    ],
  },
  'payments-api': {
    severe: [
      'Payments API authorisations failing with HTTP 500',
      'Refunds stuck in pending after deploy',
      'Payments API p99 latency above 4 s',
      'Apple Pay payments declined for all customers',
    ],
    minor: [
      'Partial refunds off by 1p (rounding)',
      'Payments API returns 500 instead of 400 for an unknown currency',
      'Duplicate webhook deliveries to the ledger',
      'Overnight capture batch running slow',
    ],
  },
  'card-gateway-adapter': {
    severe: [
      'Acquirer connection down: card authorisations timing out',
      'Acquirer responses mis-mapped after bank certificate change',
      'Card gateway adapter pods crash-looping',
    ],
    minor: [
      'Acquirer response code 05 logged as unknown',
      'Acquirer heartbeat flapping during bank maintenance window',
      'Settlement file upload to acquirer delayed',
    ],
  },
  'ledger-service': {
    severe: [
      'Ledger not recording refunds since 02:00',
      'Ledger double-posting card captures',
    ],
    minor: [
      'Finance export missing the VAT column',
      'Ledger reconciliation report off by {n} entries',
      'Month-end balance query slow',
    ],
  },
  'fraud-scoring': {
    severe: [
      'Fraud scoring timeouts causing checkout declines',
      'Fraud model returns score 0 for every transaction',
    ],
    minor: [
      'Fraud rules screen slow to load',
      'False positives up for gift card orders',
      'Fraud score explanations missing in the agent console',
    ],
  },
  'help-centre': {
    severe: [
      'Help centre down (HTTP 503)',
      'Help centre search returns no results',
    ],
    minor: [
      'Broken images in the returns article',
      'Help centre contact form rejects valid messages as spam',
      'Outdated delivery information on the FAQ page',
      'Help centre slow on {browser}',
    ],
  },
  'ticket-router': {
    severe: [
      'Customer e-mails not routed to agents',
      'Ticket router assigning every ticket to one queue',
    ],
    minor: [
      'VIP tag not applied to priority customers',
      'Routing rule for Welsh-language tickets ignored',
      'Tickets appear in queues {n} minutes late',
    ],
  },
  'live-chat': {
    severe: ['Live chat widget not loading on the website'],
    minor: [
      'Chat transcripts not e-mailed to customers',
      'Typing indicator stuck in live chat',
      'Chat queue waiting time shown wrongly',
      'Agents disconnected from live chat every hour',
    ],
  },
  'agent-console': {
    severe: ['Agent console login fails for all agents'],
    minor: [
      'Order lookup slow in the agent console',
      'Refund button greyed out for supervisors',
      'Customer notes not saved in the agent console',
      'Agent console layout broken on small screens',
    ],
  },
  'identity-service': {
    severe: [
      'SSO login loop for staff on {browser}',
      'SSO outage: staff cannot sign in to internal tools',
      'MFA push notifications not delivered',
      'Customer login returns HTTP 500 after signing key rotation',
    ],
    minor: [
      'Password reset e-mail delayed by {n} minutes',
      'Group sync from the HR system misses new starters',
      'SSO session expires after 10 minutes for some users',
      'SAML metadata for the expenses app out of date',
    ],
  },
  'api-gateway': {
    severe: [
      'API gateway returning 504 for all upstreams',
      'Rate limiting blocks mobile app traffic',
      'TLS handshake failures at the API gateway',
    ],
    minor: [
      'Gateway access logs missing request ids',
      'CORS header missing for the help centre API',
      'Canary route misconfigured for payments-api',
      'Gateway config reload takes {n} minutes',
    ],
  },
  'observability-stack': {
    severe: [
      'Metrics ingestion stopped: dashboards empty',
      'Alerting pipeline down: no pages sent',
    ],
    minor: [
      'Log search slow for queries over 24 hours',
      'Dashboards show no data for ledger-service',
      'Trace sampling dropped to 0 for checkout',
      'Log cluster disk usage above 85%',
    ],
  },
  'ci-runners': {
    severe: ['All CI jobs queued: runners offline'],
    minor: [
      'CI runners out of disk space',
      'Docker layer cache misses slow every build',
      'Flaky network on arm64 runners',
      'CI job logs truncated',
    ],
  },
  'corporate-email': {
    severe: [
      'Outbound e-mail delayed by over an hour',
      'Staff cannot receive external e-mail',
    ],
    minor: [
      'Shared mailbox not visible in Outlook for a new starter',
      'Spam filter quarantining supplier invoices',
      'Calendar invites from partners arrive as attachments',
      'Leeds DC distribution list missing members',
    ],
  },
};
const GENERIC_INCIDENT_TITLES = {
  severe: ['{title} unavailable', '{title} error rate above 20%'],
  minor: ['{title} slow for some users', 'Intermittent errors in {title}'],
};

const CHANGE_TITLES = {
  standard: [
    'Deploy {name} {version}',
    'Deploy {name} {version}',
    'Rotate TLS certificate for {name}',
    'Monthly base image patch for {name}',
    'Scale {name} to {n} replicas',
    'Update feature flags for {name}',
    'Renew API credentials used by {name}',
  ],
  normal: [
    'Release {name} {version}',
    'Database schema migration for {name}',
    'New load balancer pool for {name}',
    'Move {name} to the new Kubernetes cluster',
    'Quarterly dependency upgrade of {name}',
    'Upgrade the runtime of {name} to Node.js 22',
  ],
  emergency: [
    'Emergency: roll back {name} {version}',
    'Emergency: hotfix {name} {version}',
    'Emergency: block abusive traffic to {name}',
    'Emergency: patch {name} for CVE-2026-{cve}',
  ],
};

const PROBLEM_TITLES = [
  'Recurring timeouts between {title} and its database',
  'Memory leak in {title} after long uptime',
  'Connection pool exhaustion in {title} at peak load',
  'Certificate renewal for {title} not automated',
  'Retry storms from clients of {title}',
  'Slow queries in {title} after the nightly batch',
  'Configuration drift between {title} environments',
  'Alerts for {title} fire too late',
];

module.exports = {
  BROWSERS,
  INCIDENT_TITLES,
  GENERIC_INCIDENT_TITLES,
  CHANGE_TITLES,
  PROBLEM_TITLES,
};
