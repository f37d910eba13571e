import { z } from "zod";

/** Where a price came from. `backfill` marks bars fetched after the fact to close a gap. */
export const sourceNameSchema = z.enum(["alpaca", "yahoo", "backfill"]);
export type SourceName = z.infer<typeof sourceNameSchema>;

/** Travels with every tick, bar and API answer; the UI's DELAYED badge reads `delayed`, never guesses. */
export const provenanceSchema = z.object({
  source: sourceNameSchema,
  delayed: z.boolean(),
});
export type Provenance = z.infer<typeof provenanceSchema>;
