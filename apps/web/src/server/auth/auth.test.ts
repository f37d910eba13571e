import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadAuthConfig, WebConfigError, type AuthConfig } from "../../config";
import { joinPath } from "../upstream-proxy";
import { csrfFailure, csrfToken } from "./csrf";
import { clientAddress, peerAddress, resolveUser } from "./identity";
import { sessionKey } from "./keys";
import { roleFromClaims, roleFromGroups } from "./roles";
import { openSession, sealSession } from "./session";
import type { User } from "./user";

const SECRET = "web-unit-test-session-secret-0123456789";
const oidcEnv = {
  AUTH_OIDC_ISSUER: "https://login.example.com",
  AUTH_OIDC_CLIENT_ID: "torghut",
  AUTH_OIDC_CLIENT_SECRET: "client-secret",
  AUTH_URL: "https://torghut.example.com",
  AUTH_SESSION_SECRET: SECRET,
};
const alice: User = {
  sub: "alice",
  name: "Alice",
  email: "a@x",
  role: "operator",
  development: false,
  sid: "s1",
};

describe("sign-in mode", () => {
  test("OIDC, then proxy, then the development operator only where allowed; otherwise refuse to start", () => {
    assert.equal(loadAuthConfig(oidcEnv).mode.kind, "oidc");
    assert.equal(
      loadAuthConfig({ AUTH_TRUSTED_PROXIES: "10.0.0.5", TORGHUT_PEER_KEY: "k" }).mode.kind,
      "proxy",
    );
    assert.equal(loadAuthConfig({ AUTH_DEV_OPERATOR: "true" }).mode.kind, "development");
    assert.equal(loadAuthConfig({ NODE_ENV: "development" }).mode.kind, "development");
    for (const env of [
      {},
      { NODE_ENV: "production" },
      { AUTH_DEV_OPERATOR: "true", TORGHUT_LAUNCH_NODE_ENV: "production" },
      { AUTH_TRUSTED_PROXIES: "10.0.0.5" }, // no server.mjs to vouch for the peer
      { AUTH_TRUSTED_PROXIES: "not-an-address", TORGHUT_PEER_KEY: "k" },
      { ...oidcEnv, AUTH_SESSION_SECRET: undefined },
      { ...oidcEnv, AUTH_SESSION_SECRET: "short" },
      { ...oidcEnv, AUTH_URL: undefined },
      { AUTH_OIDC_ISSUER: "https://login.example.com" },
    ]) {
      assert.throws(() => loadAuthConfig(env), WebConfigError, JSON.stringify(env));
    }
  });
});

describe("roles", () => {
  test("from a configurable claim (dotted path), and from proxy groups", () => {
    const ops = ["operator", "admin"];
    assert.equal(roleFromClaims({ roles: ["viewer", "admin"] }, "roles", ops), "operator");
    assert.equal(roleFromClaims({ roles: ["viewer"] }, "roles", ops), "viewer");
    assert.equal(roleFromClaims({}, "roles", ops), "viewer");
    assert.equal(
      roleFromClaims({ realm_access: { roles: ["operator"] } }, "realm_access.roles", ops),
      "operator",
    );
    assert.equal(roleFromClaims({ groups: "traders operator" }, "groups", ops), "operator");
    assert.equal(roleFromGroups("traders, operator", ops), "operator");
    assert.equal(roleFromGroups(null, ops), "viewer");
  });
});

