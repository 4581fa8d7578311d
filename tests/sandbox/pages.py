"""The sandbox's two pages, served by the sandbox process (not by the app):

- the Dashboard stand-in: a menu per journey, a walk-through panel and an iframe that frames our Dashboard screens
  exactly as the Saleor Dashboard does (query params, `handshake` with a stand-in-signed JWT, App Bridge actions);
- the Storefront (customer) page: a storefront developer's view. It holds a stand-in-issued customer JWT and calls
  OUR GraphQL API from the browser (CORS: STOREFRONT_ORIGINS), showing every document it sends next to the answer.

Every document the storefront sends is in DOCUMENTS (tests/sandbox/test_documents.py validates them against our
exported schema, `SaleorMyOrders` against Saleor's)."""

from __future__ import annotations

import json

DOCUMENTS = {
    # Sent to Saleor by the sandbox (a storefront reads its customer's orders from Saleor itself).
    "SaleorMyOrders": """query SaleorMyOrders {
  me { orders(first: 20) { edges { node { id number created lines { id productName variantName quantity } } } } }
}""",
    "ReturnReasons": """query ReturnReasons($language: String) {
  returnReasons { code label(language: $language) requiresEvidence }
}""",
    "ReturnEligibility": """query ReturnEligibility($orderId: ID!) {
  returnEligibility(orderId: $orderId) {
    orderNumber
    lines {
      orderLineId productName variantName quantity returnableQuantity deadline
      allowedReasons allowedResolutions notReturnableCode notReturnableMessage
    }
  }
}""",
    "ReturnRequestCreate": """mutation ReturnRequestCreate($input: ReturnRequestCreateInput!) {
  returnRequestCreate(input: $input) {
    returnRequest { id number status resolution refundAmount { amount currency } }
    errors { field code message }
  }
}""",
    "MyReturnRequests": """query MyReturnRequests {
  myReturnRequests(first: 10) { id number status orderNumber resolution refundAmount { amount currency } }
}""",
    "MyWarranties": """query MyWarranties($language: String) {
  myWarranties(first: 20) { id productName orderNumber expiresAt daysLeft isInTerm openClaims { number status } }
  warrantySymptoms { code label(language: $language) }
}""",
    "WarrantyClaimCreate": """mutation WarrantyClaimCreate($input: WarrantyClaimCreateInput!) {
  warrantyClaimCreate(input: $input) {
    claim { id number status coverage suggestedDecision }
    errors { field code message }
  }
}""",
    "MyWarrantyClaims": """query MyWarrantyClaims {
  myWarrantyClaims(first: 10) {
    id number status decision decisionNote warranty { productName orderNumber } repairOrders { number status }
  }
}""",
    "MyServiceCases": """query MyServiceCases {
  myServiceCases(first: 10) {
    id number status subject slaState createdAt
    messages { id kind body authorType createdAt }
  }
}""",
    "ServiceCaseCreate": """mutation ServiceCaseCreate($input: ServiceCaseCreateInput!) {
  serviceCaseCreate(input: $input) {
    serviceCase { id number status slaState }
    suggestion { intent articles { slug title } }
    errors { field code message }
  }
}""",
    "ServiceCaseReply": """mutation ServiceCaseReply($id: ID!, $body: String!) {
  serviceCaseReply(id: $id, body: $body) {
    serviceCase { id number status }
    message { id kind body }
    errors { field code message }
  }
}""",
    "MyLoyalty": """query MyLoyalty($channel: String!, $language: String) {
  myLoyaltyAccount(channel: $channel) {
    availablePoints pendingPoints
    claims(first: 10) { id status points code validUntil reward { name(language: $language) } }
  }
  loyaltyRewards(channel: $channel) { id kind name(language: $language) pointsCost amount { amount currency } }
}""",
    "LoyaltyRewardClaimCreate": """mutation LoyaltyRewardClaimCreate($rewardId: ID!, $channel: String!, $key: String!) {
  loyaltyRewardClaimCreate(rewardId: $rewardId, channel: $channel, idempotencyKey: $key) {
    claim { id status points code validUntil }
    errors { field code message }
  }
}""",
}

