// The benchmark's peer: oidc-provider 9 on 127.0.0.1, configured like the lab provider's
// default scenario, for `cargo xtask bench` (tests/benches/lab/provider.rs).
//
// - the confidential web client `lab-web` (client_secret_basic, code + PKCE S256, refresh),
// - the machine client `lab-machine` (client credentials),
// - the user `alice`, logged in through the development interactions,
// - a fresh RSA 2048 key, RS256,
// - the resource indicator `https://expenses-api`, whose access tokens are RS256 JWTs
//   (RFC 9068); without a resource, access tokens are opaque.
//
// It listens on an ephemeral port and prints `listening <port>` once ready. Stop it by PID.
// Usage: node bench-oidc-provider.mjs <redirect_uri>
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";

import Provider from "oidc-provider";

const API = "https://expenses-api";
const redirectUri = process.argv[2] ?? "http://localhost:3000/callback";

const users = {
  alice: {
    sub: "lab|alice-5b8c1e",
    name: "Alice Moreau",
    given_name: "Alice",
    family_name: "Moreau",
    preferred_username: "alice",
    email: "alice@expenses.lab",
    email_verified: true,
  },
};

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: "jwk" }), alg: "RS256", use: "sig", kid: "bench" };

const server = createServer();
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: "lab-web",
        client_secret: "lab-web-secret",
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
      {
        client_id: "lab-machine",
        client_secret: "lab-machine-secret",
        redirect_uris: [],
        response_types: [],
        grant_types: ["client_credentials"],
        token_endpoint_auth_method: "client_secret_basic",
        scope: "read:reports",
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ["bench-cookie-key-not-a-secret"] },
    claims: {
      openid: ["sub"],
      profile: ["name", "given_name", "family_name", "preferred_username"],
      email: ["email", "email_verified"],
    },
    scopes: ["openid", "profile", "email", "offline_access", "read:reports"],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Only an explicit `resource` selects the API; otherwise the token is opaque.
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        getResourceServerInfo: () => ({
          scope: "read:reports",
          audience: API,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
    async findAccount(_ctx, id) {
      const user = users[id];
      if (!user) return undefined;
      return { accountId: id, claims: async () => ({ ...user, sub: id }) };
    },
  });
  // Interactions render as plain pages; the bench posts their forms.
  server.on("request", provider.callback());
  console.log(`listening ${port}`);
});
