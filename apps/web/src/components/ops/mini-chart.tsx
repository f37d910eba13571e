import type { OpsSample } from "@torghut/contracts";

type Field = Exclude<keyof OpsSample, "at">;

/** A small live chart of one figure from the server's history, with its latest value and range. */
export function MiniChart({
  samples,
  field,
  label,
  format,
}: {
  samples: readonly OpsSample[];
  field: Field;
  label: string;
  format: (value: number) => string;
}) {
  const W = 220;
  const H = 48;
  const points = samples.flatMap((s) => (s[field] === null ? [] : [{ at: s.at, v: s[field] }]));
  const latest = points.at(-1)?.v;
  let path = "";
  if (points.length >= 2) {
    const t0 = points[0]!.at;
    const span = Math.max(1, points.at(-1)!.at - t0);
    const max = Math.max(...points.map((p) => p.v), 1e-9);
    path = points
      .map((p) => `${(((p.at - t0) / span) * W).toFixed(1)},${(H - 2 - (p.v / max) * (H - 6)).toFixed(1)}`)
      .join(" ");
  }
  const max = points.length === 0 ? null : Math.max(...points.map((p) => p.v));
  return (
    <figure className="mini-chart" data-testid={`mini-${field}`} data-points={points.length}>
      <figcaption>
        <span>{label}</span>{" "}
        <strong data-testid={`mini-${field}-latest`}>{latest === undefined ? "—" : format(latest)}</strong>
      </figcaption>
      {points.length >= 2 ? (
        <svg width={W} height={H} role="img" aria-label={`${label} over the last ${points.length} samples`}>
          <polyline points={path} fill="none" />
        </svg>
      ) : (
        <p className="muted mini-empty">{points.length === 0 ? "not measured here" : "collecting…"}</p>
      )}
      <span className="muted mini-range">{max === null ? "" : `max ${format(max)}`}</span>
    </figure>
  );
}
