import type { Clock, TimerHandle } from "../../clock";
import type { PriceReader } from "./client";
import { classifyYahooError, YahooSymbolNotFoundError, type YahooError } from "./errors";
import { yahooStandbyProbesTotal } from "./metrics";

/**
 * While the primary feeds the pipeline, one Yahoo request every `intervalMs` (a rotating symbol),
 * so that the fallback's health says whether it *would* work — the worst time to find out that it
 * does not is during a failover. One request per interval stays well inside Yahoo's budget.
 */
export class StandbyProbe {
  private timer: TimerHandle | null = null;
  private cursor = 0;
  private inFlight = false;

  constructor(
    private readonly deps: {
      client: PriceReader;
      clock: Clock;
      intervalMs: number;
      symbols: () => readonly string[];
      /** A symbol Yahoo does not know says nothing about Yahoo: such answers are not reported. */
      result: (outcome: { ok: true } | { ok: false; error: YahooError }) => void;
    },
  ) {}

  /** Probes now, then every interval, until `stop()`. Idempotent; a 0 interval disables it. */
  start(): void {
    if (this.timer !== null || this.deps.intervalMs <= 0) return;
    this.timer = this.deps.clock.setInterval(() => void this.probe(), this.deps.intervalMs);
    void this.probe();
  }

  stop(): void {
    if (this.timer !== null) this.deps.clock.clearInterval(this.timer);
    this.timer = null;
  }

  async probe(): Promise<void> {
    const symbols = this.deps.symbols();
    if (this.inFlight || symbols.length === 0) return;
    const symbol = symbols[this.cursor++ % symbols.length]!;
    this.inFlight = true;
    try {
      await this.deps.client.latestPrice(symbol);
      yahooStandbyProbesTotal.inc({ outcome: "ok" });
      if (this.timer !== null) this.deps.result({ ok: true });
    } catch (err) {
      const error = classifyYahooError(err, symbol);
      yahooStandbyProbesTotal.inc({ outcome: error.name });
      if (this.timer !== null && !(error instanceof YahooSymbolNotFoundError))
        this.deps.result({ ok: false, error });
    } finally {
      this.inFlight = false;
    }
  }
}
