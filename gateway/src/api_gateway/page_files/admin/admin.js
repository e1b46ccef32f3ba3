// The operators' console: claims and fulfilment, stock and its ledger, attendance per day,
// shoppers, the notification log and the audit log. A `support` user sees the same views;
// the API refuses what the role may not do, and the console says so.
import { api, ApiError, el, formValues, login, logout, raw, tokens } from "/assets/api.js";

const $ = (id) => document.getElementById(id);
let me = null;

function say(message, isError = false) {
  const status = $("status");
  status.textContent = message || "";
  status.classList.toggle("error", isError);
}

function explain(error) {
  if (error instanceof ApiError) return `${error.message}${error.code ? ` (${error.code})` : ""}`;
  console.error(error);
  return error instanceof TypeError && /fetch/i.test(error.message)
    ? "Could not reach the server"
    : `Something went wrong on this page: ${error.message}`;
}

async function attempt(work, done) {
  try {
    await work();
    if (done) say(done);
  } catch (error) {
    say(explain(error), true);
  }
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

function table(caption, columns, rows) {
  return el(
    "div",
    { class: "scroll" },
    el(
      "table",
      { class: "data" },
      el("caption", { class: "skip-caption", text: caption }),
      el("thead", {}, el("tr", {}, columns.map(([title]) => el("th", { scope: "col", text: title })))),
      el(
        "tbody",
        {},
        rows.length
          ? rows.map((row) => el("tr", {}, columns.map(([, cell]) => el("td", {}, cell(row) ?? ""))))
          : el("tr", {}, el("td", { colspan: String(columns.length), text: "Nothing here." })),
      ),
    ),
  );
}

// A refresh whose answer is shown only if no later one was asked for meanwhile; the
// container is aria-busy while it loads.
function freshOnly(container, render) {
  let latest = 0;
  return async (...args) => {
    latest += 1;
    const mine = latest;
    container.setAttribute("aria-busy", "true");
    try {
      const nodes = await render(...args);
      if (mine === latest) container.replaceChildren(...[nodes].flat());
    } finally {
      if (mine === latest) container.setAttribute("aria-busy", "false");
    }
  };
}

function card(title, ...children) {
  const id = `h-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return el("section", { class: "card", "aria-labelledby": id }, el("h2", { id, text: title }), ...children);
}

function searchForm(fields, onSearch, button = "Search") {
  const form = el(
    "form",
    { class: "row", role: "search" },
    fields.map(([name, label, attributes = {}]) =>
      el("label", {}, el("span", { text: label }), el(attributes.options ? "select" : "input", { name, ...attributes, options: null },
        ...(attributes.options || []).map(([value, text]) => el("option", { value, text })))),
    ),
    el("button", { type: "submit", text: button }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onSearch(formValues(form));
  });
  return form;
}

async function download(path, filename) {
  const answer = await raw("GET", path, { accept: "text/csv" });
  const url = URL.createObjectURL(await answer.blob());
  const link = el("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

// ---- claims and fulfilment ------------------------------------------------------------

function fulfilmentCell(claim, refresh) {
  const f = claim.fulfilment;
  if (!f) return "points";
  const parts = [el("span", { class: "state", text: f.status })];
  if (f.tracking_number) parts.push(el("div", { text: `${f.carrier || ""} ${f.tracking_number}` }));
  if (f.status === "pending" || f.status === "awaiting_address") {
    const form = el(
      "form",
      { class: "row ship", "data-claim": claim.claim_id },
      el("label", {}, el("span", { text: "Carrier" }), el("input", { name: "carrier", required: true })),
      el("label", {}, el("span", { text: "Tracking number" }), el("input", { name: "tracking_number", required: true })),
      el("button", { type: "submit", text: "Mark shipped" }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      attempt(async () => {
        await api("POST", `/rewards/admin/claims/${claim.claim_id}/fulfilment`, {
          body: { status: "shipped", ...formValues(form) },
        });
        await refresh();
      }, `${claim.claim_number} marked shipped`);
    });
    parts.push(form);
  } else if (f.status === "shipped") {
    parts.push(
      el("button", {
        type: "button",
        text: "Mark delivered",
        onclick: () =>
          attempt(async () => {
            await api("POST", `/rewards/admin/claims/${claim.claim_id}/fulfilment`, { body: { status: "delivered" } });
            await refresh();
          }, `${claim.claim_number} marked delivered`),
      }),
    );
  }
  return el("div", {}, ...parts);
}

async function claimsView(view) {
  const results = el("div", { id: "claims-results" });
  let filter = {};
  const refresh = freshOnly(results, async () => {
    const query = new URLSearchParams(filter).toString();
    const found = await api("GET", `/rewards/admin/claims${query ? `?${query}` : ""}`);
    return table("Claims", [
        ["Claim", (c) => c.claim_number],
        ["Tier", (c) => c.tier_name],
        ["Shopper", (c) => el("div", {}, el("div", { text: c.email || c.user_id }), el("div", { text: c.name || "" }))],
        ["Claimed", (c) => when(c.claimed_at)],
      ["Fulfilment", (c) => fulfilmentCell(c, refresh)],
    ], found.items);
  });
  const upload = el("input", { type: "file", name: "tracking", accept: ".csv,text/csv", id: "tracking-file" });
  view.append(
    card(
      "Claims",
      searchForm([["email", "Shopper email", { type: "email" }]], (values) => {
        filter = values;
        attempt(refresh);
      }),
      results,
    ),
    card(
      "Warehouse",
      el("p", { text: "Item claims waiting to ship, as CSV for the warehouse; then the tracking numbers back." }),
      el("div", { class: "row" },
        el("button", { type: "button", text: "Download pending (CSV)", onclick: () => attempt(() => download("/rewards/admin/fulfilments?status=pending", "pending-fulfilments.csv")) }),
        el("label", {}, el("span", { text: "Tracking CSV (claim_id,carrier,tracking_number)" }), upload),
        el("button", {
          type: "button",
          text: "Import tracking",
          onclick: () =>
            attempt(async () => {
              const file = upload.files[0];
              if (!file) throw new ApiError(0, { detail: "Choose a CSV file first" });
              const done = await api("POST", "/rewards/admin/fulfilments/import", {
                body: await file.text(),
                headers: { "Content-Type": "text/csv" },
              });
              say(`${done.updated} updated, ${done.errors.length} refused` +
                done.errors.map((e) => `; line ${e.line}: ${e.error}`).join(""));
              await refresh();
            }),
        }),
      ),
    ),
  );
  await refresh();
}

// ---- stock ------------------------------------------------------------------------------

async function stockView(view) {
  const ledger = el("div");
  const showLedger = async (tier) => {
    const found = await api("GET", `/rewards/admin/tiers/${tier.tier_id}/stock-adjustments`);
    ledger.replaceChildren(
      el("h3", { text: `Ledger: ${tier.name}` }),
      table(`Ledger of ${tier.name}`, [
        ["When", (a) => when(a.created_at)],
        ["Change", (a) => (a.delta > 0 ? `+${a.delta}` : String(a.delta))],
        ["Stock after", (a) => String(a.stock_after)],
        ["Reason", (a) => a.reason],
        ["By", (a) => a.admin_email || a.admin_id],
      ], found.items),
    );
  };
  const list = el("div");
  const refresh = freshOnly(list, async () => {
    const found = await api("GET", "/rewards/admin/stock");
    return table("Stock", [
        ["Tier", (s) => s.name],
        ["Stock", (s) => el("span", { class: s.low ? "error" : null, text: `${s.stock}${s.low ? " (low)" : ""}` })],
        ["Low at", (s) => String(s.low_stock_threshold)],
        ["Change", (s) => {
          const form = el("form", { class: "row" },
            el("label", {}, el("span", { text: "Change" }), el("input", { name: "delta", type: "number", required: true })),
            el("label", {}, el("span", { text: "Reason" }), el("input", { name: "reason", required: true })),
            el("button", { type: "submit", text: "Adjust" }),
            el("button", { type: "button", text: "Ledger", onclick: () => attempt(() => showLedger(s)) }));
          form.addEventListener("submit", (event) => {
            event.preventDefault();
            const values = formValues(form);
            attempt(async () => {
              await api("POST", `/rewards/admin/tiers/${s.tier_id}/stock-adjustments`, {
                body: { delta: Number(values.delta), reason: values.reason },
              });
              await refresh();
              await showLedger(s);
            }, `${s.name}: stock adjusted`);
          });
          return form;
        }],
    ], found.items);
  });
  view.append(card("Stock", list, ledger));
  await refresh();
}

// ---- attendance ---------------------------------------------------------------------------

function barChart(days) {
  const width = Math.max(320, days.length * 14);
  const height = 140;
  const top = Math.max(1, ...days.map((d) => d.check_ins));
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height + 20}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  const total = days.reduce((sum, d) => sum + d.check_ins, 0);
  svg.setAttribute("aria-label", `Check-ins per day: ${total} in ${days.length} days, at most ${top} in one day`);
  days.forEach((d, i) => {
    const bar = document.createElementNS(svg.namespaceURI, "rect");
    const h = Math.round((d.check_ins / top) * height);
    bar.setAttribute("x", String(i * 14 + 2));
    bar.setAttribute("y", String(height - h));
    bar.setAttribute("width", "10");
    bar.setAttribute("height", String(h));
    const title = document.createElementNS(svg.namespaceURI, "title");
    title.textContent = `${d.day}: ${d.check_ins}`;
    bar.append(title);
    svg.append(bar);
    if (i % 7 === 0) {
      const label = document.createElementNS(svg.namespaceURI, "text");
      label.setAttribute("x", String(i * 14 + 2));
      label.setAttribute("y", String(height + 14));
      label.textContent = d.day.slice(5);
      svg.append(label);
    }
  });
  return svg;
}

async function attendanceView(view) {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86400000);
  const iso = (d) => d.toISOString().slice(0, 10);
  const chart = el("div");
  const participation = el("div");
  const refresh = async (range) => {
    const summary = await api("GET", `/attendance/admin/summary?from=${range.from}&to=${range.to}`);
    chart.replaceChildren(
      barChart(summary.days),
      table("Check-ins per day", [["Day", (d) => d.day], ["Check-ins", (d) => String(d.check_ins)]], summary.days.slice(-7)),
    );
    const people = await api("GET", `/rewards/admin/attendance?from=${range.from}&to=${range.to}`);
    participation.replaceChildren(
      el("h3", { text: "Participation" }),
      table("Participation", [
        ["Shopper", (p) => p.email || p.user_id],
        ["Days", (p) => String(p.attendance_days)],
        ["Last day", (p) => p.last_day || ""],
        ["Claimed", (p) => (p.claimed_tiers || []).join(", ")],
      ], people.items),
    );
  };
  view.append(
    card(
      "Attendance",
      searchForm([["from", "From", { type: "date", value: iso(from) }], ["to", "To", { type: "date", value: iso(to) }]],
        (values) => attempt(() => refresh(values)), "Show"),
      chart,
      participation,
    ),
  );
  await refresh({ from: iso(from), to: iso(to) });
}


// ---- forms made from a list of fields ---------------------------------------------------

// fields: [name, label, {type, required, options: [[value, text]], multiple, value}]
function fieldsForm(fields, submitText, onSubmit) {
  const form = el(
    "form",
    { class: "row" },
    fields.map(([name, label, a = {}]) => {
      if (a.options && a.multiple) {
        return el("fieldset", {}, el("legend", { text: label }),
          a.options.map(([value, text]) =>
            el("label", { class: "check" }, el("input", { type: "checkbox", name, value }), el("span", { text })),
          ));
      }
      const control = a.options
        ? el("select", { name }, a.options.map(([value, text]) => el("option", { value, text, selected: value === a.value })))
        : el("input", { name, type: a.type || "text", required: a.required, value: a.value ?? null, min: a.min ?? null });
      return el("label", {}, el("span", { text: label }), control);
    }),
    el("button", { type: "submit", text: submitText }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = formValues(form);
    for (const [name, , a = {}] of fields) {
      if (a.multiple) values[name] = new FormData(form).getAll(name).map(String);
      else if (a.type === "number" && values[name] !== undefined) values[name] = Number(values[name]);
    }
    onSubmit(values, form);
  });
  return form;
}

function shownOnce(label, value) {
  return el("p", { class: "once" }, el("strong", { text: `${label} (shown only now): ` }), el("code", { text: value }));
}

// ---- campaign and tiers ----------------------------------------------------------------

const RULE_WORDS = { cumulative: "in all", consecutive: "in a row", every_n_days: "each time, again" };

// The campaign's settings as the API takes them (make-up days from two fields).
function campaignBody(values) {
  const {
    makeup_cost_points: cost,
    makeup_max_per_campaign: most,
    purchased_within_days: within,
    min_total_amount: least,
    ...rest
  } = values;
  // neither: none offered; one without the other: the API says what is missing (422)
  const makeup = cost === undefined && most === undefined ? null : { cost_points: cost, max_per_campaign: most };
  const eligibility = within === undefined && least === undefined
    ? null
    : { purchased_within_days: within ?? null, min_total_amount: least ?? null };
  return { ...rest, makeup, eligibility };
}

const CAMPAIGN_FIELDS = (campaign) => [
  ["name", "Name", { required: true, value: campaign?.name }],
  ["starts_on", "Starts on", { type: "date", required: true, value: campaign?.starts_on }],
  ["ends_on", "Ends on", { type: "date", value: campaign?.ends_on }],
  ["timezone", "Time zone", { required: true, value: campaign?.timezone || "Asia/Seoul" }],
  ["daily_points", "Points per check-in day", { type: "number", min: 0, value: campaign?.daily_points ?? 0 }],
  ["points_expire_after_days", "Points expire after (days, optional)", { type: "number", min: 1, value: campaign?.points_expire_after_days }],
  ["makeup_cost_points", "Make-up day costs (points, optional)", { type: "number", min: 0, value: campaign?.makeup?.cost_points }],
  ["makeup_max_per_campaign", "Make-up days per shopper", { type: "number", min: 1, value: campaign?.makeup?.max_per_campaign }],
  ["purchased_within_days", "Only with a purchase within (days, optional)", { type: "number", min: 1, value: campaign?.eligibility?.purchased_within_days }],
  ["min_total_amount", "Only with purchases totalling at least (optional)", { type: "number", min: 0, value: campaign?.eligibility?.min_total_amount }],
];

async function campaignView(view) {
  const campaignBox = el("div");
  const tiersBox = el("div");
  const overTimeBox = el("div");
  const editBox = el("div");
  let campaigns = [];
  const loadCampaign = freshOnly(campaignBox, async () => {
    let campaign = null;
    try {
      campaign = await api("GET", "/rewards/admin/campaign");
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    return el(
      "div",
      {},
      campaign ? el("p", { text: `${campaign.name}: ${campaign.status}` }) : null,
      fieldsForm(
        CAMPAIGN_FIELDS(campaign),
        campaign ? "Save campaign" : "Create campaign",
        (values) => attempt(async () => {
          await api("PUT", "/rewards/admin/campaign", { body: campaignBody(values) });
          await Promise.all([loadCampaign(), loadOverTime()]);
        }, "Campaign saved"),
      ),
    );
  });
  const loadOverTime = freshOnly(overTimeBox, async () => {
    campaigns = (await api("GET", "/rewards/admin/campaigns")).items;
    // The new tier's campaign: the current one, or one still to come.
    create.querySelector('select[name="campaign_id"]').replaceChildren(
      el("option", { value: "", text: "the current campaign" }),
      ...campaigns
        .filter((c) => c.status === "draft" || c.status === "scheduled")
        .map((c) => el("option", { value: c.id, text: `${c.name} (${c.status}, from ${c.starts_on})` })),
    );
    const publish = (c) => el("button", {
      type: "button",
      text: "Publish",
      onclick: () => attempt(async () => {
        await api("POST", `/rewards/admin/campaigns/${c.id}/publish`);
        await Promise.all([loadCampaign(), loadOverTime(), loadTiers()]);
      }, `${c.name} published`),
    });
    const edit = (c) => el("button", {
      type: "button",
      text: "Edit",
      onclick: () => {
        editBox.replaceChildren(
          el("h3", { text: `Edit ${c.name}` }),
          fieldsForm(CAMPAIGN_FIELDS(c), "Save changes", (values) => attempt(async () => {
            // PATCH: an empty end or expiry removes it (null), as a cleared field means
            await api("PATCH", `/rewards/admin/campaigns/${c.id}`, {
              body: {
                ...campaignBody(values),
                ends_on: values.ends_on ?? null,
                points_expire_after_days: values.points_expire_after_days ?? null,
              },
            });
            editBox.replaceChildren();
            await Promise.all([loadCampaign(), loadOverTime()]);
          }, `${values.name || c.name} saved`)),
        );
        editBox.querySelector("input")?.focus();
      },
    });
    return table("Campaigns", [
      ["Campaign", (c) => c.name],
      ["Days", (c) => `${c.starts_on} – ${c.ends_on || "open"}`],
      ["Status", (c) => c.status],
      ["Make-up days", (c) => (c.makeup ? `${c.makeup.max_per_campaign} at ${c.makeup.cost_points} points` : "none")],
      ["", (c) => el("div", {}, edit(c), c.status === "draft" ? publish(c) : null)],
    ], campaigns);
  });
  const draft = fieldsForm(
    CAMPAIGN_FIELDS(null),
    "Create draft",
    (values, form) => attempt(async () => {
      await api("POST", "/rewards/admin/campaigns", { body: campaignBody(values) });
      form.reset();
      await loadOverTime();
    }, `Draft ${values.name} created`),
  );
  const loadTiers = freshOnly(tiersBox, async () => {
    const found = await api("GET", "/rewards/admin/tiers");
    const toggle = (tier) => el("button", {
      type: "button",
      text: tier.active === false ? "Bring back" : "Retire",
      onclick: () => attempt(async () => {
        await api("PATCH", `/rewards/admin/tiers/${tier.id}`, { body: { active: tier.active === false } });
        await loadTiers();
      }, `${tier.name}: ${tier.active === false ? "active again" : "retired"}`),
    });
    const describe = (tier) => fieldsForm(
      [["description", "Description", { value: tier.description }], ["image_url", "Image URL", { type: "url", value: tier.image_url }]],
      "Save",
      (values) => attempt(async () => {
        await api("PATCH", `/rewards/admin/tiers/${tier.id}`, {
          body: { description: values.description ?? null, image_url: values.image_url ?? null },
        });
        await loadTiers();
      }, `${tier.name} saved`),
    );
    return table("Tiers", [
      ["Tier", (x) => el("div", {}, el("strong", { text: x.name }), el("div", { text: x.active === false ? "retired" : "active" }))],
      ["Days", (x) => `${x.required_days} ${RULE_WORDS[x.rule] || ""}${x.daily_limit ? `, ${x.daily_limit} a day` : ""}`],
      ["Prize", (x) => `${x.kind === "points" ? `${x.points} points` : "item"}${x.grant === "auto" ? ", given by itself" : ""}`],
      ["Stock", (x) => String(x.stock)],
      ["Edit", (x) => el("div", {}, describe(x), toggle(x))],
    ], found.items);
  });
  const create = fieldsForm(
    [
      ["name", "Name", { required: true }],
      ["required_days", "Days", { type: "number", required: true, min: 1 }],
      ["rule", "Rule", { options: [["cumulative", "days in all"], ["consecutive", "days in a row"], ["every_n_days", "every N days, again"]] }],
      ["kind", "Prize", { options: [["points", "points"], ["item", "item"]] }],
      ["grant", "Given", { options: [["claim", "when claimed"], ["auto", "by itself when reached (points)"]] }],
      ["points", "Points (points tiers)", { type: "number", min: 1 }],
      ["stock", "Stock", { type: "number", required: true, min: 0 }],
      ["low_stock_threshold", "Low at", { type: "number", min: 0 }],
      ["daily_limit", "Daily limit (optional)", { type: "number", min: 1 }],
      ["campaign_id", "For the campaign", { options: [["", "the current campaign"]] }],
    ],
    "Add tier",
    (values, form) => attempt(async () => {
      const { campaign_id: campaignId, ...tier } = values;
      const path = campaignId ? `/rewards/admin/campaigns/${campaignId}/tiers` : "/rewards/admin/tiers";
      await api("POST", path, { body: tier });
      form.reset();
      await loadTiers();
    }, `Tier ${values.name} added`),
  );
  view.append(
    card("Campaign", campaignBox),
    card("Campaigns over time", overTimeBox, editBox, el("h3", { text: "New campaign (a draft until published)" }), draft),
    card("Tiers", tiersBox, el("h3", { text: "New tier" }), create),
  );
  await Promise.all([loadCampaign(), loadOverTime(), loadTiers()]);
}

// ---- one shopper -------------------------------------------------------------------------

async function shopperDetail(box, userId) {
  const [user, days, claims, points, mails] = await Promise.all([
    api("GET", `/auth/admin/users/${userId}`),
    api("GET", `/attendance/admin/check-ins?user_id=${userId}`),
    api("GET", `/rewards/admin/claims?user_id=${userId}`),
    api("GET", `/rewards/admin/points?user_id=${userId}`),
    api("GET", `/notifications/admin/notifications?user_id=${userId}`),
  ]);
  const grant = fieldsForm(
    [["amount", "Points (negative takes back)", { type: "number", required: true }], ["reason", "Reason", { required: true }]],
    "Grant",
    (values, form) => attempt(async () => {
      await api("POST", "/rewards/admin/points-grants", {
        body: { user_ids: [userId], amount: values.amount, reason: values.reason },
        headers: { "Idempotency-Key": crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) },
      });
      form.reset();
      await shopperDetail(box, userId);
    }, `Points granted to ${user.email}`),
  );
  box.replaceChildren(
    el("h3", { text: `${user.name} <${user.email}>` }),
    el("p", { text: `${user.role}, ${user.eligible ? "eligible" : "not eligible"}, since ${when(user.created_at)}${user.identity_provider ? `, signs in with ${user.identity_provider}` : ""}` }),
    table("Purchases", [["Order", (o) => o.order_id], ["Amount", (o) => `${o.amount} ${o.currency}`], ["Status", (o) => o.status || "paid"], ["When", (o) => when(o.purchased_at)]], user.purchases),
    table("Check-in days", [["Day", (d) => d.day], ["At", (d) => when(d.checked_at)]], days.items),
    table("Claims", [["Claim", (c) => c.claim_number], ["Tier", (c) => c.tier_name], ["State", (c) => c.fulfilment ? c.fulfilment.status : "points"]], claims.items),
    el("h3", { text: "Points" }),
    el("p", { id: "shopper-balance", text: `Balance: ${points.balance}` }),
    table("Points expiring", [["Points", (e) => String(e.amount)], ["Expire at", (e) => when(e.expires_at)]], points.expiring),
    table("Points ledger", [["When", (p) => when(p.created_at)], ["Points", (p) => String(p.amount)], ["Reason", (p) => p.reason]], points.items),
    grant,
    el("h3", { text: "Mails" }),
    table("Mails", [["When", (n) => when(n.created_at)], ["Kind", (n) => n.kind], ["Subject", (n) => n.subject], ["Status", (n) => n.status]], mails.items),
  );
}

// ---- shop connections and alerts -----------------------------------------------------------

async function connectionsView(view) {
  const keys = el("div");
  const providers = el("div");
  const hooks = el("div");
  const orderHooks = el("div");
  const made = el("div");
  const loadKeys = freshOnly(keys, async () => table("API keys", [
    ["Name", (k) => k.name], ["Scopes", (k) => k.scopes.join(", ")], ["Last used", (k) => when(k.last_used_at)],
    ["Revoke", (k) => el("button", { type: "button", text: "Revoke", onclick: () => attempt(async () => {
      await api("DELETE", `/auth/admin/api-keys/${k.id}`);
      await loadKeys();
    }, `${k.name} revoked`) })],
  ], (await api("GET", "/auth/admin/api-keys")).items));
  const loadProviders = freshOnly(providers, async () => table("Identity providers", [
    ["Name", (x) => x.name], ["Issuer", (x) => x.issuer], ["Audience", (x) => x.audience],
    ["Remove", (x) => el("button", { type: "button", text: "Remove", onclick: () => attempt(async () => {
      await api("DELETE", `/auth/admin/identity-providers/${x.id}`);
      await loadProviders();
    }, `${x.name} removed`) })],
  ], (await api("GET", "/auth/admin/identity-providers")).items));
  const loadOrderHooks = freshOnly(orderHooks, async () => table("Order webhooks", [
    ["Name", (w) => w.name], ["Path", (w) => el("code", { text: w.path })], ["Made", (w) => when(w.created_at)],
  ], (await api("GET", "/auth/admin/order-webhooks")).items));
  const loadHooks = freshOnly(hooks, async () => table("Outgoing webhooks", [
    ["URL", (w) => w.url], ["Events", (w) => w.events.join(", ")],
    ["Remove", (w) => el("button", { type: "button", text: "Remove", onclick: () => attempt(async () => {
      await api("DELETE", `/notifications/admin/webhooks/${w.id}`);
      await loadHooks();
    }, "Webhook removed") })],
  ], (await api("GET", "/notifications/admin/webhooks")).items));
  const scopes = [["purchases:write", "purchases:write"], ["purchases:read", "purchases:read"]];
  const events = ["reward.claimed", "points.credited", "points.debited", "fulfilment.shipped"].map((e) => [e, e]);
  view.append(
    made,
    card("API keys", keys, fieldsForm([["name", "Name", { required: true }], ["scopes", "Scopes", { options: scopes, multiple: true }]], "Make key",
      (values) => attempt(async () => {
        const key = await api("POST", "/auth/admin/api-keys", { body: values });
        made.replaceChildren(shownOnce(`API key ${key.name}`, key.key));
        await loadKeys();
      }))),
    card("Order webhooks", el("p", { text: "The shop's order system posts paid, refunded and cancelled orders here, signed with the secret." }),
      orderHooks,
      fieldsForm([["name", "Name", { required: true }]], "Make order webhook", (values) => attempt(async () => {
        const hook = await api("POST", "/auth/admin/order-webhooks", { body: values });
        made.replaceChildren(shownOnce(`Order webhook ${hook.name} at ${hook.path}: secret`, hook.secret));
        await loadOrderHooks();
      }))),
    card("Identity providers", providers, fieldsForm(
      [["name", "Name", { required: true }], ["issuer", "Issuer URL", { type: "url", required: true }], ["audience", "Audience", { required: true }], ["jwks_uri", "JWKS URL (optional)", { type: "url" }]],
      "Add provider", (values, form) => attempt(async () => {
        await api("POST", "/auth/admin/identity-providers", { body: values });
        form.reset();
        await loadProviders();
      }, "Provider added"))),
    card("Outgoing webhooks", hooks, fieldsForm([["url", "URL", { type: "url", required: true }], ["events", "Events", { options: events, multiple: true }]], "Add webhook",
      (values) => attempt(async () => {
        const hook = await api("POST", "/notifications/admin/webhooks", { body: values });
        made.replaceChildren(shownOnce(`Webhook ${hook.url}: secret`, hook.secret));
        await loadHooks();
      }))),
  );
  await Promise.all([loadKeys(), loadProviders(), loadHooks(), loadOrderHooks()]);
}

async function alertsView(view) {
  const box = el("div");
  const load = freshOnly(box, async () => {
    const found = await api("GET", "/notifications/admin/alert-recipients");
    return fieldsForm([["emails", "Low-stock alerts go to (comma separated)", { value: found.emails.join(", ") }]], "Save",
      (values) => attempt(async () => {
        const emails = (values.emails || "").split(",").map((e) => e.trim()).filter(Boolean);
        await api("PUT", "/notifications/admin/alert-recipients", { body: { emails } });
        await load();
      }, "Alert recipients saved"));
  });
  view.append(
    card("Alert recipients", box),
    card("Reminders", el("p", { text: "The daily reminder goes out on its own; this sends today's now (once per day)." }),
      el("button", { type: "button", text: "Send today's reminders", onclick: () => attempt(async () => {
        const done = await api("POST", "/notifications/admin/reminders/run");
        say(`${done.queued} reminders queued`);
      }) })),
  );
  await load();
}

// ---- shoppers, notifications, audit ---------------------------------------------------------

async function shoppersView(view) {
  const results = el("div");
  const detail = el("div", { id: "shopper-detail" });
  const refresh = freshOnly(results, async (query) => {
    const found = await api("GET", `/auth/admin/users?query=${encodeURIComponent(query || "")}`);
    return table("Shoppers", [
        ["Email", (u) => el("button", { type: "button", class: "link", text: u.email, onclick: () => attempt(() => shopperDetail(detail, u.id)) })],
        ["Name", (u) => u.name],
        ["Role", (u) => u.role],
        ["Eligible", (u) => (u.eligible ? "yes" : "no")],
      ["Since", (u) => when(u.created_at)],
    ], found.items);
  });
  view.append(card("Shoppers", searchForm([["query", "Email, name or id"]], (v) => attempt(() => refresh(v.query))), results, detail));
  await refresh("");
}

async function notificationsView(view) {
  const results = el("div");
  const refresh = freshOnly(results, async (filter) => {
    const query = new URLSearchParams(filter).toString();
    const found = await api("GET", `/notifications/admin/notifications${query ? `?${query}` : ""}`);
    return table("Notifications", [
        ["When", (n) => when(n.created_at)],
        ["Kind", (n) => n.kind],
        ["To", (n) => n.email || n.user_id || ""],
        ["Subject", (n) => n.subject],
        ["Status", (n) => n.status],
        ["Attempts", (n) => String(n.attempts ?? "")],
      ["Last error", (n) => n.last_error || ""],
    ], found.items);
  });
  const statuses = [["", "any"], ["pending", "pending"], ["sent", "sent"], ["failed", "failed"]];
  view.append(card("Notifications", searchForm([["status", "Status", { options: statuses }]], (v) => attempt(() => refresh(v)), "Show"), results));
  await refresh({});
}

async function auditView(view) {
  const results = el("div");
  const refresh = freshOnly(results, async (segment) => {
    const found = await api("GET", `/${segment}/admin/audit`);
    return table("Audit log", [
        ["When", (a) => when(a.at)],
        ["Who", (a) => a.actor_email || a.actor_id],
        ["Action", (a) => a.action],
        ["Target", (a) => a.target],
      ["Request", (a) => a.request_id || ""],
    ], found.items);
  });
  const services = [["rewards", "rewards"], ["auth", "auth"], ["notifications", "notifications"]];
  view.append(card("Audit log", searchForm([["segment", "Service", { options: services }]], (v) => attempt(() => refresh(v.segment)), "Show"), results));
  await refresh("rewards");
}

const SECTIONS = [
  ["claims", "Claims & shipping", claimsView],
  ["campaign", "Campaign & tiers", campaignView],
  ["stock", "Stock", stockView],
  ["attendance", "Attendance", attendanceView],
  ["shoppers", "Shoppers", shoppersView],
  ["notifications", "Notifications", notificationsView],
  ["alerts", "Alerts & reminders", alertsView],
  ["connections", "Shop connections", connectionsView],
  ["audit", "Audit log", auditView],
];

async function show() {
  const wanted = location.hash.slice(1) || "claims";
  const [name, , render] = SECTIONS.find(([n]) => n === wanted) || SECTIONS[0];
  $("tabs").replaceChildren(
    ...SECTIONS.map(([n, title]) =>
      el("li", {}, el("a", { href: `#${n}`, text: title, "aria-current": n === name ? "page" : null })),
    ),
  );
  const view = $("view");
  view.replaceChildren();
  say("");
  await attempt(() => render(view));
}

async function signedIn() {
  me = await api("GET", "/auth/me");
  if (me.role !== "admin" && me.role !== "support") {
    await logout();
    throw new ApiError(403, { detail: "This console is for the shop's staff (admin or support)" });
  }
  $("sign-in").hidden = true;
  $("console").hidden = false;
  $("sign-out").hidden = false;
  $("who").textContent = `${me.email} (${me.role})`;
  await show();
}

async function start() {
  window.addEventListener("hashchange", show);
  $("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const { email, password } = formValues(event.target);
    await attempt(async () => {
      await login(email, password);
      say("");
      await signedIn();
    });
  });
  $("sign-out").addEventListener("click", async () => {
    await logout();
    location.reload();
  });
  if (tokens()) {
    try {
      await signedIn();
      return;
    } catch (error) {
      say(error instanceof ApiError && error.status === 401 ? "" : explain(error), true);
    }
  }
  $("sign-in").hidden = false;
}

start();