describe("sessions and CSRF", () => {
  const auth: AuthConfig = loadAuthConfig(oidcEnv);
  const key = sessionKey(SECRET);

  test("a sealed session opens with its key only, and not once expired", async () => {
    const now = Date.UTC(2026, 0, 5);
    const sealed = await sealSession(alice, key, 3600, now);
    assert.deepEqual(await openSession(sealed, key, now + 1000), { user: alice });
    assert.deepEqual(await openSession(sealed, key, now + 3_601_000), { user: null, reason: "expired" });
    assert.deepEqual(await openSession(sealed, sessionKey("another-secret-0123456789abcdef-xyz"), now), {
      user: null,
      reason: "invalid",
    });
    assert.deepEqual(await openSession(`${sealed}x`, key, now), { user: null, reason: "invalid" });
  });

  test("CSRF: the page's token from our origin passes; anything else is refused", () => {
    const token = csrfToken(alice, auth);
    const post = (headers: Record<string, string>) =>
      new Request("http://internal:3000/api/ops/failover", { method: "POST", headers });
    const origin = "https://torghut.example.com";
    assert.equal(csrfFailure(post({ origin, "x-csrf-token": token }), alice, auth), null);
    assert.equal(
      csrfFailure(post({ origin: "https://evil.example", "x-csrf-token": token }), alice, auth),
      "cross_origin",
    );
    assert.equal(csrfFailure(post({ "x-csrf-token": token }), alice, auth), "cross_origin");
    assert.equal(
      csrfFailure(
        post({ origin: "null", "sec-fetch-site": "same-origin", "x-csrf-token": token }),
        alice,
        auth,
      ),
      null,
    );
    assert.equal(csrfFailure(post({ origin }), alice, auth), "missing_token");
    assert.equal(csrfFailure(post({ origin, "x-csrf-token": "forged" }), alice, auth), "bad_token");
    // Bound to the session: another sign-in of the same person has another token.
    assert.equal(
      csrfFailure(post({ origin, "x-csrf-token": csrfToken({ ...alice, sid: "s2" }, auth) }), alice, auth),
      "bad_token",
    );
  });
});

describe("proxy headers and client addresses", () => {
  const auth = loadAuthConfig({ AUTH_TRUSTED_PROXIES: "10.0.0.5", TORGHUT_PEER_KEY: "launcher-key" });
  const headers = (extra: Record<string, string>) => new Headers(extra);

  test("the peer header counts only with the launcher's key", () => {
    assert.equal(
      peerAddress(headers({ "x-torghut-peer": "launcher-key 10.0.0.5" }), "launcher-key"),
      "10.0.0.5",
    );
    assert.equal(peerAddress(headers({ "x-torghut-peer": "guess 10.0.0.5" }), "launcher-key"), null);
    assert.equal(peerAddress(headers({ "x-torghut-peer": "launcher-key 10.0.0.5" }), undefined), null);
  });

  test("X-Forwarded-User signs in only from a trusted proxy", async () => {
    const user = { "x-forwarded-user": "carol", "x-forwarded-groups": "operator" };
    const trusted = await resolveUser(
      headers({ ...user, "x-torghut-peer": "launcher-key 10.0.0.5" }),
      undefined,
      auth,
      0,
    );
    assert.equal(trusted.user?.sub, "carol");
    assert.equal(trusted.user?.role, "operator");
    const untrusted = await resolveUser(
      headers({ ...user, "x-torghut-peer": "launcher-key 10.0.0.9" }),
      undefined,
      auth,
      0,
    );
    assert.deepEqual(untrusted, { user: null, reason: "untrusted" });
    assert.equal(
      clientAddress(
        headers({ "x-forwarded-for": "198.51.100.7, 10.0.0.5", "x-torghut-peer": "launcher-key 10.0.0.5" }),
        auth,
      ),
      "198.51.100.7",
    );
    assert.equal(
      clientAddress(
        headers({ "x-forwarded-for": "198.51.100.7", "x-torghut-peer": "launcher-key 10.0.0.9" }),
        auth,
      ),
      "10.0.0.9",
      "an untrusted peer does not choose its address",
    );
  });
});

describe("the API proxy's paths", () => {
  test("dot segments are refused; ordinary ones are encoded", () => {
    assert.equal(joinPath("/api/health", ["..", "..", "metrics"]), null);
    assert.equal(joinPath("/api/health", ["."]), null);
    assert.equal(joinPath("/api/health", ["../../metrics"]), null);
    assert.equal(joinPath("/api/health", ["stocks"]), "/api/health/stocks");
    assert.equal(joinPath("/api/torghut", ["ta", "bars"]), "/api/torghut/ta/bars");
    assert.equal(joinPath("/api/torghut", ["a b"]), "/api/torghut/a%20b");
  });
});
