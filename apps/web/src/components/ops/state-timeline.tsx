import type { RouterState, SourceEventRecord } from "@torghut/contracts";
import { formatEasternTime } from "@/lib/format";

const LABEL: Record<RouterState, string> = {
  PRIMARY_ACTIVE: "Alpaca (primary)",
  FALLBACK_ACTIVE: "Yahoo fallback",
  BOTH_UNAVAILABLE: "no source",
};

interface Band {
  state: RouterState | null;
  from: number;
  to: number;
  event: SourceEventRecord | null;
}

/** The window as bands of router state: each transition starts a band, coloured by state. */
export function bandsOf(
  fromMs: number,
  toMs: number,
  stateAtStart: RouterState | null,
  newestFirst: readonly SourceEventRecord[],
): Band[] {
  const bands: Band[] = [];
  let current: Band = { state: stateAtStart, from: fromMs, to: toMs, event: null };
  for (const event of [...newestFirst].reverse()) {
    const at = Date.parse(event.at);
    if (event.fromState === event.toState) continue;
    bands.push({ ...current, to: at });
    current = { state: event.toState, from: at, to: toMs, event };
  }
  bands.push(current);
  return bands.filter((b) => b.to > b.from);
}

/** 24 hours of router states as coloured bands; hover or focus a band for its reason and actor. */
export function StateTimeline({
  from,
  to,
  stateAtStart,
  events,
}: {
  from: string;
  to: string;
  stateAtStart: RouterState | null;
  events: readonly SourceEventRecord[];
}) {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const bands = bandsOf(fromMs, toMs, stateAtStart, events);
  const span = toMs - fromMs;
  return (
    <div>
      <ol className="state-bands" data-testid="state-bands" aria-label="Router state over the last 24 hours">
        {bands.map((b) => {
          const text =
            `${b.state === null ? "unknown" : LABEL[b.state]} from ${formatEasternTime(b.from)} to ${formatEasternTime(b.to)}` +
            (b.event ? ` · ${b.event.reason} · by ${b.event.actor}` : "");
          return (
            <li
              key={`${b.from}-${b.state}`}
              className={`band band-${b.state ?? "unknown"}`}
              style={{ width: `${Math.max(0.4, ((b.to - b.from) / span) * 100)}%` }}
              data-state={b.state ?? "unknown"}
              title={text}
              tabIndex={0}
              aria-label={text}
            />
          );
        })}
      </ol>
      <div className="band-axis muted">
        <span>{formatEasternTime(fromMs)}</span>
        <span>
          <span className="swatch band-PRIMARY_ACTIVE" /> Alpaca{" "}
          <span className="swatch band-FALLBACK_ACTIVE" /> Yahoo{" "}
          <span className="swatch band-BOTH_UNAVAILABLE" /> none
        </span>
        <span>{formatEasternTime(toMs)}</span>
      </div>
    </div>
  );
}
