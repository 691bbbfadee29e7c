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

import type { Entity } from '@backstage/catalog-model';
import { ANNOTATION_PAGERDUTY_SERVICE_ID } from '@backstage-itsm/plugin-itsm-common';
import type {
  ItsmContact,
  ItsmEscalationLevel,
  ItsmOwnershipFacts,
  ItsmOwnershipSource,
} from '@backstage-itsm/plugin-itsm-node';
import {
  PagerDutyClient,
  PagerDutyEscalationPolicy,
  PagerDutyOnCall,
  PagerDutyReference,
  PagerDutyRequestError,
  PagerDutyService,
} from '../client';

/** How long facts about one service are served from memory. */
export const DEFAULT_OWNERSHIP_CACHE_TTL_MS = 60_000;
/** How long each request of a look-up may take, retries included, unless configured. */
export const DEFAULT_OWNERSHIP_DEADLINE_MS = 10_000;
const MAX_CACHE_ENTRIES = 1000;

/** Options of {@link PagerDutyOwnershipSource}. */
export interface PagerDutyOwnershipSourceOptions {
  /** `pagerduty:<key>`. */
  id: string;
  client: PagerDutyClient;
  /** Only these services belong to this account; undefined: any. */
  serviceIds?: string[];
  cacheTtlMs?: number;
  /**
   * Time each request of a look-up may take, retries included: the
   * ownership card waits for it. Default {@link DEFAULT_OWNERSHIP_DEADLINE_MS}.
   */
  deadlineMs?: number;
  /** The clock; for tests. */
  now?: () => number;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function contactOf(ref: PagerDutyReference | null | undefined) {
  const name = text(ref?.name) ?? text(ref?.summary);
  if (!name) return undefined;
  const contact: ItsmContact = { name };
  const email = text(ref?.email);
  const url = text(ref?.html_url);
  if (email) contact.email = email;
  if (url) contact.url = url;
  return contact;
}

/** The service ids of an entity's `pagerduty.com/service-id` annotation. */
export function serviceIdsOf(entity: Entity): string[] {
  const value = entity.metadata.annotations?.[ANNOTATION_PAGERDUTY_SERVICE_ID];
  return (value ?? '')
    .split(',')
    .map(id => id.trim())
    .filter(Boolean);
}

function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      value => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      error => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Who runs a PagerDuty service, live, for the ownership card: the service
 * (`GET /services/{id}?include[]=escalation_policies`), its escalation
 * policy's levels (rules with targets and delays) and who is on call now
 * (`GET /oncalls?escalation_policy_ids[]=...&include[]=users`).
 *
 * An entity maps through the first id of its `pagerduty.com/service-id`
 * annotation. Facts are cached per service for a minute; one request in
 * flight per service is shared by concurrent callers, and failures are not
 * cached.
 */
export class PagerDutyOwnershipSource implements ItsmOwnershipSource {
  readonly id: string;
  readonly #client: PagerDutyClient;
  readonly #serviceIds?: ReadonlySet<string>;
  readonly #ttlMs: number;
  readonly #deadlineMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<
    string,
    { expires: number; facts: Promise<ItsmOwnershipFacts | undefined> }
  >();

  constructor(options: PagerDutyOwnershipSourceOptions) {
    this.id = options.id;
    this.#client = options.client;
    this.#serviceIds = options.serviceIds
      ? new Set(options.serviceIds)
      : undefined;
    this.#ttlMs = options.cacheTtlMs ?? DEFAULT_OWNERSHIP_CACHE_TTL_MS;
    this.#deadlineMs = options.deadlineMs ?? DEFAULT_OWNERSHIP_DEADLINE_MS;
    this.#now = options.now ?? Date.now;
  }

