import type { RouterState, SourceEventRecord } from "@torghut/contracts";
const ET_DAY_TIME = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** "Dec 2, 07:34 ET": a 24-hour window needs the day. */
const dayAndTime = (ms: number): string => `${ET_DAY_TIME.format(ms)} ET`;

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
  now?: { state: RouterState; sinceMs: number } | null,
): Band[] {
  const bands: Band[] = [];
  let current: Band = { state: stateAtStart, from: fromMs, to: toMs, event: null };
  for (const event of [...newestFirst].reverse()) {
    const at = Date.parse(event.at);
    if (event.fromState === event.toState) continue;
    bands.push({ ...current, to: at });
    current = { state: event.toState, from: at, to: toMs, event };
  }
  // No recorded transition says what the state has been since start: the router itself does.
  if (current.state === null && now !== undefined && now !== null) {
    const since = Math.max(current.from, Math.min(now.sinceMs, toMs));
    bands.push({ ...current, to: since }, { state: now.state, from: since, to: toMs, event: null });
  } else bands.push(current);
  return bands.filter((b) => b.to > b.from);
}

/** 24 hours of router states as coloured bands; hover or focus a band for its reason and actor. */
export function StateTimeline({
  from,
  to,
  stateAtStart,
  events,
  now,
}: {
  from: string;
  to: string;
  stateAtStart: RouterState | null;
  events: readonly SourceEventRecord[];
  /** The router's state now and since when (for a window with no recorded transition). */
  now: { state: RouterState; sinceMs: number } | null;
}) {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const bands = bandsOf(fromMs, toMs, stateAtStart, events, now);
  const span = toMs - fromMs;
  return (
    <div>
      <ol className="state-bands" data-testid="state-bands" aria-label="Router state over the last 24 hours">
        {bands.map((b) => {
          const text =
            `${b.state === null ? "not recorded" : LABEL[b.state]} from ${dayAndTime(b.from)} to ${dayAndTime(b.to)}` +
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
        <span>{dayAndTime(fromMs)}</span>
        <span>
          <span className="swatch band-PRIMARY_ACTIVE" /> Alpaca{" "}
          <span className="swatch band-FALLBACK_ACTIVE" /> Yahoo{" "}
          <span className="swatch band-BOTH_UNAVAILABLE" /> none{" "}
          {/* Before this server's first recorded transition the state is unknown, not "Alpaca". */}
          <span className="swatch band-unknown" /> not recorded
        </span>
        <span>{dayAndTime(toMs)}</span>
      </div>
    </div>
  );
}
