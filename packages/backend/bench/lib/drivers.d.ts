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

// The little of the database drivers the benchmark uses (the repository
// installs no @types for them; the backend reaches them through knex).

declare module 'better-sqlite3' {
  namespace BetterSqlite3 {
    interface Statement {
      all(...params: unknown[]): unknown[];
    }
    interface Database {
      prepare(sql: string): Statement;
      close(): void;
    }
  }
  const BetterSqlite3: {
    new (
      file: string,
      options?: {
        readonly?: boolean;
        fileMustExist?: boolean;
        timeout?: number;
      },
    ): BetterSqlite3.Database;
  };
  export default BetterSqlite3;
}

declare module 'pg' {
  export class Client {
    constructor(options: {
      connectionString?: string;
      database?: string;
      connectionTimeoutMillis?: number;
      statement_timeout?: number;
    });
    connect(): Promise<void>;
    query(
      sql: string,
      params?: unknown[],
    ): Promise<{ rows: Array<Record<string, any>> }>;
    end(): Promise<void>;
  }
}
