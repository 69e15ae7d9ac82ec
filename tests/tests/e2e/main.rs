//! Grantlab's end-to-end tests, one binary. Each module is one area:

/// The repository keeps its own promises: every file documented, the codemap true.
mod tidy;

/// The server as a script or an operator sees it: health, static files, API error shapes.
mod server;

/// The workbench in a real headless Chromium.
mod browser;

/// Flows tested through `/api` elsewhere, driven in Chromium by clicking, as a learner does.
mod browser_flows;

/// The frontend build's size budget, gzipped.
mod page_weight;

/// The lessons, broken scenarios and Lab 2 track: the catalogue and the goals they check.
mod lessons;

/// The lesson and scenario pages in Chromium: they settle, and keep the learner's choices.
mod lessons_browser;

/// The lab provider against a certified relying party library from npm (openid-client).
mod provider_interop;

/// The client role's flows through `/api`: the lab provider and the npm oidc-provider.
mod client_flows;

/// The lab's own Node web app (express-openid-connect) against the lab provider, in Chromium.
mod lab2_app;
