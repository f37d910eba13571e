import { z } from "zod";

/** Every refusal or failure the API and the web app's routes answer: a code and a sentence for people. */
export const apiErrorBodySchema = z.object({ error: z.string().optional(), message: z.string().optional() });
export type ApiErrorBody = z.infer<typeof apiErrorBodySchema>;
