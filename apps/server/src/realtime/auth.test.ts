import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, test } from "node:test";
import { SignJWT } from "jose";
import { AuthError, parseTtl, signToken, tokenFromRequest, verifyToken } from "./auth";

const secret = "unit-test-secret-0123456789abcdef";
const now = Date.UTC(2026, 0, 5, 15, 0, 0);
const key = new TextEncoder().encode(secret);

async function rejects(token: string, code: string, options: { audience?: string } = {}): Promise<void> {
  await assert.rejects(verifyToken(token, { secret, now, ...options }), (error: unknown) => {
    assert.ok(error instanceof AuthError);
    assert.equal(error.code, code);
    if (token !== "") assert.ok(!error.message.includes(token), "the message never carries the token");
    return true;
  });
}

describe("verifyToken", () => {
  test("returns sub, roles, channel permissions and exp", async () => {
    const token = await signToken({ secret, sub: "ops", admin: true, ttl: "15m", channels: ["status"], now });
    const principal = await verifyToken(token, { secret, now });
    assert.deepEqual(principal, {
      sub: "ops",
      roles: ["admin"],
      channels: ["status"],
      exp: now / 1000 + 900,
    });
  });

  test("refuses a bad signature, expiry, wrong audience, nbf and iat in the future, and a missing sub", async () => {
    await rejects(await signToken({ secret: "other", sub: "a", now }), "invalid_token");
    await rejects(await signToken({ secret, sub: "a", ttl: 60, now: now - 120_000 }), "token_expired");
    await rejects(await signToken({ secret, sub: "a", audience: "x", now }), "invalid_token", {
      audience: "torghut",
    });
    const nbf = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("a")
      .setNotBefore(now / 1000 + 600)
      .sign(key);
    await rejects(nbf, "invalid_token");
    const future = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("a")
      .setIssuedAt(now / 1000 + 600)
      .sign(key);
    await rejects(future, "invalid_token");
    const anonymous = await new SignJWT({ admin: true }).setProtectedHeader({ alg: "HS256" }).sign(key);
    await rejects(anonymous, "invalid_token");
    const hs512 = await new SignJWT({}).setProtectedHeader({ alg: "HS512" }).setSubject("a").sign(key);
    await rejects(hs512, "invalid_token");
    await rejects("", "missing_token");
  });

  test("accepts the right audience", async () => {
    const token = await signToken({ secret, sub: "a", audience: "torghut", now });
    assert.equal((await verifyToken(token, { secret, now, audience: "torghut" })).sub, "a");
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
