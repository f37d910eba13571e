import type { ProvenanceRun } from "@/lib/candle-columns";
import { BACKFILL_COLOR, DELAYED_UP, kindOf, UP_COLOR } from "./provenance-style";

/** What the bar colours and markers mean, with the kinds present in this chart marked as such. */
export function ProvenanceKey({ provenance }: { provenance: readonly ProvenanceRun[] }) {
  const present = new Set(provenance.map(kindOf));
  const item = (kind: "live" | "delayed" | "backfill", swatch: string, text: string) => (
    <li data-testid={`provenance-${kind}`} data-present={present.has(kind)}>
      <span className="swatch" style={{ background: swatch }} aria-hidden="true" />
      {text}
    </li>
  );
  return (
    <ul className="provenance-key" aria-label="What the bars mean" data-testid="provenance-key">
      {item("live", UP_COLOR, "Alpaca, real time")}
      {item("delayed", DELAYED_UP, "Yahoo fallback, DELAYED (amber, marked where it starts)")}
      {item(
        "backfill",
        BACKFILL_COLOR,
        "backfilled from the venue after the fact (▼ backfill where it starts)",
      )}
      <li>
        <span className="swatch swatch-gap" aria-hidden="true" />
        gap: bars missing inside a session (■; labelled ■ gap Nm from 3 bars)
      </li>
      <li className="muted">Times in exchange time (ET, America/New_York)</li>
    </ul>
  );
}
