/**
 * Shared by the tests: a seeded random bar generator (so a failure reproduces) and a reference EMA
 * computed a deliberately different way — the closed-form weighted sum, O(n²) — so the recursive
 * implementations are checked against something that does not share their code or their shape.
 */
import { seededRandom } from "@torghut/testing";
import type { OhlcvBar } from "./types";

/** A random walk of bars `stepMs` apart; about 3% of bars have zero volume. */
export function randomBars(
  count: number,
  seed: number,
  startMs = Date.UTC(2024, 2, 8, 9),
  stepMs = 60_000,
): OhlcvBar[] {
  const random = seededRandom(seed);
  const bars: OhlcvBar[] = [];
  let close = 100;
  for (let i = 0; i < count; i++) {
    const open = close;
    close = Math.max(1, open * (1 + (random() - 0.5) * 0.01));
    const high = Math.max(open, close) + random() * 0.2;
    const low = Math.min(open, close) - random() * 0.2;
    const volume = random() < 0.03 ? 0 : Math.round(random() * 5000);
    bars.push({ time: startMs + i * stepMs, open, high, low, close, volume });
  }
  return bars;
}

/**
 * EMA_i = (1-k)^(i-p+1)·SMA_p + Σ_{j=p..i} k·(1-k)^(i-j)·x_j, evaluated from scratch for every i.
 * `nulls` is how many leading entries of `values` are null (the warm-up of a series fed into it).
 */
export function closedFormEma(values: readonly (number | null)[], period: number): (number | null)[] {
  const k = 2 / (period + 1);
  const firstValue = values.findIndex((v) => v !== null);
  return values.map((_, i) => {
    if (firstValue < 0 || i < firstValue + period - 1) return null;
    const seedEnd = firstValue + period - 1;
    let seed = 0;
    for (let j = firstValue; j <= seedEnd; j++) seed += values[j] ?? Number.NaN;
    let result = (seed / period) * (1 - k) ** (i - seedEnd);
    for (let j = seedEnd + 1; j <= i; j++) result += k * (1 - k) ** (i - j) * (values[j] ?? Number.NaN);
    return result;
  });
}

/** Asserts |actual - expected| ≤ tolerance for aligned series; nulls must line up exactly. */
export function assertClose(
  actual: readonly (number | null | undefined)[],
  expected: readonly (number | null)[],
  tolerance: number,
  label: string,
): void {
  if (actual.length !== expected.length)
    throw new Error(`${label}: length ${actual.length} ≠ ${expected.length}`);
  expected.forEach((want, i) => {
    const got = actual[i];
    if (want === null || got === null || got === undefined) {
      if (want !== got) throw new Error(`${label}[${i}]: got ${got}, want ${want}`);
      return;
    }
    if (!(Math.abs(got - want) <= tolerance)) {
      throw new Error(`${label}[${i}]: got ${got}, want ${want} ± ${tolerance}`);
    }
  });
}