# Dashboard stand-in menu: (group, [(label, path, extra params)]); "{order}" / "{customer}" are filled in.
MENU = [
    (
        "Returns",
        [
            ("Returns queue → approve, receive, inspect, refund", "/dashboard/returns", {}),
            ("Order #1 widget", "/dashboard/widgets/order", {"orderId": "{order}"}),
            ("Order #1 more actions", "/dashboard/popups/order", {"orderId": "{order}"}),
        ],
    ),
    ("Warranty", [("Warranty claims → decide", "/dashboard/warranty", {})]),
    ("Service", [("Case inbox → reply, resolve", "/dashboard/service", {})]),
    (
        "Loyalty",
        [
            ("Ada's loyalty account", "/dashboard/loyalty", {"customerId": "{customer}"}),
            (
                "Ada's customer widget (reward claims)",
                "/dashboard/widgets/customer",
                {"customerId": "{customer}"},
            ),
            ("Ada's more actions", "/dashboard/popups/customer", {"customerId": "{customer}"}),
        ],
    ),
    (
        "More",
        [
            ("Home widget", "/dashboard/widgets/home", {}),
            ("Insights", "/dashboard/insights", {}),
            ("Settings", "/dashboard/settings", {}),
            ("退货队列（中文，深色）", "/dashboard/returns", {"locale": "zh-Hans", "theme": "dark"}),
            ("设置（中文）", "/dashboard/settings", {"locale": "zh-Hans"}),
        ],
    ),
]

# The walk-through panel: per journey, (who, step); "Storefront" steps happen on the customer page.
WALKTHROUGH = [
    (
        "Return",
        "return",
        [
            ("Storefront", "Returns: pick an order, “Check what can be returned”, request a return of one unit."),
            ("Dashboard", "Returns queue: open the request (RMA-000001 is already waiting) → Approve."),
            ("Dashboard", "Receive → Inspect (condition) → Resolve: refund. The stand-in grants and pays the refund;"
             " its ORDER_REFUNDED webhook moves the request to Resolved."),
            ("Storefront", "My returns shows the request resolved with its refund amount."),
        ],
    ),
    (
        "Warranty claim",
        "warranty",
        [
            ("Storefront", "Warranties: choose a symptom on a product and “File a claim”."),
            ("Dashboard", "Warranty claims: open the claim → decide (repair at “Sandbox repair shop”, replace,"
             " refund or reject with a reason)."),
            ("Storefront", "My claims shows the decision (and the repair order)."),
        ],
    ),
    (
        "Service case",
        "service",
        [
            ("Storefront", "Help: open a case about an order (the SLA clock starts)."),
            ("Dashboard", "Case inbox: open the case → reply."),
            ("Storefront", "My cases shows the reply; answer it."),
            ("Dashboard", "Resolve the case (a satisfaction survey is sent)."),
        ],
    ),
    (
        "Reward claim",
        "loyalty",
        [
            ("Storefront", "Rewards: Ada has points available → claim the “$5 gift card”. The outbox creates the"
             " gift card in the stand-in and the page shows its code."),
            ("Dashboard", "Ada's loyalty account: the redemption in the ledger; customer widget: the claim."),
        ],
    ),
]  # fmt: skip
# Where a walk-through step's badge leads: the storefront section, or the staff screen (framed here).
STEP_TARGETS = {
    "return": ("sf-returns", "/dashboard/returns", {}),
    "warranty": ("sf-warranty", "/dashboard/warranty", {}),
    "service": ("sf-cases", "/dashboard/service", {}),
    "loyalty": ("sf-rewards", "/dashboard/widgets/customer", {"customerId": "{customer}"}),
}

