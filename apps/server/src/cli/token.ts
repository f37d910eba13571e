// `npm run token -- <sub> [--admin] [--ttl 1h] [--aud AUDIENCE] [--channels lines:*,status]`
// Prints a WebSocket/ops token signed with WS_AUTH_SECRET; the last line is the token alone.
import { ConfigError, loadConfig } from "../config";
import { signToken } from "../realtime/auth";

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run token -- <sub> [--admin] [--ttl 1h] [--aud AUDIENCE] [--channels a,b]`,
  );
  process.exit(2);
}

const args = process.argv.slice(2);
let sub: string | undefined;
let admin = false;
let ttl = "1h";
let audience: string | undefined;
let channels: string[] | undefined;
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  const value = (): string => args[++i] ?? usage(`${arg} needs a value`);
  if (arg === "--admin") admin = true;
  else if (arg === "--ttl") ttl = value();
  else if (arg === "--aud") audience = value();
  else if (arg === "--channels") channels = value().split(",").filter(Boolean);
  else if (arg.startsWith("--")) usage(`unknown option ${arg}`);
  else if (sub === undefined) sub = arg;
  else usage(`unexpected argument ${arg}`);
}
if (sub === undefined) usage("missing <sub>");

let secret: string | undefined;
try {
  secret = loadConfig().WS_AUTH_SECRET;
} catch (error) {
  if (error instanceof ConfigError) usage(error.message);
  throw error;
}
if (secret === undefined) usage("WS_AUTH_SECRET is not set");

const token = await signToken({
  secret,
  sub,
  admin,
  ttl,
  ...(audience === undefined ? {} : { audience }),
  ...(channels === undefined ? {} : { channels }),
});
console.log(`token for sub=${sub}${admin ? " (admin)" : ""}, expires in ${ttl}:`);
console.log(token);
