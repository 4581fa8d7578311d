/* App Bridge for the Saleor Dashboard — the protocol only (saleor-app-protocol.md §5), no widget toolkit.
 * - reads saleorApiUrl, id, theme, locale and the mount context (orderId, customerId, …) from our URL;
 * - accepts `handshake` / `tokenRefresh` / `theme` / `response` only from the Dashboard's origin (document.referrer);
 * - sends `authorization-bearer` + `saleor-api-url` on every htmx request (kept in memory, never in a URL);
 * - dispatches notification, redirect, refreshEntity, popupClose, notifyReady, widgetResize to the Dashboard. */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var state = {
    token: null,
    saleorApiUrl: params.get("saleorApiUrl") || "",
    appId: params.get("id") || "",
    locale: params.get("locale") || "en",
    context: {},
    loaded: false,
  };
  ["orderId", "customerId", "giftCardId", "draftOrderId"].forEach(function (name) {
    if (params.get(name)) state.context[name] = params.get(name);
  });
  var dashboardOrigin = (function () {
    try { return new URL(document.referrer).origin; } catch (e) { return null; }
  })();
  var pending = {};
  var nextId = 0;

  function dispatch(type, payload) {
    var actionId = "as-" + (++nextId);
    var message = { type: type, payload: Object.assign({}, payload || {}, { actionId: actionId }) };
    window.parent.postMessage(message, dashboardOrigin || "*");
    return new Promise(function (resolve) {
      pending[actionId] = resolve;
      setTimeout(function () { if (pending[actionId]) { delete pending[actionId]; resolve({ ok: false }); } }, 10000);
    });
  }

  function reportHeight() {
    if (!document.body.classList.contains("kind-widget")) return;
    dispatch("widgetResize", { height: Math.ceil(document.documentElement.scrollHeight) });
  }

  function loadScreen() {
    var main = document.getElementById("screen");
    var url = new URL(main.getAttribute("data-fragment-url"), window.location.origin);
    Object.keys(state.context).forEach(function (k) { url.searchParams.set(k, state.context[k]); });
    url.searchParams.set("locale", state.locale);
    window.htmx.ajax("GET", url.pathname + url.search, { target: "#screen", swap: "innerHTML" }).then(function () {
      if (!state.loaded) { state.loaded = true; dispatch("notifyReady", {}); }
    });
  }

  window.addEventListener("message", function (event) {
    if (!dashboardOrigin || event.origin !== dashboardOrigin || event.source !== window.parent) return;
    var data = event.data || {};
    var payload = data.payload || {};
    if (data.type === "handshake" || data.type === "tokenRefresh") {
      var first = !state.token;
      state.token = payload.token || null;
      if (first && state.token && data.type === "handshake") loadScreen();
    } else if (data.type === "theme") {
      document.documentElement.setAttribute("data-theme", payload.theme === "dark" ? "dark" : "light");
    } else if (data.type === "response" && pending[payload.actionId]) {
      pending[payload.actionId](payload);
      delete pending[payload.actionId];
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    if (!state.token) { event.preventDefault(); return; }
    event.detail.headers["authorization-bearer"] = state.token;
    event.detail.headers["saleor-api-url"] = state.saleorApiUrl;
    event.detail.headers["x-dashboard-locale"] = state.locale;
  });
  // A refusal (401/403) is a screen to show, not a silent htmx error.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401 || status === 403) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });
  document.addEventListener("htmx:afterSettle", reportHeight);
  document.addEventListener("aftersales:notify", function (event) {
    var d = event.detail || {};
    dispatch("notification", { status: d.status || "info", title: d.title || "", text: d.text || "" });
  });
  document.addEventListener("aftersales:refreshEntity", function () { dispatch("refreshEntity", {}); });
  document.addEventListener("aftersales:popupClose", function () { dispatch("popupClose", {}); });
  // The app page's section nav: mark the open section.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var link = event.detail.elt;
    if (!link || !link.hasAttribute || !link.hasAttribute("data-section")) return;
    document.querySelectorAll("nav.sections a").forEach(function (a) { a.removeAttribute("aria-current"); });
    link.setAttribute("aria-current", "page");
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-redirect]");
    if (!link) return;
    event.preventDefault();
    dispatch("redirect", { to: link.getAttribute("data-redirect") });
  });
  window.addEventListener("resize", reportHeight);
})();
