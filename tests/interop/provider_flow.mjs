// A certified relying party (openid-client 6) against the Grantlab lab provider.
//
// Usage: node provider_flow.mjs <issuer> <client_id> <client_secret> <machine_id> <machine_secret>
//
// Runs discovery, the authorization code flow with PKCE (logging in through the provider's
// HTML forms with fetch and a hand-kept cookie), ID token validation, userinfo, a call to the
// Expenses API, refresh with rotation and reuse detection, client credentials, the hybrid
// flow and RP-initiated logout. Prints one JSON object on stdout; any failure prints
// {"error": ...} and exits 1. Loopback only: the issuer must be http://127.0.0.1, the only
// case where insecure requests are allowed.
import * as client from "openid-client";

const [issuerArg, clientId, clientSecret, machineId, machineSecret] = process.argv.slice(2);
const issuer = new URL(issuerArg);
if (issuer.hostname !== "127.0.0.1") {
  throw new Error(`refusing a non-loopback issuer: ${issuer}`);
}
const loopbackOnly = { execute: [client.allowInsecureRequests] };
const redirectUri = new URL("/callback", issuer).toString();
const expenses = "https://expenses-api";

/** The value of a hidden input in an HTML page. */
function hidden(page, name) {
  const match = page.match(new RegExp(`name="${name}" value="([^"]*)"`));
  if (!match) throw new Error(`no hidden field ${name} in: ${page.slice(0, 300)}`);
  return match[1];
}

/** Posts a form, keeping redirects manual so the test sees each step. */
async function postForm(url, fields, cookie) {
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  if (cookie) headers.cookie = cookie;
  const body = new URLSearchParams(fields);
  return fetch(url, { method: "POST", headers, body, redirect: "manual" });
}

/** Logs in as `username` on the provider's pages and approves; returns the callback URL. */
async function loginThroughForms(authorizationUrl, username) {
  const loginPage = await fetch(authorizationUrl, { redirect: "manual" });
  if (loginPage.status !== 200) throw new Error(`login page answered ${loginPage.status}`);
  // The login page starts the browser's IdP session: its cookie and the form's anti-forgery
  // token go back together.
  const browserCookie = loginPage.headers.getSetCookie().map((line) => line.split(";")[0]);
  const loginHtml = await loginPage.text();
  const loginAction = new URL("login", authorizationUrl);

  const consentPage = await postForm(loginAction, {
    request: hidden(loginHtml, "request"),
    csrf: hidden(loginHtml, "csrf"),
    username,
    password: `${username}-pass`,
  }, browserCookie.join("; "));
  const setCookie = consentPage.headers.getSetCookie();
  const cookie = setCookie.map((line) => line.split(";")[0]).join("; ");
  const consentHtml = await consentPage.text();
  if (!consentHtml.includes('value="approve"')) throw new Error("no consent page after login");

  const done = await postForm(new URL("consent", authorizationUrl), {
    request: hidden(consentHtml, "request"),
    csrf: hidden(consentHtml, "csrf"),
    decision: "approve",
  }, cookie);
  const location = done.headers.get("location");
  if (done.status !== 303 || !location) throw new Error(`consent answered ${done.status}`);
  return { callback: new URL(location), setCookie };
}

