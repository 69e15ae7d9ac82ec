// The identity lab's "Calling an API" web app, written the way attendees write it: express 5
// and express-openid-connect, signing in with the hybrid flow (code id_token, form_post) and
// calling the Expenses API with the access token it got for that API.
//
// Configured only through the environment, with the names the sandbox's Lab 2 page gives:
//   ISSUER_BASE_URL  the lab provider's issuer, e.g. http://127.0.0.1:8080/idp
//   CLIENT_ID        lab-web
//   CLIENT_SECRET    the lab-web secret
//   BASE_URL         where this app is reached, e.g. http://localhost:3000
//   SECRET           a long random string that encrypts the app's session cookie
//   PORT             the port to listen on, 3000 by default
//   API_AUDIENCE     the Expenses API's identifier, https://expenses-api
//   API_URL          the Expenses API's list of expenses, which the app GETs as is,
//                    e.g. http://127.0.0.1:8080/expenses-api/expenses
// express-openid-connect reads the first five itself.
//
// Routes: `/` (signed in or not), `/user` (the ID token's claims), `/expenses` (the API's
// answer, after a refresh when the access token has expired). The app serves only this
// machine: it listens on 127.0.0.1.
import express from "express";
import openid from "express-openid-connect";

const { auth, requiresAuth } = openid;

/** An environment variable the app cannot run without. */
function setting(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set; the Lab 2 page of the sandbox lists its value`);
    process.exit(2);
  }
  return value;
}

const port = Number(process.env.PORT ?? 3000);
const apiUrl = setting("API_URL");
const audience = setting("API_AUDIENCE");

/** Escapes text for HTML. */
function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A small HTML page with a menu. */
function page(req, title, body) {
  const signedIn = req.oidc.isAuthenticated();
  const menu = signedIn
    ? `<a href="/">Home</a> <a href="/user">User</a> <a href="/expenses">Expenses</a>
       <a id="logout" href="/logout">Log out</a>`
    : `<a href="/">Home</a> <a id="login" href="/login">Log in</a>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title>
</head><body><nav>${menu}</nav><h1>${escape(title)}</h1>${body}</body></html>`;
}

const app = express();

// Sign-in: the hybrid flow with an audience, so the code redeems for an API access token.
app.use(
  auth({
    authRequired: false,
    // Log out of the provider too, as the identity lab's app does: through Auth0's own
    // /v2/logout URL, which the lab provider renames to its standard logout endpoint.
    auth0Logout: true,
    authorizationParams: {
      response_type: "code id_token",
      audience,
      scope: "openid profile email read:reports offline_access",
    },
  }),
);

app.get("/", (req, res) => {
  const body = req.oidc.isAuthenticated()
    ? `<p id="status">Signed in as <span id="name">${escape(req.oidc.user.name)}</span>.</p>`
    : `<p id="status">You are not signed in.</p>`;
  res.send(page(req, "Expenses", body));
});

app.get("/user", requiresAuth(), (req, res) => {
  const claims = JSON.stringify(req.oidc.idTokenClaims, null, 2);
  res.send(page(req, "User", `<pre id="claims">${escape(claims)}</pre>`));
});

app.get("/expenses", requiresAuth(), async (req, res, next) => {
  try {
    // The access token's lifetime comes from expires_in; when it has passed, refresh first.
    let { accessToken } = req.oidc;
    let refreshed = false;
    if (accessToken.isExpired()) {
      accessToken = await accessToken.refresh();
      refreshed = true;
    }

    // Call the API with the access token, never the ID token.
    const answer = await fetch(apiUrl, {
      headers: { authorization: `${accessToken.token_type} ${accessToken.access_token}` },
    });
    const result = await answer.json();
    if (!answer.ok) {
      const body = `<p>The API refused the call: <span id="api-status">${answer.status}</span></p>
<pre id="api-error">${escape(JSON.stringify(result, null, 2))}</pre>`;
      res.status(502).send(page(req, "Expenses", body));
      return;
    }

    // The expenses, and the checks the API ran on the token (it looked inside, not us).
    const rows = result.expenses.map((e) =>
      `<li class="expense">${escape(e.description)}: ${(e.amount_cents / 100).toFixed(2)} ` +
      `${escape(e.currency)} (${escape(e.employee)})</li>`);
    const checks = result.checks.map((c) =>
      `<li class="check" data-name="${escape(c.name)}">${escape(c.name)}: ` +
      `<code>${escape(c.found)}</code></li>`);
    const body = `<p>The API answered <span id="api-status">${answer.status}</span> to the
<span id="refreshed">${refreshed ? "refreshed" : "cached"}</span> access token, which expires
in <span id="expires-in">${accessToken.expires_in}</span> s.</p>
<ul id="expenses">${rows.join("")}</ul>
<h2>What the API checked</h2><ul id="checks">${checks.join("")}</ul>`;
    res.send(page(req, "Expenses", body));
  } catch (error) {
    next(error);
  }
});

app.listen(port, "127.0.0.1", () => {
  console.log(`lab 2 web app on http://127.0.0.1:${port}`);
});
