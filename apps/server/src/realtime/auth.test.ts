import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, test } from "node:test";
import { SignJWT, UnsecuredJWT } from "jose";
import {
  AuthError,
  HUB_AUDIENCE,
  OPS_AUDIENCE,
  parseTtl,
  signToken,
  tokenFromRequest,
  verifyToken,
  type VerifyOptions,
} from "./auth";

const secret = "unit-test-secret-0123456789abcdef";
const previous = "the-secret-before-rotation-0123456789";
const now = Date.UTC(2026, 0, 5, 15, 0, 0);
const nowS = now / 1000;
const key = new TextEncoder().encode(secret);
const policy: VerifyOptions = { secrets: [secret], audience: HUB_AUDIENCE, now, maxTtlSeconds: 86_400 };

async function rejects(token: string, code: string, options: Partial<VerifyOptions> = {}): Promise<string> {
  let message = "";
  await assert.rejects(verifyToken(token, { ...policy, ...options }), (error: unknown) => {
    assert.ok(error instanceof AuthError);
    assert.equal(error.code, code);
    if (token !== "") assert.ok(!error.message.includes(token), "the message never carries the token");
    message = error.message;
    return true;
  });
  return message;
}

/** A hand-built token: every claim chosen by the test, signed with `with`. */
function raw(claims: Record<string, unknown>, header: { alg: string } = { alg: "HS256" }, with_ = key) {
  return new SignJWT(claims).setProtectedHeader(header).sign(with_);
}
const good = { sub: "a", iss: "torghut", aud: HUB_AUDIENCE, iat: nowS, exp: nowS + 300 };

describe("verifyToken", () => {
  test("returns sub, roles, channel permissions and exp", async () => {
    const token = await signToken({ secret, sub: "ops", admin: true, ttl: "15m", channels: ["status"], now });
    assert.deepEqual(await verifyToken(token, policy), {
      sub: "ops",
      roles: ["admin"],
      channels: ["status"],
      exp: nowS + 900,
    });
  });

  // Each row is one way a token can be wrong; each must be refused with the code shown.
  const refusals: [string, () => Promise<string>, string, Partial<VerifyOptions>?][] = [
    [
      "signed with another secret",
      () => signToken({ secret: "other-secret-0123456789abcdef-xyz", sub: "a", now }),
      "invalid_token",
    ],
    ["expired", () => signToken({ secret, sub: "a", ttl: 60, now: now - 120_000 }), "token_expired"],
    ["no exp (valid forever)", () => raw({ ...good, exp: undefined }), "invalid_token"],
    ["a 100-year lifetime", () => raw({ ...good, exp: nowS + 100 * 365 * 86_400 }), "invalid_token"],
    ["a lifetime just over the cap", () => raw({ ...good, exp: nowS + 86_401 }), "invalid_token"],
    ["no iat", () => raw({ ...good, iat: undefined }), "invalid_token"],
    ["iat in the future", () => raw({ ...good, iat: nowS + 600, exp: nowS + 900 }), "invalid_token"],
    ["nbf in the future", () => raw({ ...good, nbf: nowS + 600 }), "invalid_token"],
    ["the ops audience at the hub", () => raw({ ...good, aud: OPS_AUDIENCE }), "invalid_token"],
    ["the hub audience at ops", () => raw(good), "invalid_token", { audience: OPS_AUDIENCE }],
    ["no audience", () => raw({ ...good, aud: undefined }), "invalid_token"],
    ["another issuer", () => raw({ ...good, iss: "someone-else" }), "invalid_token"],
    ["no issuer", () => raw({ ...good, iss: undefined }), "invalid_token"],
    ["no sub", () => raw({ ...good, sub: undefined, admin: true }), "invalid_token"],
    ["an empty sub", () => raw({ ...good, sub: "" }), "invalid_token"],
    ["HS512", () => raw(good, { alg: "HS512" }), "invalid_token"],
    ["alg: none", () => Promise.resolve(new UnsecuredJWT(good).encode()), "invalid_token"],
    ["not a JWT", () => Promise.resolve("not.a.jwt"), "invalid_token"],
    [
      "signed with the previous secret, no rotation configured",
      () => signToken({ secret: previous, sub: "a", now }),
      "invalid_token",
    ],
    ["empty", () => Promise.resolve(""), "missing_token"],
  ];
  for (const [name, make, code, options] of refusals) {
    test(`refuses a token: ${name}`, async () => {
      await rejects(await make(), code, options);
    });
  }

  test("the lifetime cap is MAX_TOKEN_TTL_SECONDS and the message says so", async () => {
    const week = await signToken({ secret, sub: "a", ttl: "7d", now });
    assert.match(await rejects(week, "invalid_token", { maxTtlSeconds: 86_400 }), /over the 86400s cap/);
    assert.equal((await verifyToken(week, { ...policy, maxTtlSeconds: 8 * 86_400 })).sub, "a");
  });

  test("during a rotation, tokens of the current and the previous secret both verify", async () => {
    const rotating = { ...policy, secrets: [secret, previous] };
    const old = await signToken({ secret: previous, sub: "before", now });
    const fresh = await signToken({ secret, sub: "after", now });
    assert.equal((await verifyToken(old, rotating)).sub, "before");
    assert.equal((await verifyToken(fresh, rotating)).sub, "after");
    // A token of the previous secret is still checked in full: expiry applies.
    const oldExpired = await signToken({ secret: previous, sub: "before", ttl: 60, now: now - 120_000 });
    await rejects(oldExpired, "token_expired", { secrets: [secret, previous] });
  });

  test("a configured issuer is required", async () => {
    const token = await signToken({ secret, sub: "a", issuer: "torghut-staging", now });
    await rejects(token, "invalid_token");
    assert.equal((await verifyToken(token, { ...policy, issuer: "torghut-staging" })).sub, "a");
  });

  test("a token may carry both audiences", async () => {
    const token = await signToken({ secret, sub: "a", audience: [HUB_AUDIENCE, OPS_AUDIENCE], now });
    assert.equal((await verifyToken(token, policy)).sub, "a");
    assert.equal((await verifyToken(token, { ...policy, audience: OPS_AUDIENCE })).sub, "a");
  });
});

describe("tokens in requests and ttl", () => {
  const req = (url: string, authorization?: string) =>
    ({ url, headers: authorization === undefined ? {} : { authorization } }) as unknown as IncomingMessage;

  test("prefers the Bearer header, falls back to ?token=", () => {
    assert.equal(tokenFromRequest(req("/ws?token=q", "Bearer h")), "h");
    assert.equal(tokenFromRequest(req("/ws?x=1&token=q")), "q");
    assert.equal(tokenFromRequest(req("/ws", "Basic abc")), null);
    assert.equal(tokenFromRequest(req("/ws?token=")), null);
  });

  test("parses ttl units", () => {
    assert.equal(parseTtl("90s"), 90);
    assert.equal(parseTtl("15m"), 900);
    assert.equal(parseTtl("1h"), 3600);
    assert.equal(parseTtl("7d"), 604_800);
    assert.equal(parseTtl(42), 42);
    assert.throws(() => parseTtl("soon"), AuthError);
  });
});
