import type { Trade } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import type { Clock } from "../../clock";
import type { PreviousCloseBook } from "./previous-close";

/** What the `/api/torghut/ta/*` routes read: storage, the clock and the pipeline's live prices. */
export interface TaRouteDeps {
  database: Database;
  clock: Clock;
  /** Signals requests per client address per minute (indicator math runs on the HTTP thread); 0: no limit. */
  signalsPerMinutePerIp?: number;
  /** The newest accepted (non-suspicious) trade held in memory by the pipeline, if any. */
  livePrice(symbol: string): Trade | undefined;
  /** The sources' own previous closes; without it change is measured against stored bars only. */
  previousCloses?: PreviousCloseBook;
}
