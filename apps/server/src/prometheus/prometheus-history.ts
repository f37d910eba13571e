import type { OpsHistoryResponse, OpsSample } from "@torghut/contracts";
import { z } from "zod";
import type { Clock } from "../clock";
import { OPS_QUERIES } from "./queries";

/** Prometheus did not answer, or answered something that is not a range query result. Retryable. */
export class PrometheusQueryError extends Error {
  override readonly name = "PrometheusQueryError";
  readonly retryable = true;
}

/** `/api/v1/query_range`'s answer, as far as a matrix of [seconds, "value"] pairs. */
const rangeResponseSchema = z.object({
  status: z.literal("success"),
  data: z.object({
    resultType: z.literal("matrix"),
    result: z.array(z.object({ values: z.array(z.tuple([z.number(), z.string()])) })),
  }),
});

export interface PrometheusHistoryOptions {
  /** PROMETHEUS_URL: the server's base URL (`http://prometheus:9090`). */
  baseUrl: string;
  clock: Clock;
  /** How far back the charts go (default one hour, as the in-memory history). */
  windowMs?: number;
  /** One point every `stepMs` (default 5 s). */
  stepMs?: number;
  /** Each query gives up after this (default 3 s): the console falls back to the in-memory history. */
  timeoutMs?: number;
}

/**
 * The ops console's charts from Prometheus (`query_range`), when PROMETHEUS_URL is set: history that
 * survives restarts and covers every replica, in the same shape as the in-memory OpsHistory.
 */
export class PrometheusHistory {
  private readonly windowMs: number;
  private readonly stepMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: PrometheusHistoryOptions) {
    this.windowMs = options.windowMs ?? 3_600_000;
    this.stepMs = options.stepMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 3_000;
  }

  async read(): Promise<OpsHistoryResponse> {
    const end = Math.floor(this.options.clock.now() / this.stepMs) * this.stepMs;
    const start = end - this.windowMs;
    const byTime = new Map<number, OpsSample>();
    const figures = Object.entries(OPS_QUERIES) as [keyof typeof OPS_QUERIES, string][];
    const series = await Promise.all(figures.map(([, query]) => this.queryRange(query, start, end)));
    figures.forEach(([figure], i) => {
      for (const [seconds, value] of series[i]!) {
        const at = Math.round(seconds * 1000);
        const sample = byTime.get(at) ?? emptySample(at);
        const number = Number(value);
        sample[figure] = Number.isFinite(number) ? number : null;
        byTime.set(at, sample);
      }
    });
    const samples = [...byTime.values()].sort((a, b) => a.at - b.at);
    return { intervalMs: this.stepMs, samples, source: "prometheus", problem: null };
  }

  private async queryRange(query: string, startMs: number, endMs: number): Promise<[number, string][]> {
    const url = new URL("/api/v1/query_range", this.options.baseUrl);
    url.searchParams.set("query", query);
    url.searchParams.set("start", String(startMs / 1000));
    url.searchParams.set("end", String(endMs / 1000));
    url.searchParams.set("step", `${this.stepMs / 1000}s`);
    let body: unknown;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!response.ok) throw new PrometheusQueryError(`Prometheus answered ${response.status}`);
      body = await response.json();
    } catch (error) {
      if (error instanceof PrometheusQueryError) throw error;
      throw new PrometheusQueryError(`Prometheus unreachable: ${(error as Error).message}`, { cause: error });
    }
    const parsed = rangeResponseSchema.safeParse(body);
    if (!parsed.success) throw new PrometheusQueryError("Prometheus answered something other than a range");
    // One series per query (every query sums); none when the metric has no samples in the window.
    return parsed.data.data.result[0]?.values ?? [];
  }
}

function emptySample(at: number): OpsSample {
  return { at, messageRate: null, feedLagMs: null, writerLagMs: null, clients: null };
}
