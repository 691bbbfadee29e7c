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

import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';

/** The three people of the confidentiality tests. */
export const USERS = {
  /** A member of hr-operations, which owns the HR services. */
  hr: 'user:default/fatima.haddad',
  /** A payments engineer: sees IT records, never an HR case. */
  guest: 'user:default/guest',
  /** A member of the service management office: an ITSM administrator. */
  admin: 'user:default/nadia.cole',
} as const;

export type UserKey = keyof typeof USERS;

export const GROUPS = {
  hr: 'group:default/hr-operations',
  payments: 'group:default/payments',
  smo: 'group:default/service-management-office',
} as const;

export const COMPONENTS = {
  payments: 'component:default/payments-api',
  onboarding: 'component:default/employee-onboarding',
} as const;

/** Each user's groups, as the catalog-backed user info service would say. */
const MEMBERSHIP: Record<string, string[]> = {
  [USERS.hr]: [GROUPS.hr],
  [USERS.guest]: [GROUPS.payments],
  [USERS.admin]: [GROUPS.smo],
};

/**
 * `coreServices.userInfo` for the test backend: the user's ownership refs are
 * the user and their groups, which the permission backend hands the policy as
 * `user.info.ownershipEntityRefs`.
 */
export const userInfoServiceFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials) {
      const principal = credentials.principal as {
        type?: string;
        userEntityRef?: string;
      };
      if (principal.type !== 'user' || !principal.userEntityRef) {
        throw new Error(
          `User info not available for principal type '${principal.type}'`,
        );
      }
      return {
        userEntityRef: principal.userEntityRef,
        ownershipEntityRefs: [
          principal.userEntityRef,
          ...(MEMBERSHIP[principal.userEntityRef] ?? []),
        ],
      };
    },
  }),
});

/**
 * `coreServices.auth` for the test backend: the mock auth service, except that
 * a plugin calling another on behalf of a user sends a user token with the
 * calling plugin as actor, as the real auth service does. The mock's own
 * on-behalf-of token arrives as a bare user, and the permission backend
 * refuses a bare user's conditional queries ("Direct user requests without a
 * resourceRef are not allowed"), which every sealed list needs.
 */
export const authServiceFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const auth = mockServices.auth({ pluginId: plugin.getId() });
    const issue = auth.getPluginRequestToken.bind(auth);
    auth.getPluginRequestToken = async options => {
      const principal = options.onBehalfOf.principal as {
        type?: string;
        userEntityRef?: string;
      };
      if (principal.type === 'user' && principal.userEntityRef) {
        return {
          token: mockCredentials.user.token(principal.userEntityRef, {
            actor: { subject: `plugin:${plugin.getId()}` },
          }),
        };
      }
      return issue(options);
    };
    return auth;
  },
});

function name(ref: string): string {
  return ref.slice(ref.indexOf('/') + 1);
}

function relation(type: string, targetRef: string) {
  return { type, targetRef };
}

function group(ref: string, members: string[], owns: string[]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: name(ref), namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: [
      ...members.map(m => relation('hasMember', m)),
      ...owns.map(o => relation('ownerOf', o)),
    ],
  };
}

function user(ref: string, groupRef: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: name(ref), namespace: 'default' },
    spec: { memberOf: [name(groupRef)] },
    relations: [relation('memberOf', groupRef)],
  };
}

function component(
  ref: string,
  ownerRef: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: name(ref), namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner: name(ownerRef) },
    relations: [relation('ownedBy', ownerRef)],
  };
}

/** The catalog the ITSM backend resolves entities and owners from. */
export const catalogEntities: Entity[] = [
  component(COMPONENTS.payments, GROUPS.payments),
  component(COMPONENTS.onboarding, GROUPS.hr, {
    'backstage-itsm.io/department': 'hr',
  }),
  group(GROUPS.payments, [USERS.guest], [COMPONENTS.payments]),
  group(GROUPS.hr, [USERS.hr], [COMPONENTS.onboarding]),
  group(GROUPS.smo, [USERS.admin], []),
  user(USERS.guest, GROUPS.payments),
  user(USERS.hr, GROUPS.hr),
  user(USERS.admin, GROUPS.smo),
];

/** Push providers (`push:<id>`): one per service desk. */
export const PROVIDERS = {
  it: 'push:it-desk',
  hr: 'push:hr-desk',
} as const;

export const pushProvidersConfig = {
  'it-desk': { department: 'it' },
  'hr-desk': { department: 'hr' },
};

/**
 * Every string that identifies an HR case: titles, case numbers, requesters
 * and survey comments. None may reach a reader outside HR.
 */
export const HR_SECRETS = [
  'SECRET-TITLE',
  'SECRET-COMMENT',
  'SECRET-IMPROVEMENT',
  'HR-CASE-',
  'Jane Requester',
  'Omar Requester',
];

const HOUR = 3_600_000;