  async getOwnershipFacts(options: {
    entity: Entity;
    signal?: AbortSignal;
  }): Promise<ItsmOwnershipFacts | undefined> {
    const [serviceId] = serviceIdsOf(options.entity);
    if (!serviceId) return undefined;
    if (this.#serviceIds && !this.#serviceIds.has(serviceId)) {
      return undefined;
    }

    const now = this.#now();
    let entry = this.#cache.get(serviceId);
    if (!entry || entry.expires <= now) {
      const facts = this.#load(serviceId);
      entry = { expires: now + this.#ttlMs, facts };
      this.#cache.delete(serviceId);
      this.#cache.set(serviceId, entry);
      facts.catch(() => {
        if (this.#cache.get(serviceId)?.facts === facts) {
          this.#cache.delete(serviceId);
        }
      });
      while (this.#cache.size > MAX_CACHE_ENTRIES) {
        const oldest = this.#cache.keys().next().value as string;
        this.#cache.delete(oldest);
      }
    }
    return abortable(entry.facts, options.signal);
  }

  async #load(serviceId: string): Promise<ItsmOwnershipFacts | undefined> {
    const path = `/services/${encodeURIComponent(serviceId)}`;
    let service: PagerDutyService | undefined;
    try {
      const body = await this.#client.get<{ service?: PagerDutyService }>(
        path,
        { 'include[]': ['escalation_policies'] },
        { deadlineMs: this.#deadlineMs },
      );
      service = body?.service;
    } catch (error) {
      // Another account's service, or one deleted since it was annotated.
      if (error instanceof PagerDutyRequestError && error.status === 404) {
        return undefined;
      }
      throw error;
    }
    if (!service || typeof service !== 'object') {
      throw new PagerDutyRequestError(
        `PagerDuty account ${this.id}: GET ${path} returned no service`,
        { retryable: false },
      );
    }

    const facts: ItsmOwnershipFacts = {
      sourceId: this.id,
      sourceName: 'PagerDuty',
      asOf: new Date(this.#now()).toISOString(),
    };
    const url = text(service.html_url);
    if (url) facts.url = url;
    const team = contactOf(
      Array.isArray(service.teams) ? service.teams[0] : undefined,
    );
    if (team) facts.supportGroup = team;

    let policy = service.escalation_policy ?? undefined;
    const policyId = text(policy?.id);
    if (policyId && !Array.isArray(policy?.escalation_rules)) {
      // A bare reference (include[] not honoured): read the policy itself.
      const body = await this.#client.get<{
        escalation_policy?: PagerDutyEscalationPolicy;
      }>(
        `/escalation_policies/${encodeURIComponent(policyId)}`,
        {},
        { deadlineMs: this.#deadlineMs },
      );
      policy = body?.escalation_policy ?? policy;
    }
    if (!policy || !policyId) return facts;

    const onCalls: PagerDutyOnCall[] = [];
    for await (const page of this.#client.getPages<PagerDutyOnCall>(
      '/oncalls',
      'oncalls',
      {
        'escalation_policy_ids[]': [policyId],
        'include[]': ['users'],
        time_zone: 'UTC',
      },
      100,
      { deadlineMs: this.#deadlineMs },
    )) {
      onCalls.push(...page);
    }

    const levels = escalationLevels(policy, onCalls);
    facts.escalationPolicy = {
      name: text(policy.name) ?? text(policy.summary) ?? policyId,
      ...(text(policy.html_url) ? { url: text(policy.html_url) } : {}),
      levels,
    };
    // Who is paged first: the lowest level that has someone on call.
    const first = levels.find(level =>
      onCalls.some(o => o?.escalation_level === level.level),
    );
    if (first) facts.onCall = first.targets;
    return facts;
  }
}

/**
 * The levels of an escalation policy. Each rule is a level (1-based) with its
 * delay; its targets are the people on call at that level now (from
 * `/oncalls`), or the rule's own targets (users, schedules) when nobody is.
 * Levels that only `/oncalls` knows are added after the rules.
 */
export function escalationLevels(
  policy: PagerDutyEscalationPolicy,
  onCalls: ReadonlyArray<PagerDutyOnCall>,
): ItsmEscalationLevel[] {
  const byLevel = new Map<number, ItsmContact[]>();
  const seen = new Set<string>();
  for (const onCall of onCalls) {
    const level = onCall?.escalation_level;
    const contact = contactOf(onCall?.user);
    if (typeof level !== 'number' || !contact) continue;
    const key = `${level}:${text(onCall.user?.id) ?? contact.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    byLevel.set(level, [...(byLevel.get(level) ?? []), contact]);
  }

  const rules = Array.isArray(policy.escalation_rules)
    ? policy.escalation_rules
    : [];
  const levels: ItsmEscalationLevel[] = rules.map((rule, index) => {
    const level = index + 1;
    const targets =
      byLevel.get(level) ??
      (Array.isArray(rule?.targets) ? rule.targets : [])
        .map(contactOf)
        .filter((c): c is ItsmContact => c !== undefined);
    const delay = rule?.escalation_delay_in_minutes;
    return {
      level,
      targets,
      ...(typeof delay === 'number' ? { delayMinutes: delay } : {}),
    };
  });
  for (const [level, targets] of [...byLevel].sort(([a], [b]) => a - b)) {
    if (level > rules.length) levels.push({ level, targets });
  }
  return levels.sort((a, b) => a.level - b.level);
}