DASHBOARD_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dashboard stand-in · After-sales sandbox</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;display:flex;color:#1d1f21}
nav{width:250px;padding:12px 16px;background:#f4f5f6;height:100vh;overflow:auto;box-sizing:border-box;flex:none}
nav h4{margin:14px 0 4px;font-size:12px;text-transform:uppercase;color:#6b7075}
nav a{display:block;margin:4px 0;color:#0a58ca;text-decoration:none;font-size:14px}
nav a[aria-current]{font-weight:600}
nav a.storefront{margin:10px 0;padding:6px 8px;background:#fff;border:1px solid #cfd4d9;border-radius:6px}
main{flex:1;display:flex;flex-direction:column;height:100vh;min-width:0}
#walkthrough{border-bottom:1px solid #dde1e5;padding:6px 16px;font-size:13px;max-height:45vh;overflow:auto}
#walkthrough summary{font-weight:600;cursor:pointer}
#walkthrough .journeys{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}
#walkthrough ol{padding-left:18px;margin:4px 0}
#walkthrough a.who{font-size:11px;font-weight:600;padding:0 4px;border-radius:3px;background:#e7f1ff;color:#1d1f21;text-decoration:none}
#walkthrough a.who.storefront{background:#fdf0d5}
iframe{flex:1;border:0;width:100%}
</style></head><body>
<nav><b>Dashboard stand-in</b>
<a class="storefront" href="%(storefront)s" target="storefront" id="open-storefront">Storefront (customer) ↗</a>
%(links)s</nav>
<main>
<details id="walkthrough" open><summary>Walk-through: four journeys (customer on the Storefront page, staff here)</summary>
<div class="journeys">%(walkthrough)s</div></details>
<iframe id="app" name="app" sandbox="allow-same-origin allow-forms allow-scripts allow-downloads allow-popups"></iframe>
</main>
<script>
var config = %(config)s;
var frame = document.getElementById("app");
window.received = [];
function open_(path, extra, link) {
  var q = new URLSearchParams(Object.assign({saleorApiUrl: config.apiUrl, id: config.appId, theme: "light",
                                             locale: "en"}, extra));
  document.querySelectorAll("nav a[aria-current]").forEach(function (a) { a.removeAttribute("aria-current"); });
  if (link) link.setAttribute("aria-current", "page");
  frame.src = config.appOrigin + path + "?" + q.toString();
}
frame.addEventListener("load", function () {
  if (!frame.getAttribute("src")) return;
  frame.contentWindow.postMessage({type: "handshake", payload: {token: config.token, version: 1}}, config.appOrigin);
});
// The first screen: the returns queue (every journey's staff screens are one click away in the menu).
open_("/dashboard/returns", {}, document.querySelector('nav a[data-path="/dashboard/returns"]'));
window.addEventListener("message", function (e) {
  if (e.origin !== config.appOrigin) return;
  window.received.push(e.data);
  console.log("app action", e.data);
  if (e.data.type === "widgetResize") return;
  frame.contentWindow.postMessage({type: "response", payload: {actionId: e.data.payload.actionId, ok: true}},
                                  config.appOrigin);
});
</script></body></html>"""


def dashboard_page(*, app_url: str, api_url: str, app_id: str, token: str, order_id: str, customer_id: str,
                   storefront_url: str) -> bytes:  # fmt: skip
    from html import escape

    groups = []
    for group, links in MENU:
        items = []
        for label, path, extra in links:
            filled = {k: v.format(order=order_id, customer=customer_id) for k, v in extra.items()}
            section = path.rsplit("/", 1)[-1]
            items.append(
                f'<a href="#" data-path="{path}" data-section="{section}" '
                f"onclick='open_({json.dumps(path)}, {escape(json.dumps(filled))}, this);return false'>"
                f"{escape(label)}</a>"
            )
        groups.append(f"<h4>{escape(group)}</h4>" + "".join(items))
    journeys = []
    for title, key, steps in WALKTHROUGH:
        anchor, path, extra = STEP_TARGETS[key]
        filled = {k: v.format(order=order_id, customer=customer_id) for k, v in extra.items()}
        badges = {
            "Storefront": f'<a class="who storefront" href="{storefront_url}#{anchor}" target="storefront">Storefront</a>',
            "Dashboard": f'<a class="who dashboard" href="#" data-path="{path}" '
            f"onclick='open_({json.dumps(path)}, {escape(json.dumps(filled))});return false'>Dashboard</a>",
        }
        rows = "".join(f"<li>{badges[who]} {escape(text)}</li>" for who, text in steps)
        journeys.append(f'<div data-journey="{key}"><b>{escape(title)}</b><ol>{rows}</ol></div>')
    config = {"token": token, "appOrigin": app_url, "apiUrl": api_url, "appId": app_id}
    return _fill(
        DASHBOARD_PAGE,
        links="".join(groups),
        walkthrough="".join(journeys),
        config=_json(config),
        storefront=storefront_url,
    )


STOREFRONT_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Storefront (customer) · After-sales sandbox</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;color:#1d1f21;background:#fafafa}
header{display:flex;gap:16px;align-items:center;padding:10px 20px;background:#1d1f21;color:#fff}
header h1{font-size:18px;margin:0;flex:1}
header select{font-size:14px}
.intro{padding:8px 20px;font-size:13px;color:#555}
section.journey{display:grid;grid-template-columns:minmax(380px,1fr) minmax(380px,1fr);gap:16px;margin:12px 20px;
  padding:12px 16px;background:#fff;border:1px solid #dde1e5;border-radius:8px}
section.journey h2{margin:0 0 8px;font-size:17px}
h3{font-size:14px;margin:12px 0 4px}
table{border-collapse:collapse;width:100%;font-size:13px}
td,th{border-bottom:1px solid #eee;padding:4px;text-align:left;vertical-align:top}
input,select,textarea,button{font:inherit;font-size:13px}
textarea{width:100%;box-sizing:border-box}
button{cursor:pointer}
button.primary{background:#0a58ca;color:#fff;border:0;border-radius:4px;padding:4px 10px}
.outcome{font-size:13px;margin:6px 0;min-height:1em}
.outcome.error{color:#b00020}
.outcome.ok{color:#0a7a30}
.status{font-size:11px;padding:1px 6px;border-radius:8px;background:#eef}
code.code{font-size:15px;background:#fdf0d5;padding:2px 6px;border-radius:4px}
.gql{font-size:12px;min-width:0}
.gql details{border:1px solid #e3e6e9;border-radius:6px;margin-bottom:6px;background:#f7f8f9}
.gql summary{padding:4px 8px;cursor:pointer;font-family:ui-monospace,monospace}
.gql pre{margin:0;padding:6px 8px;white-space:pre-wrap;word-break:break-word;max-height:260px;overflow:auto;
  font-size:11.5px;border-top:1px solid #e3e6e9}
.gql pre.result{background:#fff}
.message{font-size:13px;margin:4px 0;padding:4px 8px;border-left:3px solid #ccc}
.message[data-author=staff]{border-color:#0a58ca;background:#f1f6ff}
.case{border-top:1px solid #eee;padding:6px 0}
</style></head><body>
<header><h1 data-t="title"></h1><span id="who"></span>
<label><span data-t="language"></span> <select id="lang"><option value="en">English</option>
<option value="zh-hans">简体中文</option></select></label></header>
<p class="intro" data-t="intro"></p>

<section class="journey" id="sf-returns"><div>
<h2 data-t="returns"></h2>
<label><span data-t="order"></span> <select name="order" class="orders"></select></label>
<button data-action="eligibility" data-t="check"></button>
<table class="lines"></table>
<p class="outcome"></p>
<h3 data-t="my_returns"></h3><table class="list"></table>
</div><div class="gql"></div></section>

<section class="journey" id="sf-warranty"><div>
<h2 data-t="warranties"></h2>
<table class="warranties"></table>
<p class="outcome"></p>
<h3 data-t="my_claims"></h3><table class="list"></table>
<button data-action="refresh-claims" data-t="refresh"></button>
</div><div class="gql"></div></section>

<section class="journey" id="sf-cases"><div>
<h2 data-t="help"></h2>
<form id="case-form">
<label><span data-t="about_order"></span> <select name="order" class="orders"><option value="" data-t="no_order"></option></select></label><br>
<input name="subject" required style="width:100%;margin:4px 0" data-ph="subject"><br>
<textarea name="body" rows="3" required data-ph="message"></textarea><br>
<button type="submit" class="primary" data-t="open_case"></button></form>
<p class="outcome"></p>
<h3 data-t="my_cases"></h3><div class="list"></div>
<button data-action="refresh-cases" data-t="refresh"></button>
</div><div class="gql"></div></section>

<section class="journey" id="sf-rewards"><div>
<h2 data-t="rewards"></h2>
<p><span data-t="available"></span>: <b class="available"></b> · <span data-t="pending"></span>: <span class="pending"></span></p>
<table class="rewards"></table>
<p class="outcome"></p>
<h3 data-t="my_reward_claims"></h3><table class="list"></table>
</div><div class="gql"></div></section>

<script>
var config = %(config)s;
var DOCS = %(documents)s;
var T = %(texts)s;
var lang = "en";
var reasons = [], symptoms = [];
function t(key) { return (T[lang] || T.en)[key] || T.en[key] || key; }
function status(value) { var s = T[lang].statuses || {}; return s[value] || value; }
function el(tag, attrs, text) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}
function $(section, selector) { return document.querySelector("#" + section + " " + selector); }
function outcome(section, text, ok) {
  var p = $(section, ".outcome"); p.textContent = text; p.className = "outcome " + (ok ? "ok" : "error");
}
function errorsOf(body) {
  if (body.errors) return body.errors.map(function (e) { return e.message; });
  var found = [];
  Object.keys(body.data || {}).forEach(function (k) {
    var v = body.data[k]; if (v && v.errors) v.errors.forEach(function (e) { found.push(e.code + ": " + e.message); });
  });
  return found;
}
// Every call: the document and variables we send, then the answer, shown in the section's GraphQL column.
function gql(section, name, variables) {
  var panel = $(section, ".gql");
  panel.querySelectorAll("details").forEach(function (d) { d.open = false; });
  var entry = el("details", {open: "", "data-operation": name});
  entry.appendChild(el("summary", {}, "POST /graphql/ · " + name));
  entry.appendChild(el("pre", {"class": "document"}, DOCS[name]));
  entry.appendChild(el("pre", {"class": "variables"}, "variables: " + JSON.stringify(variables || {}, null, 2)));
  var result = el("pre", {"class": "result"}, "…");
  entry.appendChild(result);
  panel.insertBefore(entry, panel.firstChild);
  while (panel.children.length > 6) panel.removeChild(panel.lastChild);
  return fetch(config.appUrl + "/graphql/", {
    method: "POST",
    headers: {"Content-Type": "application/json", "Authorization": "Bearer " + config.token,
              "Accept-Language": lang},
    body: JSON.stringify({query: DOCS[name], variables: variables || {}})
  }).then(function (r) { return r.json(); }).then(function (body) {
    result.textContent = JSON.stringify(body, null, 2);
    result.setAttribute("data-done", "1");
    return body;
  }, function (err) {
    result.textContent = String(err);
    return {errors: [{message: String(err)}]};
  });
}

function fillOrders() {
  document.querySelectorAll("select.orders").forEach(function (select) {
    select.querySelectorAll("option[data-order]").forEach(function (o) { o.remove(); });
    config.orders.forEach(function (o) {
      var lines = o.lines.map(function (l) { return l.productName + " ×" + l.quantity; }).join(", ");
      select.appendChild(el("option", {value: o.id, "data-order": o.number}, "#" + o.number + " — " + lines));
    });
  });
}

// --- returns ---
function loadReturns() {
  return gql("sf-returns", "MyReturnRequests").then(function (body) {
    var table = $("sf-returns", ".list"); table.innerHTML = "";
    ((body.data || {}).myReturnRequests || []).forEach(function (r) {
      var row = el("tr", {"data-rma": r.number, "data-status": r.status});
      row.appendChild(el("td", {}, r.number));
      row.appendChild(el("td", {}, t("order") + " #" + r.orderNumber));
      row.appendChild(el("td")).appendChild(el("span", {"class": "status"}, status(r.status)));
      row.appendChild(el("td", {}, r.refundAmount.amount + " " + r.refundAmount.currency));
      table.appendChild(row);
    });
  });
}
function checkEligibility() {
  var orderId = $("sf-returns", "select.orders").value;
  return gql("sf-returns", "ReturnEligibility", {orderId: orderId}).then(function (body) {
    var table = $("sf-returns", ".lines"); table.innerHTML = "";
    var lines = ((body.data || {}).returnEligibility || {}).lines || [];
    lines.forEach(function (line) {
      var row = el("tr", {"data-line": line.orderLineId});
      row.appendChild(el("td", {}, line.productName));
      if (!line.returnableQuantity) {
        row.appendChild(el("td", {colspan: "3"}, line.notReturnableMessage || t("not_returnable")));
      } else {
        var qty = el("input", {type: "number", name: "quantity", min: "1", max: String(line.returnableQuantity),
                               value: "1", style: "width:4em"});
        row.appendChild(el("td")).appendChild(qty);
        var reason = el("select", {name: "reason"});
        reasons.filter(function (r) { return !line.allowedReasons.length || line.allowedReasons.indexOf(r.code) >= 0; })
          .forEach(function (r) {
            // This page sends no photos: reasons that need them would answer EVIDENCE_REQUIRED.
            reason.appendChild(el("option", {value: r.code}, r.label + (r.requiresEvidence ? " (" + t("photos") + ")" : "")));
          });
        var plain = reasons.filter(function (r) { return r.code === "wrong-size"; })[0] ||
                    reasons.filter(function (r) { return !r.requiresEvidence; })[0];
        if (plain) reason.value = plain.code;
        row.appendChild(el("td")).appendChild(reason);
        var button = el("button", {"class": "primary", "data-action": "return"}, t("request_return"));
        button.onclick = function () { requestReturn(orderId, line, qty.value, reason.value); };
        row.appendChild(el("td")).appendChild(button);
      }
      table.appendChild(row);
    });
    var errors = errorsOf(body); if (errors.length) outcome("sf-returns", errors.join("; "), false);
  });
}
// One key per submit: a retried request (lost answer, double click) answers the first result, creates nothing.
function submitKey() { return "sf-" + Date.now() + "-" + Math.random().toString(36).slice(2); }
function requestReturn(orderId, line, quantity, reason) {
  var input = {orderId: orderId, resolution: "REFUND",
               lines: [{orderLineId: line.orderLineId, quantity: parseInt(quantity, 10), reason: reason}],
               idempotencyKey: submitKey()};
  return gql("sf-returns", "ReturnRequestCreate", {input: input}).then(function (body) {
    var errors = errorsOf(body);
    if (errors.length) { outcome("sf-returns", errors.join("; "), false); return; }
    var made = body.data.returnRequestCreate.returnRequest;
    outcome("sf-returns", t("return_created").replace("{number}", made.number), true);
    $("sf-returns", ".outcome").setAttribute("data-rma", made.number);
    return loadReturns();
  });
}

// --- warranties ---
function loadWarranties() {
  return gql("sf-warranty", "MyWarranties", {language: lang}).then(function (body) {
    var data = body.data || {};
    symptoms = data.warrantySymptoms || [];
    var table = $("sf-warranty", ".warranties"); table.innerHTML = "";
    (data.myWarranties || []).forEach(function (w) {
      var row = el("tr", {"data-warranty": w.id, "data-product": w.productName});
      row.appendChild(el("td", {}, w.productName + " (#" + w.orderNumber + ")"));
      row.appendChild(el("td", {}, t("until") + " " + w.expiresAt.slice(0, 10)));
      var cell = row.appendChild(el("td"));
      if (w.openClaims.length) {
        cell.appendChild(el("span", {"class": "status"}, w.openClaims[0].number + " · " + status(w.openClaims[0].status)));
      } else {
        var symptom = el("select", {name: "symptom"});
        symptoms.forEach(function (s) { symptom.appendChild(el("option", {value: s.code}, s.label)); });
        var text = el("input", {name: "description", "data-ph": "describe", placeholder: t("describe")});
        var button = el("button", {"class": "primary", "data-action": "claim"}, t("file_claim"));
        button.onclick = function () { fileClaim(w, symptom.value, text.value); };
        cell.appendChild(symptom); cell.appendChild(text); cell.appendChild(button);
      }
      table.appendChild(row);
    });
  });
}
function fileClaim(warranty, symptom, description) {
  var input = {warrantyId: warranty.id, symptom: symptom, description: description, idempotencyKey: submitKey()};
  return gql("sf-warranty", "WarrantyClaimCreate", {input: input}).then(function (body) {
    var errors = errorsOf(body);
    if (errors.length) { outcome("sf-warranty", errors.join("; "), false); return; }
    var claim = body.data.warrantyClaimCreate.claim;
    outcome("sf-warranty", t("claim_created").replace("{number}", claim.number), true);
    $("sf-warranty", ".outcome").setAttribute("data-claim", claim.number);
    return loadWarranties().then(loadClaims);
  });
}
function loadClaims() {
  return gql("sf-warranty", "MyWarrantyClaims").then(function (body) {
    var table = $("sf-warranty", ".list"); table.innerHTML = "";
    ((body.data || {}).myWarrantyClaims || []).forEach(function (c) {
      var row = el("tr", {"data-claim": c.number, "data-status": c.status, "data-decision": c.decision || ""});
      row.appendChild(el("td", {}, c.number));
      row.appendChild(el("td", {}, c.warranty.productName));
      row.appendChild(el("td")).appendChild(el("span", {"class": "status"}, status(c.status)));
      row.appendChild(el("td", {}, c.decision ? status(c.decision) + (c.decisionNote ? " — " + c.decisionNote : "") : ""));
      table.appendChild(row);
    });
  });
}

// --- service cases ---
function loadCases() {
  return gql("sf-cases", "MyServiceCases").then(function (body) {
    var list = $("sf-cases", ".list"); list.innerHTML = "";
    ((body.data || {}).myServiceCases || []).forEach(function (c) {
      var box = el("div", {"class": "case", "data-case": c.number, "data-status": c.status});
      var head = el("div");
      head.appendChild(el("b", {}, c.number + " · " + c.subject + " "));
      head.appendChild(el("span", {"class": "status"}, status(c.status)));
      box.appendChild(head);
      c.messages.forEach(function (m) {
        box.appendChild(el("div", {"class": "message", "data-author": m.authorType, "data-kind": m.kind},
                           (m.authorType === "staff" ? t("shop") : t("you")) + ": " + m.body));
      });
      if (c.status !== "CLOSED") {
        var form = el("form", {"class": "reply"});
        var text = el("textarea", {name: "body", rows: "2", required: "", placeholder: t("reply_ph")});
        form.appendChild(text);
        form.appendChild(el("button", {type: "submit"}, t("reply")));
        form.onsubmit = function (e) { e.preventDefault(); reply(c, text.value); };
        box.appendChild(form);
      }
      list.appendChild(box);
    });
  });
}
function openCase(form) {
  var input = {kind: "COMPLAINT", subject: form.subject.value, body: form.body.value, language: lang,
               idempotencyKey: submitKey()};
  if (form.order.value) { input.linkedType = "ORDER"; input.linkedId = form.order.value; }
  else { input.kind = "CONSULTATION"; }
  return gql("sf-cases", "ServiceCaseCreate", {input: input}).then(function (body) {
    var errors = errorsOf(body);
    if (errors.length) { outcome("sf-cases", errors.join("; "), false); return; }
    var made = body.data.serviceCaseCreate.serviceCase;
    outcome("sf-cases", t("case_created").replace("{number}", made.number), true);
    $("sf-cases", ".outcome").setAttribute("data-case", made.number);
    form.reset();
    return loadCases();
  });
}
function reply(c, text) {
  return gql("sf-cases", "ServiceCaseReply", {id: c.id, body: text}).then(function (body) {
    var errors = errorsOf(body);
    if (errors.length) { outcome("sf-cases", errors.join("; "), false); return; }
    outcome("sf-cases", t("replied"), true);
    return loadCases();
  });
}

// --- rewards ---
function loadLoyalty() {
  return gql("sf-rewards", "MyLoyalty", {channel: config.channel, language: lang}).then(function (body) {
    var data = body.data || {};
    var account = data.myLoyaltyAccount || {availablePoints: 0, pendingPoints: 0, claims: []};
    var available = $("sf-rewards", ".available");
    available.textContent = account.availablePoints;
    available.setAttribute("data-points", account.availablePoints);
    $("sf-rewards", ".pending").textContent = account.pendingPoints;
    var table = $("sf-rewards", ".rewards"); table.innerHTML = "";
    (data.loyaltyRewards || []).forEach(function (r) {
      var row = el("tr", {"data-reward": r.id, "data-kind": r.kind});
      row.appendChild(el("td", {}, r.name));
      row.appendChild(el("td", {}, r.pointsCost + " " + t("points")));
      var button = el("button", {"class": "primary", "data-action": "claim-reward"}, t("claim"));
      button.disabled = account.availablePoints < r.pointsCost;
      button.onclick = function () { claimReward(r); };
      row.appendChild(el("td")).appendChild(button);
      table.appendChild(row);
    });
    var claims = $("sf-rewards", ".list"); claims.innerHTML = "";
    account.claims.forEach(function (c) {
      var row = el("tr", {"data-reward-claim": c.id, "data-status": c.status});
      row.appendChild(el("td", {}, c.reward.name));
      row.appendChild(el("td", {}, "−" + c.points));
      row.appendChild(el("td")).appendChild(el("span", {"class": "status"}, status(c.status)));
      var cell = row.appendChild(el("td"));
      if (c.code) cell.appendChild(el("code", {"class": "code", "data-code": c.code}, c.code));
      if (c.validUntil) cell.appendChild(el("span", {}, " " + t("valid_until") + " " + c.validUntil.slice(0, 10)));
      claims.appendChild(row);
    });
    return account;
  });
}
function claimReward(reward) {
  var key = "sandbox-" + reward.id + "-" + Date.now();
  return gql("sf-rewards", "LoyaltyRewardClaimCreate", {rewardId: reward.id, channel: config.channel, key: key})
    .then(function (body) {
      var errors = errorsOf(body);
      if (errors.length) { outcome("sf-rewards", errors.join("; "), false); return; }
      var claim = body.data.loyaltyRewardClaimCreate.claim;
      outcome("sf-rewards", t("claim_pending"), true);
      // The code comes from Saleor (giftCardCreate / voucherCreate through the outbox): poll until it is there.
      var tries = 0;
      function poll() {
        return loadLoyalty().then(function (account) {
          var mine = (account.claims || []).filter(function (c) { return c.id === claim.id; })[0];
          if (mine && mine.code) {
            outcome("sf-rewards", t("claim_issued").replace("{code}", mine.code), true);
            $("sf-rewards", ".outcome").setAttribute("data-code", mine.code);
          } else if (mine && mine.status === "FAILED") {
            outcome("sf-rewards", t("claim_failed"), false);
          } else if (++tries < 20) { return new Promise(function (ok) { setTimeout(ok, 700); }).then(poll); }
        });
      }
      return poll();
    });
}

function translate() {
  document.documentElement.lang = lang === "zh-hans" ? "zh-Hans" : "en";
  document.querySelectorAll("[data-t]").forEach(function (node) { node.textContent = t(node.getAttribute("data-t")); });
  document.querySelectorAll("[data-ph]").forEach(function (node) { node.placeholder = t(node.getAttribute("data-ph")); });
  document.getElementById("who").textContent = t("signed_in") + " " + config.customer.name + " <" + config.customer.email + ">";
}
function loadAll() {
  translate();
  return gql("sf-returns", "ReturnReasons", {language: lang}).then(function (body) {
    reasons = (body.data || {}).returnReasons || [];
    $("sf-returns", ".lines").innerHTML = "";
    return Promise.all([loadReturns(), loadWarranties().then(loadClaims), loadCases(), loadLoyalty()]);
  }).then(function () { document.body.setAttribute("data-ready", lang); });
}
document.getElementById("lang").onchange = function (e) {
  lang = e.target.value;
  document.body.removeAttribute("data-ready");
  document.querySelectorAll(".outcome").forEach(function (p) { p.textContent = ""; });
  loadAll();
};
document.querySelector('#sf-returns [data-action=eligibility]').onclick = checkEligibility;
document.querySelector('#sf-warranty [data-action=refresh-claims]').onclick = function () { loadWarranties().then(loadClaims); };
document.querySelector('#sf-cases [data-action=refresh-cases]').onclick = loadCases;
document.getElementById("case-form").onsubmit = function (e) { e.preventDefault(); openCase(e.target); };
fillOrders();
loadAll();
</script></body></html>"""

# Customer-facing text of the storefront page (en + zh-hans); statuses of our API's enums.
TEXTS = {
    "en": {
        "title": "Storefront (customer) · After-sales sandbox",
        "language": "Language",
        "signed_in": "Signed in as",
        "intro": "A storefront developer's view: this page holds a customer JWT issued by the Saleor stand-in and "
        "calls the after-sales app's GraphQL API from the browser. Each section shows the documents it sends "
        "and the answers.",
        "returns": "Returns",
        "order": "Order",
        "check": "Check what can be returned",
        "not_returnable": "Not returnable",
        "photos": "photos needed",
        "request_return": "Request return",
        "return_created": "Return {number} requested: we will let you know when it is approved.",
        "my_returns": "My returns",
        "warranties": "Warranties",
        "until": "until",
        "describe": "What happened?",
        "file_claim": "File a claim",
        "claim_created": "Claim {number} filed: we will decide within 48 hours.",
        "my_claims": "My warranty claims",
        "refresh": "Refresh",
        "help": "Help: service cases",
        "about_order": "About order",
        "no_order": "— a general question —",
        "subject": "Subject",
        "message": "Your message",
        "open_case": "Open a case",
        "case_created": "Case {number} opened: our team will answer soon.",
        "my_cases": "My cases",
        "shop": "Shop",
        "you": "You",
        "reply": "Reply",
        "reply_ph": "Write a reply",
        "replied": "Reply sent.",
        "rewards": "Rewards",
        "available": "Points available",
        "pending": "pending",
        "points": "points",
        "claim": "Claim",
        "claim_pending": "Claimed: creating your code…",
        "claim_issued": "Your code: {code}",
        "claim_failed": "The code could not be created; please contact us.",
        "my_reward_claims": "My rewards",
        "valid_until": "valid until",
        "statuses": {},
    },
    "zh-hans": {
        "title": "店铺前台（顾客）· 售后沙盒",
        "language": "语言",
        "signed_in": "已登录：",
        "intro": "店铺前台开发者视角：本页持有 Saleor 模拟服务签发的顾客 JWT，在浏览器中直接调用售后应用的 GraphQL "
        "API。每个区块都显示发送的查询文档和返回结果。",
        "returns": "退货",
        "order": "订单",
        "check": "查看可退商品",
        "not_returnable": "不可退货",
        "photos": "需要照片",
        "request_return": "申请退货",
        "return_created": "退货申请 {number} 已提交，审核通过后我们会通知您。",
        "my_returns": "我的退货",
        "warranties": "保修",
        "until": "有效期至",
        "describe": "发生了什么？",
        "file_claim": "申请保修",
        "claim_created": "保修申请 {number} 已提交，我们将在 48 小时内处理。",
        "my_claims": "我的保修申请",
        "refresh": "刷新",
        "help": "帮助：客服工单",
        "about_order": "相关订单",
        "no_order": "— 一般咨询 —",
        "subject": "主题",
        "message": "您的留言",
        "open_case": "提交工单",
        "case_created": "工单 {number} 已创建，客服会尽快回复。",
        "my_cases": "我的工单",
        "shop": "客服",
        "you": "您",
        "reply": "回复",
        "reply_ph": "输入回复",
        "replied": "回复已发送。",
        "rewards": "积分兑换",
        "available": "可用积分",
        "pending": "待生效",
        "points": "积分",
        "claim": "兑换",
        "claim_pending": "已兑换，正在生成兑换码…",
        "claim_issued": "您的兑换码：{code}",
        "claim_failed": "兑换码生成失败，请联系我们。",
        "my_reward_claims": "我的兑换",
        "valid_until": "有效期至",
        "statuses": {
            "REQUESTED": "已提交",
            "APPROVED": "已批准",
            "PARTIALLY_APPROVED": "部分批准",
            "REJECTED": "已拒绝",
            "IN_TRANSIT": "寄回中",
            "RECEIVED": "已收货",
            "PARTIALLY_RECEIVED": "部分收货",
            "INSPECTED": "已检验",
            "RESOLVING": "处理中",
            "SETTLEMENT_FAILED": "结算失败",
            "RESOLVED": "已完成",
            "CANCELLED": "已取消",
            "CLOSED": "已关闭",
            "SUBMITTED": "已提交",
            "IN_REPAIR": "维修中",
            "SETTLING": "结算中",
            "NEW": "新建",
            "OPEN": "处理中",
            "WAITING_ON_CUSTOMER": "等待您回复",
            "PENDING": "生成中",
            "ISSUED": "已发放",
            "FAILED": "失败",
            "REPAIR": "维修",
            "REPLACE": "换新",
            "REFUND": "退款",
            "REJECT": "拒绝",
        },
    },
}


def storefront_page(*, app_url: str, api_url: str, token: str, customer: dict, orders: list[dict],
                    channel: str) -> bytes:  # fmt: skip
    config = {
        "appUrl": app_url,
        "apiUrl": api_url,
        "token": token,
        "customer": customer,
        "orders": orders,
        "channel": channel,
    }
    return _fill(
        STOREFRONT_PAGE,
        config=_json(config),
        documents=_json({k: v for k, v in DOCUMENTS.items() if not k.startswith("Saleor")}),
        texts=_json(TEXTS),
    )


def _json(value) -> str:
    """JSON for a <script> block (no `</` that could end it)."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _fill(template: str, **values: str) -> bytes:
    for name, value in values.items():
        template = template.replace(f"%({name})s", value)
    return template.encode()