/**
 * The review period the records fall in, and the instant they start at: the
 * previous UTC month, which has ended, so its review can be held (only ended
 * periods can). Records span 12 hours from `anchor`, all before now.
 */
export function chooseSeedWindow(now = Date.now()) {
  const d = new Date(now);
  const periodEnd = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const periodStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
  const p = new Date(periodStart);
  return {
    /** `YYYY-MM` */
    period: `${p.getUTCFullYear()}-${String(p.getUTCMonth() + 1).padStart(
      2,
      '0',
    )}`,
    periodStart,
    periodEnd,
    isCurrentMonth: false as boolean,
    anchor: periodStart + HOUR,
    /** A due date may not be in the past, and the period is over: none. */
    dueDate: null,
  };
}

/** Records and survey answers to push, at hours after `anchor`. */
export function seedBatches(anchor: number) {
  const at = (hours: number) => new Date(anchor + hours * HOUR).toISOString();
  const onboarding = [COMPONENTS.onboarding];
  const payments = [COMPONENTS.payments];
  const hr = {
    records: [
      {
        externalId: 'HR-CASE-1001',
        number: 'HR-CASE-1001',
        kind: 'request',
        title: 'SECRET-TITLE onboarding paperwork for Jane Requester',
        state: 'resolved',
        priority: 3,
        openedAt: at(0),
        resolvedAt: at(6),
        sourceUpdatedAt: at(6),
        assignmentGroup: 'HR Operations',
        entityRefs: onboarding,
        slas: [
          {
            name: 'HR resolution',
            kind: 'resolution',
            targetSeconds: 4 * 3600,
            stage: 'completed',
            breached: true,
            startAt: at(0),
            endAt: at(6),
            breachAt: at(4),
          },
        ],
        payload: { requester: 'Jane Requester' },
      },
      {
        externalId: 'HR-CASE-1002',
        number: 'HR-CASE-1002',
        kind: 'request',
        title: 'SECRET-TITLE payroll correction for Omar Requester',
        state: 'resolved',
        priority: 4,
        openedAt: at(1),
        resolvedAt: at(3),
        sourceUpdatedAt: at(3),
        entityRefs: onboarding,
        payload: { requester: 'Omar Requester' },
      },
      {
        externalId: 'HR-CASE-1003',
        number: 'HR-CASE-1003',
        kind: 'incident',
        title: 'SECRET-TITLE grievance escalation raised by Jane Requester',
        state: 'resolved',
        priority: 1,
        openedAt: at(2),
        acknowledgedAt: at(2.5),
        resolvedAt: at(5),
        sourceUpdatedAt: at(5),
        entityRefs: onboarding,
      },
      {
        externalId: 'HR-CASE-1004',
        number: 'HR-CASE-1004',
        kind: 'problem',
        title: 'SECRET-TITLE onboarding letters sent to the wrong person',
        state: 'in_progress',
        priority: 2,
        openedAt: at(3),
        sourceUpdatedAt: at(3),
        entityRefs: onboarding,
      },
    ],
    feedback: [
      {
        externalId: 'HR-FB-1',
        recordExternalId: 'HR-CASE-1001',
        scale: 'csat5',
        score: 2,
        respondedAt: at(7),
        comment: 'SECRET-COMMENT Jane Requester felt nobody listened',
      },
    ],
  };
  const it = {
    records: [
      {
        externalId: 'INC0010001',
        number: 'INC0010001',
        kind: 'incident',
        title: 'Payments API latency spike',
        state: 'resolved',
        priority: 2,
        openedAt: at(0),
        acknowledgedAt: at(0.25),
        resolvedAt: at(1.5),
        sourceUpdatedAt: at(1.5),
        entityRefs: payments,
      },
      {
        externalId: 'INC0010002',
        number: 'INC0010002',
        kind: 'incident',
        title: 'Card authorisation timeouts',
        state: 'resolved',
        priority: 3,
        openedAt: at(4),
        resolvedAt: at(5),
        sourceUpdatedAt: at(5),
        entityRefs: payments,
      },
      {
        // An IT ticket about an HR service: readable by everyone.
        externalId: 'INC0010003',
        number: 'INC0010003',
        kind: 'incident',
        title: 'Onboarding portal login page slow',
        state: 'resolved',
        priority: 3,
        openedAt: at(1),
        acknowledgedAt: at(1.5),
        resolvedAt: at(2),
        sourceUpdatedAt: at(2),
        entityRefs: onboarding,
      },
    ],
  };
  /** Fails validation (unknown state): lands in the HR desk's dead letters. */
  const hrDeadLetter = {
    records: [
      {
        externalId: 'HR-CASE-1999',
        kind: 'request',
        title: 'SECRET-TITLE broken case of Jane Requester',
        state: 'bogus',
        openedAt: at(0),
        sourceUpdatedAt: at(0),
      },
    ],
  };
  return { hr, it, hrDeadLetter };
}
