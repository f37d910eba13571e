/**
 * A line chart as SVG text (no dependency): x is shared, each series has its own y axis scaled to
 * its own maximum, so a rate in rows/s and a latency in ms can share one picture.
 */
export interface PlotSeries {
  name: string;
  unit: string;
  color: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
}

const W = 820;
const H = 420;
const PAD = { left: 70, right: 30, top: 40, bottom: 60 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const short = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : n.toFixed(n < 10 ? 1 : 0);

export function lineChartSvg(title: string, xLabel: string, series: PlotSeries[]): string {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const xMax = Math.max(1, ...xs);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (v: number) => PAD.left + (v / xMax) * plotW;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
    `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#333"/>`,
    `<text x="${PAD.left + plotW / 2}" y="${H - 18}" text-anchor="middle">${esc(xLabel)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (xMax * i) / 4;
    parts.push(`<text x="${x(v)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${short(v)}</text>`);
  }
  series.forEach((s, i) => {
    const yMax = Math.max(1e-9, ...s.points.map((p) => p.y)) * 1.1;
    const y = (v: number) => H - PAD.bottom - (v / yMax) * plotH;
    const path = s.points
      .map((p, j) => `${j === 0 ? "M" : "L"}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`)
      .join(" ");
    parts.push(
      `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ` stroke-dasharray="6 4"` : ""}/>`,
    );
    for (const p of s.points)
      parts.push(`<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    parts.push(
      `<text x="${PAD.left + 8}" y="${PAD.top + 14 + i * 16}" fill="${s.color}">${esc(`${s.name} (max ${short(yMax / 1.1)} ${s.unit})`)}</text>`,
    );
  });
  parts.push(`</svg>`);
  return parts.join("\n");
}
