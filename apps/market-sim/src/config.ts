/** The standalone simulator's configuration: --port / SIM_PORT (default 5010), plus a few knobs. */
import { z } from "zod";

const configSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(5010),
  host: z.string().default("127.0.0.1"),
  seed: z.coerce.number().int().default(42),
  tradesPerSecond: z.coerce.number().nonnegative().default(60),
  keyId: z.string().min(1).default("sim-key"),
  secretKey: z.string().min(1).default("sim-secret"),
});
export type SimConfig = z.infer<typeof configSchema>;

const FLAGS: Record<string, keyof SimConfig> = {
  "--port": "port",
  "--host": "host",
  "--seed": "seed",
  "--rate": "tradesPerSecond",
  "--key-id": "keyId",
  "--secret-key": "secretKey",
};

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SimConfig {
  const raw: Record<string, string | undefined> = {
    port: env.SIM_PORT,
    host: env.SIM_HOST,
    seed: env.SIM_SEED,
    tradesPerSecond: env.SIM_TRADES_PER_SECOND,
    keyId: env.SIM_KEY_ID,
    secretKey: env.SIM_SECRET_KEY,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split("=", 2);
    const name = FLAGS[flag!];
    if (!name) throw new Error(`unknown option ${argv[i]} (known: ${Object.keys(FLAGS).join(", ")})`);
    raw[name] = inline ?? argv[++i];
  }
  return configSchema.parse(
    Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== "")),
  );
}
