import { memo } from "react";

/**
 * The day's path in 5-minute closes, coloured by where it ends against the previous close. Memoised:
 * a row re-renders on every tick, its sparkline only when the REST summary brings new points.
 */
export const Sparkline = memo(function Sparkline({
  points,
  reference,
  label,
}: {
  points: readonly number[];
  reference: number | null;
  label: string;
}) {
  const W = 72;
  const H = 20;
  if (points.length < 2)
    return (
      <span className="muted" aria-label={`${label}: no intraday data`}>
        —
      </span>
    );
  const values = reference === null ? points : [...points, reference];
  const min = Math.min(...values);
  const span = Math.max(...values) - min || 1;
  const y = (v: number) => (H - 2 - ((v - min) / span) * (H - 4) + 1).toFixed(1);
  const path = points.map((v, i) => `${((i / (points.length - 1)) * W).toFixed(1)},${y(v)}`).join(" ");
  const last = points[points.length - 1]!;
  const tone = reference === null || last === reference ? "flat" : last > reference ? "up" : "down";
  return (
    <svg className={`sparkline spark-${tone}`} width={W} height={H} role="img" aria-label={label}>
      {reference === null ? null : (
        <line x1={0} x2={W} y1={y(reference)} y2={y(reference)} className="spark-ref" />
      )}
      <polyline points={path} fill="none" />
    </svg>
  );
});
