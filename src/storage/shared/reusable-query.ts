/**
 * Hot statements compiled once. Kysely builds, freezes and compiles a query's node tree on every
 * call (a quarter of a GET's CPU in bench:api, more than the SQLite work itself), yet the few
 * statements run on every message or request always have the same SQL: only their values change.
 * A ReusableQuery builds its query once with marker values, compiles it for the database at hand,
 * remembers where each value goes, and from then on runs the same SQL with the new values.
 *
 * Only for queries whose parameters are plain values in a fixed shape (no lists of varying
 * length, no optional clauses): `build` must produce the same SQL whatever the values.
 */
import { createQueryId, type CompiledQuery, type Compilable, type QueryResult } from 'kysely';
import type { Db } from './database.ts';

/** Where a compiled parameter comes from: the caller's value of that name, or a constant of the query. */
type Slot = { name: string } | { constant: unknown };

interface Template {
  sql: string;
  query: CompiledQuery['query'];
  slots: Slot[];
}

const MARKER = '\u0000wafleet-reusable-query-value:';

export class ReusableQuery<Params extends object, Row> {
  /** Per dialect adapter (transactions share their database's), since each dialect compiles its own SQL. */
  private readonly templates = new WeakMap<object, Template>();

  /** `names`: every value `build` takes from its params, each of which it must bind as a parameter. */
  constructor(
    private readonly names: ReadonlyArray<keyof Params & string>,
    private readonly build: (db: Db, params: Params) => Compilable<Row>,
  ) {}

  async execute(db: Db, params: Params): Promise<Row[]> {
    return (await this.run(db, params)).rows;
  }

  async executeTakeFirst(db: Db, params: Params): Promise<Row | undefined> {
    return (await this.execute(db, params))[0];
  }

  /** Rows changed by an INSERT/UPDATE/DELETE without RETURNING. */
  async executeCount(db: Db, params: Params): Promise<number> {
    return Number((await this.run(db, params)).numAffectedRows ?? 0n);
  }

  private run(db: Db, params: Params): Promise<QueryResult<Row>> {
    const template = this.templateFor(db);
    const parameters = template.slots.map((slot) => ('name' in slot ? (params as Record<string, unknown>)[slot.name] : slot.constant));
    const compiled: CompiledQuery<Row> = { sql: template.sql, query: template.query, parameters, queryId: createQueryId() };
    return db.executeQuery(compiled);
  }

  private templateFor(db: Db): Template {
    const adapter = db.getExecutor().adapter;
    let template = this.templates.get(adapter);
    if (!template) {
      const markers = Object.fromEntries(this.names.map((name) => [name, `${MARKER}${name}`])) as Params;
      const compiled = this.build(db, markers).compile();
      const slots = compiled.parameters.map((value): Slot =>
        typeof value === 'string' && value.startsWith(MARKER) ? { name: value.slice(MARKER.length) } : { constant: value },
      );
      const bound = new Set(slots.flatMap((slot) => ('name' in slot ? [slot.name] : [])));
      const unbound = this.names.filter((name) => !bound.has(name));
      if (unbound.length > 0) throw new Error(`A reusable query must bind ${unbound.join(', ')} as parameters: ${compiled.sql}`);
      template = { sql: compiled.sql, query: compiled.query, slots };
      this.templates.set(adapter, template);
    }
    return template;
  }
}
