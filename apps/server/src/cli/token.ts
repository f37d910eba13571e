// `npm run token -- <sub> [--admin | --operator] [--ttl 1h] [--aud hub|ops|hub,ops] [--channels lines:*,status]`
// Prints a hub or ops token signed with WS_AUTH_SECRET; the last line is the token alone.
// --admin/--operator mint an ops token (audience torghut-ops) unless --aud says otherwise; without
// either it is a hub token (torghut-hub) for /ws, SignalR and Socket.IO.
import { ConfigError, loadConfig } from "../config";
import {
  AuthError,
  HUB_AUDIENCE,
  OPS_AUDIENCE,
  parseTtl,
  signToken,
  type TokenAudience,
} from "../realtime/auth";

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run token -- <sub> [--admin | --operator] [--ttl 1h] [--aud hub|ops|hub,ops] [--channels a,b]`,
  );
  process.exit(2);
}

const AUDIENCES: Record<string, TokenAudience> = { hub: HUB_AUDIENCE, ops: OPS_AUDIENCE };

const args = process.argv.slice(2);
let sub: string | undefined;
let admin = false;
let ttl = "1h";
let audiences: TokenAudience[] | undefined;
let channels: string[] | undefined;
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  const value = (): string => args[++i] ?? usage(`${arg} needs a value`);
  if (arg === "--admin" || arg === "--operator") admin = true;
  else if (arg === "--ttl") ttl = value();
  else if (arg === "--aud")
    audiences = value()
      .split(",")
      .map((name) => AUDIENCES[name] ?? usage(`unknown audience ${name}: use hub, ops or hub,ops`));
  else if (arg === "--channels") channels = value().split(",").filter(Boolean);
  else if (arg.startsWith("--")) usage(`unknown option ${arg}`);
  else if (sub === undefined) sub = arg;
  else usage(`unexpected argument ${arg}`);
}
if (sub === undefined) usage("missing <sub>");

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) usage(error.message);
  throw error;
}
const secret = config.WS_AUTH_SECRET;
if (secret === undefined) usage("WS_AUTH_SECRET is not set");
let seconds: number;
try {
  seconds = parseTtl(ttl);
} catch (error) {
  usage(error instanceof AuthError ? error.message : String(error));
}
if (seconds > config.MAX_TOKEN_TTL_SECONDS)
  usage(
    `--ttl ${ttl} is over MAX_TOKEN_TTL_SECONDS (${config.MAX_TOKEN_TTL_SECONDS}s): the server would refuse it`,
  );
const audience = audiences ?? [admin ? OPS_AUDIENCE : HUB_AUDIENCE];

const token = await signToken({
  secret,
  sub,
  admin,
  ttl: seconds,
  audience,
  issuer: config.WS_TOKEN_ISSUER,
  ...(channels === undefined ? {} : { channels }),
});
console.log(`${audience.join("+")} token for sub=${sub}${admin ? " (operator)" : ""}, expires in ${ttl}:`);
console.log(token);
