// The forged, expired and otherwise wrong tokens every surface must refuse, built once for the
// security suites (test/security/*). Each is what an attacker or a misconfigured client could send.
import { SignJWT, UnsecuredJWT } from "jose";
import { registry } from "../../src/metrics/registry";
import { HUB_AUDIENCE, OPS_AUDIENCE, type TokenAudience } from "../../src/realtime/auth";

export interface BadToken {
  name: string;
  token: string;
  /** The refusal code the server gives (and labels its metric with). */
  code: "missing_token" | "invalid_token" | "token_expired";
}

/** Tokens that every endpoint expecting `audience` refuses; signed with `secret` unless the case says otherwise. */
export async function badTokens(secret: string, audience: TokenAudience): Promise<BadToken[]> {
  const key = new TextEncoder().encode(secret);
  const now = Math.floor(Date.now() / 1000);
  const other: TokenAudience = audience === HUB_AUDIENCE ? OPS_AUDIENCE : HUB_AUDIENCE;
  const good = { sub: "mallory", iss: "torghut", aud: audience, iat: now, exp: now + 300, roles: ["admin"] };
  const sign = (claims: Record<string, unknown>, alg = "HS256", with_ = key) =>
    new SignJWT(claims).setProtectedHeader({ alg }).sign(with_);
  return [
    { name: "none", token: "", code: "missing_token" },
    { name: "not a JWT", token: "not.a.jwt", code: "invalid_token" },
    {
      name: "forged (another secret)",
      token: await sign(good, "HS256", new TextEncoder().encode("an-attacker-guessed-secret-0123456789")),
      code: "invalid_token",
    },
    { name: "alg: none", token: new UnsecuredJWT(good).encode(), code: "invalid_token" },
    { name: "HS512", token: await sign(good, "HS512"), code: "invalid_token" },
    {
      name: "expired",
      token: await sign({ ...good, iat: now - 3600, exp: now - 60 }),
      code: "token_expired",
    },
    { name: "no exp", token: await sign({ ...good, exp: undefined }), code: "invalid_token" },
    {
      name: "100-year lifetime",
      token: await sign({ ...good, exp: now + 100 * 365 * 86_400 }),
      code: "invalid_token",
    },
    { name: "wrong audience", token: await sign({ ...good, aud: other }), code: "invalid_token" },
    { name: "wrong issuer", token: await sign({ ...good, iss: "evil" }), code: "invalid_token" },
    { name: "no sub", token: await sign({ ...good, sub: undefined }), code: "invalid_token" },
  ];
}

/** The value of one Prometheus sample (0 when absent), e.g. `ops_requests_total{action="failover",result="unauthorized"}`. */
export async function metric(
  baseUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{([^}]*)\}/.exec(line)?.[1] ?? "";
    const found = Object.fromEntries(
      [...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]] as [string, string]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(line.split(" ").at(-1));
  }
  return 0;
}

/** The same, read from this process's registry (for servers running in the test process without /metrics). */
export async function localMetric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  const sample = found.find((v) => Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l));
  return sample?.value ?? 0;
}
