// A real OpenID provider (the certified `oidc-provider` package) for the sign-in specs, with two
// people: alice (roles: operator) and bob (roles: viewer). Its own login and consent pages are the
// package's development interactions: any password is accepted, the login name picks the account.
// usage: node --import tsx e2e/support/oidc-provider.ts   (port and client from support/env.ts)
import Provider, { type Configuration } from "oidc-provider";
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_PORT, OIDC_URL, WEB_OIDC_URL } from "./env";

/** The accounts and the claims their ID tokens carry. */
export const ACCOUNTS: Record<string, { name: string; email: string; roles: string[] }> = {
  alice: { name: "Alice Operator", email: "alice@desk.example", roles: ["operator"] },
  bob: { name: "Bob Viewer", email: "bob@desk.example", roles: ["viewer"] },
};

const configuration: Configuration = {
  clients: [
    {
      client_id: OIDC_CLIENT_ID,
      client_secret: OIDC_CLIENT_SECRET,
      redirect_uris: [`${WEB_OIDC_URL}/auth/callback`],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: { openid: ["sub"], profile: ["name"], email: ["email"], roles: ["roles"] },
  scopes: ["openid", "profile", "email", "roles"],
  // Scope claims in the ID token itself (the web app reads roles from it, not from userinfo).
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["torghut-e2e-oidc-cookie-key-0123456789"] },
  findAccount: (_ctx, id) => {
    const account = ACCOUNTS[id];
    if (account === undefined) return undefined;
    return { accountId: id, claims: () => ({ sub: id, ...account }) };
  },
  // Consent is implied for our one first-party client.
  loadExistingGrant: async (ctx) => {
    const session = ctx.oidc.session;
    const clientId = ctx.oidc.client?.clientId;
    if (session === undefined || clientId === undefined || session.accountId === undefined) return undefined;
    const grant = new ctx.oidc.provider.Grant({ clientId, accountId: session.accountId });
    grant.addOIDCScope("openid profile email roles");
    await grant.save();
    return grant;
  },
};

const provider = new Provider(OIDC_URL, configuration);
provider.listen(OIDC_PORT, "127.0.0.1", () => console.log(`[oidc] issuer ${OIDC_URL}`));