async function main() {
  const out = {};

  // 1. Discovery, with client_secret_basic.
  const config = await client.discovery(
    issuer, clientId, { redirect_uris: [redirectUri] }, client.ClientSecretBasic(clientSecret),
    loopbackOnly,
  );
  out.discovered_issuer = config.serverMetadata().issuer;

  // 2. Authorization code with PKCE, nonce and state, through the HTML forms.
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: "openid profile email offline_access read:reports",
    audience: expenses,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    nonce,
    state,
  });
  const { callback, setCookie } = await loginThroughForms(authorizationUrl, "alice");
  out.session_cookie = setCookie.find((line) => line.startsWith("grantlab_idp_session=")) ?? null;

  // 3. The code exchange; openid-client validates the ID token (signature, iss, aud, nonce,
  //    at_hash) and the response's iss (RFC 9207).
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedNonce: nonce,
    expectedState: state,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  out.id_token = { sub: claims.sub, aud: claims.aud, azp: claims.azp, name: claims.name,
    has_at_hash: typeof claims.at_hash === "string", has_sid: typeof claims.sid === "string" };
  out.granted_scope = tokens.scope;

  // 4. Userinfo, with the subject checked against the ID token.
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  out.userinfo = { sub: userinfo.sub, email: userinfo.email };

  // 5. The Expenses API with the access token.
  const api = await client.fetchProtectedResource(
    config, tokens.access_token, new URL("/expenses-api/expenses", issuer), "GET",
  );
  out.expenses_status = api.status;

  // 6. Refresh with rotation; the old refresh token's reuse is refused.
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  out.refresh_rotated = refreshed.refresh_token !== tokens.refresh_token;
  try {
    await client.refreshTokenGrant(config, tokens.refresh_token);
    out.reuse_error = null;
  } catch (error) {
    out.reuse_error = error.error ?? String(error);
  }

  // 7. Client credentials for the machine client (client_secret_post this time).
  const machine = await client.discovery(
    issuer, machineId, machineSecret, client.ClientSecretPost(machineSecret), loopbackOnly,
  );
  const machineTokens = await client.clientCredentialsGrant(machine, { audience: expenses });
  out.client_credentials = { scope: machineTokens.scope,
    has_refresh_token: "refresh_token" in machineTokens,
    has_id_token: "id_token" in machineTokens };

  // 8. The hybrid flow (`code id_token`) with form_post, reusing the login session and the
  //    consent given above; openid-client checks the front-channel ID token's c_hash and nonce.
  const hybrid = await client.discovery(
    issuer, clientId, { redirect_uris: [redirectUri] }, client.ClientSecretBasic(clientSecret),
    { execute: [client.allowInsecureRequests, client.useCodeIdTokenResponseType] },
  );
  const hybridVerifier = client.randomPKCECodeVerifier();
  const hybridNonce = client.randomNonce();
  const hybridUrl = client.buildAuthorizationUrl(hybrid, {
    redirect_uri: redirectUri,
    scope: "openid profile email offline_access read:reports",
    audience: expenses,
    response_mode: "form_post",
    code_challenge: await client.calculatePKCECodeChallenge(hybridVerifier),
    code_challenge_method: "S256",
    nonce: hybridNonce,
  });
  const cookie = setCookie.map((line) => line.split(";")[0]).join("; ");
  const formResponse = await fetch(hybridUrl, { headers: { cookie }, redirect: "manual" });
  const formPage = await formResponse.text();
  const fields = new URLSearchParams();
  const hiddenInputs = /type="hidden" name="([^"]*)" value="([^"]*)"/g;
  for (const [, name, value] of formPage.matchAll(hiddenInputs)) {
    fields.append(name, value.replaceAll("&amp;", "&").replaceAll("&quot;", '"'));
  }
  const posted = new Request(redirectUri, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: fields,
  });
  const hybridTokens = await client.authorizationCodeGrant(hybrid, posted, {
    pkceCodeVerifier: hybridVerifier,
    expectedNonce: hybridNonce,
    idTokenExpected: true,
  });
  out.hybrid = { sub: hybridTokens.claims().sub, front_channel_id_token: fields.has("id_token") };

  // 9. RP-initiated logout: without an ID token hint the provider asks the user first; with
  //    this session's own hint it ends the session and returns to the registered URI, state
  //    echoed.
  const postLogout = new URL("/", issuer).href;
  const unhinted = client.buildEndSessionUrl(config, { post_logout_redirect_uri: postLogout });
  const asked = await fetch(unhinted, { headers: { cookie }, redirect: "manual" });
  const hinted = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token, post_logout_redirect_uri: postLogout, state: "bye",
  });
  const ended = await fetch(hinted, { headers: { cookie }, redirect: "manual" });
  out.logout = {
    unhinted_status: asked.status,
    unhinted_asks: (await asked.text()).includes("Log out of the lab provider?"),
    hinted_status: ended.status,
    hinted_location: ended.headers.get("location"),
  };

  console.log(JSON.stringify(out));
}

main().catch((error) => {
  console.log(JSON.stringify({ error: String(error), code: error.code ?? null,
    cause: error.cause ? String(error.cause) : null }));
  process.exit(1);
});
