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

import type {
  ItsmApiOperations,
  ItsmApiPaths,
} from '@backstage-itsm/plugin-itsm-common';
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { parseInput } from './validation';

/** The query as Express parses it. */
type ParsedQs = Request['query'];

type Method = 'get' | 'post' | 'patch' | 'delete';
type SuccessStatus = 200 | 201 | 202 | 204;

/** The methods the spec serves at a path. */
export type ItsmMethodOf<P extends keyof ItsmApiPaths> = {
  [M in Method]: ItsmApiPaths[P][M] extends undefined ? never : M;
}[Method];

/** The operation the spec serves at a path with a method. */
export type ItsmOperationAt<
  P extends keyof ItsmApiPaths,
  M extends ItsmMethodOf<P>,
> = NonNullable<ItsmApiPaths[P][M]>;

type Operation = ItsmApiOperations[keyof ItsmApiOperations];

type JsonOf<R> = R extends { content: { 'application/json': infer B } }
  ? B
  : never;

/** Every body the success response may carry, of any media type. */
type SuccessBodyOf<O extends Operation> = {
  [S in Extract<
    keyof O['responses'],
    SuccessStatus
  >]: O['responses'][S] extends {
    content: infer C;
  }
    ? C[keyof C]
    : undefined;
}[Extract<keyof O['responses'], SuccessStatus>];

/** The JSON body of an operation's response with a status, as the spec says. */
export type ItsmResponse<
  Op extends keyof ItsmApiOperations,
  Status extends keyof ItsmApiOperations[Op]['responses'],
> = JsonOf<ItsmApiOperations[Op]['responses'][Status]>;

/** The path parameters of an operation, by their names in the spec. */
export type ItsmPathParams<O extends Operation> = O['parameters'] extends {
  path: infer P;
}
  ? P
  : Record<never, string>;

/** The query parameters of an operation, by their names in the spec. */
export type ItsmQueryParams<O extends Operation> = NonNullable<
  O['parameters']['query']
>;

declare const specQuery: unique symbol;

/**
 * The query of a request as Express parses it, tagged with the parameters
 * the spec gives the operation so that `parseItsmQuery` can check the
 * schema that reads it.
 */
export type ItsmRawQuery<Q> = ParsedQs & { readonly [specQuery]?: Q };

/** A request to an operation: its path parameters are those of the spec. */
export type ItsmRequest<O extends Operation> = Request<
  ItsmPathParams<O>,
  SuccessBodyOf<O>,
  unknown,
  ItsmRawQuery<ItsmQueryParams<O>>
>;

/** A response of an operation: its body is that of the spec's success response. */
export type ItsmResponseOf<O extends Operation> = Response<SuccessBodyOf<O>>;

/** A handler of an operation, checked against the spec at compile time. */
export type ItsmHandler<O extends Operation> = (
  req: ItsmRequest<O>,
  res: ItsmResponseOf<O>,
) => Promise<void> | void;

type KeysDiffer<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>];

/**
 * Serves an operation of the spec, named by its path as the spec writes it
 * (`/records/{id}`) and its method: what the handler sends, and the names
 * of the path parameters it reads, are checked against the spec, so a spec
 * change the handler does not follow fails the type check.
 */
export function bindItsmRoute<
  P extends keyof ItsmApiPaths,
  M extends ItsmMethodOf<P>,
>(
  router: Router,
  method: M,
  path: P,
  handler: ItsmHandler<ItsmOperationAt<P, M>>,
): void {
  const expressPath = path.replace(/\{([^}]+)\}/g, ':$1');
  (router[method] as (path: string, handler: unknown) => void)(
    expressPath,
    handler,
  );
}

/**
 * Parses the query of a request with a shared schema of itsm-common,
 * whose fields must be the query parameters the spec gives the operation
 * (a 400 naming the field otherwise, as `parseInput`).
 */
export function parseItsmQuery<Q, T extends z.ZodType>(
  schema: T,
  req: { query: ItsmRawQuery<Q> },
  ..._sameFields: KeysDiffer<z.output<T>, Q> extends [never, never]
    ? []
    : [schemaAndSpecDiffer: KeysDiffer<z.output<T>, Q>]
): z.output<T> {
  return parseInput(schema, req.query, 'query');
}
