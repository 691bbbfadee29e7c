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

import { describeTokenAnswer, OAuthTokenCache, RawResponse } from './auth';
import { ServiceNowError } from './errors';

const SECRETS = [
  'S3CRET-CLIENT',
  'S3CRET-PASSWORD',
  'S3CRET-REFRESH',
  'S3CRET-ACCESS',
];

function answer(status: number, text: string): RawResponse {
  return {
    status,
    statusText: status === 200 ? 'OK' : 'Refused',
    headers: new Headers(),
    text,
  };
}

function cache(response: RawResponse) {
  return new OAuthTokenCache({
    config: {
      type: 'oauth',
      clientId: 'itsm-client',
      clientSecret: 'S3CRET-CLIENT',
      username: 'itsm-sync',
      password: 'S3CRET-PASSWORD',
    },
    endpoint: async () => response,
    instance: 'servicenow:corp',
    url: 'https://corp.service-now.com/oauth_token.do',
    configKey: 'itsm.providers.servicenow.corp',
  });
}

async function failure(response: RawResponse): Promise<ServiceNowError> {
  const error = await cache(response)
    .get()
    .catch(e => e);
  expect(error).toBeInstanceOf(ServiceNowError);
  return error;
}

function expectNoSecret(error: Error) {
  const everything = [
    error.message,
    error.stack ?? '',
    JSON.stringify(error),
    String((error as { cause?: unknown }).cause ?? ''),
  ].join('\n');
  for (const secret of SECRETS) {
    expect(everything).not.toContain(secret);
  }
}

describe('OAuth token answers in errors', () => {
  it.each([
    [
      'a refresh token without an access token',
      answer(
        200,
        JSON.stringify({
          refresh_token: 'S3CRET-REFRESH',
          scope: 'useraccount',
          token_type: 'Bearer',
        }),
      ),
      /without an access_token \(fields present: refresh_token, scope, token_type\)$/,
    ],
    [
      'an access token under another name',
      answer(200, JSON.stringify({ accessToken: 'S3CRET-ACCESS' })),
      /without an access_token \(fields present: accessToken\)$/,
    ],
    [
      'an empty access token',
      answer(
        200,
        JSON.stringify({ access_token: '', refresh_token: 'S3CRET-REFRESH' }),
      ),
      /without an access_token \(fields present: access_token, refresh_token\)$/,
    ],
    [
      'a body that is not JSON',
      answer(200, 'access=S3CRET-ACCESS&refresh=S3CRET-REFRESH'),
      /without an access_token \(the body was not JSON \(43 characters\)\)$/,
    ],
    [
      'a JSON array',
      answer(200, JSON.stringify(['S3CRET-ACCESS'])),
      /without an access_token \(the body was not a JSON object\)$/,
    ],
    [
      'an empty body',
      answer(200, ''),
      /without an access_token \(the body was empty\)$/,
    ],
    [
      'a refusal that echoes the form',
      answer(
        401,
        'grant_type=password&client_secret=S3CRET-CLIENT&password=S3CRET-PASSWORD',
      ),
      /refused the OAuth token request \(password grant\) at https:\/\/corp\.service-now\.com\/oauth_token\.do: 401 Refused \(the body was not JSON \(\d+ characters\)\)\. Check the client id, secret and grant at itsm\.providers\.servicenow\.corp\.auth$/,
    ],
    [
      'a refusal with an OAuth error code and a description',
      answer(
        401,
        JSON.stringify({
          error: 'invalid_client',
          error_description: 'client S3CRET-CLIENT unknown',
        }),
      ),
      /: 401 Refused \(error invalid_client; fields present: error, error_description\)\. Check/,
    ],
    [
      'a refusal whose error is not a code',
      answer(400, JSON.stringify({ error: 'bad secret S3CRET-CLIENT' })),
      /: 400 Refused \(fields present: error\)\. Check/,
    ],
    [
      'a transient refusal',
      answer(503, JSON.stringify({ password: 'S3CRET-PASSWORD' })),
      /: 503 Refused \(fields present: password\)$/,
    ],
  ])(
    '%s: names the fields, never the values',
    async (_name, response, message) => {
      const error = await failure(response);
      expect(error.message).toMatch(message);
      expectNoSecret(error);
    },
  );

  it('keeps field names that look like values out', () => {
    expect(
      describeTokenAnswer(
        JSON.stringify({ 'S3CRET ACCESS TOKEN VALUE': 1, ok: 2 }),
      ),
    ).toBe('fields present: (a field), ok');
  });

  it('uses the access token of a good answer', async () => {
    await expect(
      cache(
        answer(
          200,
          JSON.stringify({ access_token: 'token-1', expires_in: 1800 }),
        ),
      ).get(),
    ).resolves.toBe('token-1');
  });
});
