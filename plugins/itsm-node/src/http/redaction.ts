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

/** Shorter parts of a credential are not redacted on their own: too common. */
const MIN_SECRET_LENGTH = 6;

/**
 * The forms of a credential a source could repeat back: the header value,
 * its token after the scheme (`Bearer t`, `Token token=t`), a Basic pair
 * decoded and its password, each also URL-encoded (an echoed form body).
 */
export function secretForms(value: string): string[] {
  const forms = new Set<string>([value]);
  const token = value.replace(/^[A-Za-z-]+\s+(token=)?/, '');
  forms.add(token);
  if (/^basic\s/i.test(value)) {
    const pair = Buffer.from(token, 'base64').toString('utf8');
    forms.add(pair);
    const colon = pair.indexOf(':');
    if (colon >= 0) forms.add(pair.slice(colon + 1));
  }
  for (const form of [...forms]) {
    forms.add(encodeURIComponent(form));
    forms.add(new URLSearchParams({ v: form }).toString().slice(2));
  }
  return [...forms].filter(f => f.length >= MIN_SECRET_LENGTH);
}

/**
 * A network failure in one line: undici's `fetch failed` says little, its
 * cause's code (ECONNRESET, ECONNREFUSED) says what happened. The messages
 * carry no cause chain, so a give-up message does not repeat itself.
 */
export function describeNetworkError(error: unknown): string {
  const message = scrubUrls((error as Error)?.message ?? String(error));
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })
    ?.cause;
  let code: string | undefined;
  if (typeof cause?.code === 'string') {
    code = cause.code;
  } else if (typeof cause?.message === 'string') {
    code = cause.message;
  }
  return code && !message.includes(code)
    ? `${message} (${scrubUrls(code)})`
    : message;
}

/**
 * A message without the user info and query of any URL in it: Node's fetch
 * names the whole URL in some of its errors, and either part may hold a
 * secret (a password, an API key in a query parameter).
 */
function scrubUrls(text: string): string {
  return text.replace(
    /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*@)?([^\s?#]*)(\?[^\s#]*)?/gi,
    '$1$3',
  );
}
