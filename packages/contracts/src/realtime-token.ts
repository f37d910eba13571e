import { z } from "zod";

/** The web app's `GET /api/realtime-token`: a short-lived hub token and where the hub is. */
export const realtimeTokenResponseSchema = z.object({
  token: z.string(),
  expiresAt: z.number(),
  hubUrl: z.string(),
});
export type RealtimeTokenResponse = z.infer<typeof realtimeTokenResponseSchema>;
