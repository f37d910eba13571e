import type { RouterState, SourceEventRecord } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import { toSourceEvent, type SourceEventRow } from "./repositories";

export interface EventFilter {
  fromMs: number;
  actor?: string | undefined;
  state?: RouterState | undefined;
  /** Words in the reason (case-insensitive substring). */
  q?: string | undefined;
  limit: number;
}

/**
 * The audit log in a window, newest first, filtered by actor, state (either side of a transition) and
 * reason text; plus the state in force when the window opened (the last transition before it).
 */
export async function querySourceEvents(
  database: Database,
  filter: EventFilter,
): Promise<{ events: SourceEventRecord[]; stateAtStart: RouterState | null }> {
  const from = new Date(filter.fromMs).toISOString();
  const events = await database.query<SourceEventRow>(
    `SELECT id::text, at, from_state, to_state, reason, actor FROM source_events
      WHERE at >= $1
        AND ($2::text IS NULL OR actor = $2)
        AND ($3::text IS NULL OR to_state = $3 OR from_state = $3)
        AND ($4::text IS NULL OR reason ILIKE '%' || replace(replace($4, '%', '\\%'), '_', '\\_') || '%')
      ORDER BY at DESC, id DESC LIMIT $5`,
    [from, filter.actor ?? null, filter.state ?? null, filter.q ?? null, filter.limit],
  );
  const before = await database.query<{ to_state: string }>(
    `SELECT to_state FROM source_events WHERE at < $1 AND from_state IS DISTINCT FROM to_state
      ORDER BY at DESC, id DESC LIMIT 1`,
    [from],
  );
  return {
    events: events.rows.map(toSourceEvent),
    stateAtStart: (before.rows[0]?.to_state as RouterState | undefined) ?? null,
  };
}

export async function queryRejectionsByReason(
  database: Database,
  fromMs: number,
): Promise<{ reason: string; count: number; lastAt: string }[]> {
  const result = await database.query<{ reason: string; count: number; last_at: Date | string }>(
    `SELECT reason, count(*)::int AS count, max(at) AS last_at FROM validation_rejections
      WHERE at >= $1 GROUP BY reason ORDER BY count DESC, reason`,
    [new Date(fromMs).toISOString()],
  );
  return result.rows.map((r) => ({
    reason: r.reason,
    count: r.count,
    lastAt: new Date(r.last_at).toISOString(),
  }));
}
