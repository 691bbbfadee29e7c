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

import { DateTime } from 'luxon';

/** Named instant formats besides luxon format strings. @public */
export const ITSM_NAMED_INSTANT_FORMATS = [
  'iso',
  'sql',
  'rfc2822',
  'http',
  'millis',
  'seconds',
] as const;

/**
 * How a source writes instants: a named format or a luxon format string,
 * and the zone of times written without an offset.
 * @public
 */
export interface ItsmInstantFormat {
  format: string;
  zone: string;
}

/** ISO 8601, times without an offset in UTC. @public */
export const DEFAULT_ITSM_INSTANT_FORMAT: ItsmInstantFormat = {
  format: 'iso',
  zone: 'UTC',
};

const NUMBER = /^-?\d+(\.\d+)?$/;

function toDateTime(text: string, { format, zone }: ItsmInstantFormat) {
  switch (format) {
    case 'iso':
      return DateTime.fromISO(text, { zone });
    case 'sql':
      return DateTime.fromSQL(text, { zone });
    case 'rfc2822':
      return DateTime.fromRFC2822(text, { zone });
    case 'http':
      return DateTime.fromHTTP(text, { zone });
    case 'millis':
      return NUMBER.test(text)
        ? DateTime.fromMillis(Number(text), { zone })
        : DateTime.invalid('not a number');
    case 'seconds':
      return NUMBER.test(text)
        ? DateTime.fromSeconds(Number(text), { zone })
        : DateTime.invalid('not a number');
    default:
      return DateTime.fromFormat(text, format, { zone });
  }
}

/**
 * Parses an instant as the source writes it into a UTC ISO string
 * (`2026-03-02T10:04:00.000Z`), or undefined when it does not parse.
 * @public
 */
export function parseItsmInstant(
  text: string,
  format: ItsmInstantFormat = DEFAULT_ITSM_INSTANT_FORMAT,
): string | undefined {
  const parsed = toDateTime(text.trim(), format);
  return parsed.isValid ? parsed.toUTC().toISO() ?? undefined : undefined;
}

/** Writes a UTC ISO instant in a source's format (for query parameters). @public */
export function formatItsmInstant(
  iso: string,
  { format, zone }: ItsmInstantFormat,
): string {
  const at = DateTime.fromISO(iso, { zone: 'UTC' }).setZone(zone);
  switch (format) {
    case 'iso':
      return at.toISO()!;
    case 'sql':
      return at.toSQL({ includeOffset: false })!;
    case 'rfc2822':
      return at.toRFC2822()!;
    case 'http':
      return at.toHTTP()!;
    case 'millis':
      return String(at.toMillis());
    case 'seconds':
      return String(Math.floor(at.toSeconds()));
    default:
      return at.toFormat(format);
  }
}

/**
 * Why a format or zone cannot work, or undefined when it can: the zone must
 * be one luxon knows, and a format string must read back what it writes.
 * @public
 */
export function checkItsmInstantFormat(
  format: ItsmInstantFormat,
): string | undefined {
  if (!DateTime.now().setZone(format.zone).isValid) {
    return `'${format.zone}' is not a time zone; use an IANA zone such as Europe/London, or UTC`;
  }
  if (
    (ITSM_NAMED_INSTANT_FORMATS as readonly string[]).includes(format.format)
  ) {
    return undefined;
  }
  if (format.format.trim() === '') {
    return 'must not be empty';
  }
  const sample = DateTime.fromISO('2026-10-17T14:35:56Z').setZone(format.zone);
  const written = sample.toFormat(format.format);
  if (written === format.format || !toDateTime(written, format).isValid) {
    return `'${
      format.format
    }' is neither a luxon format that reads back what it writes nor one of ${ITSM_NAMED_INSTANT_FORMATS.join(
      ', ',
    )}`;
  }
  return undefined;
}
