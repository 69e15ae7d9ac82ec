// Starts the certified `oidc-provider` on a loopback port with one confidential client that
// matches the sandbox, for Grantlab's client-role interop tests. The test run starts it and
// stops it by PID.
//
// Settings come from the environment: PORT (required), CLIENT_ID, CLIENT_SECRET and
// REDIRECT_URI (the sandbox's `{public_url}/callback`). Prints "listening" once ready.

import Provider from "oidc-provider";

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error("PORT must be a port number");
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID ?? "grantlab-sandbox",
    client_secret: process.env.CLIENT_SECRET ?? "interop-secret",
    redirect_uris: [process.env.REDIRECT_URI ?? "http://127.0.0.1/callback"],
    grant_types: ["authorization_code", "refresh_token", "client_credentials"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  }, {
    // The hybrid grant (`code id_token`). oidc-provider holds front-channel ID token clients
    // of the `web` type to https redirect URIs; a `native` one may use http on loopback.
    client_id: `${process.env.CLIENT_ID ?? "grantlab-sandbox"}-hybrid`,
    client_secret: process.env.CLIENT_SECRET ?? "interop-secret",
    application_type: "native",
    redirect_uris: [process.env.REDIRECT_URI ?? "http://127.0.0.1/callback"],
    grant_types: ["authorization_code", "implicit"],
    response_types: ["code id_token"],
    token_endpoint_auth_method: "client_secret_basic",
  }],
  // Any login works through the built-in development pages (devInteractions).
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  scopes: ["openid", "offline_access", "profile", "email"],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, name: id, email: `${id}@example.test`, email_verified: true }),
  }),
  // Refresh tokens for any code grant that asked for offline_access, rotated at each use.
  issueRefreshToken: async (_ctx, client, code) =>
    client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
  rotateRefreshToken: true,
  pkce: { required: () => false },
});
provider.proxy = false;

// Loopback only: refuse to bind anywhere else.
provider.listen(port, "127.0.0.1", () => console.log("listening"));
