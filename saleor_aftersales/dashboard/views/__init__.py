"""The merchant's after-sales pages inside the Saleor Dashboard, one module per section.

Two kinds of endpoints:
- shells (`/dashboard/...`): static HTML with no data; the Dashboard loads them in an iframe. bridge.js waits for
  the `handshake` (token), then fetches the screen's fragment: ONE round trip per screen.
- fragments (`/dashboard/frag/...`): server-rendered from the domains' selectors (no GraphQL hop inside our own
  process), each authenticated with the Dashboard JWT (`authorization-bearer` + `saleor-api-url`) and the
  permission the section needs. Writes call the domains' actions only.

CSRF: no endpoint reads a cookie or a session. A write is authorised only by the `authorization-bearer` header,
which bridge.js adds from memory on each htmx request; a cross-site form or link cannot set a custom header (and
a cross-origin fetch with one needs a CORS preflight we never grant), so it cannot forge a request. The token is
never put in a URL and never logged.
"""
