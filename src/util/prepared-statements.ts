import type Database from 'better-sqlite3';

/**
 * better-sqlite3 statements prepared once per SQL text. Only for fixed texts (or a bounded set of
 * them): the map keeps every text it is given.
 */
export class PreparedStatements {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  get(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }
}
