// The shopper's page: sign in (or arrive with the shop's ID token), check in once a day,
// see this month's stamps and streaks, claim rewards, follow shipping, points, reminders.
import { api, ApiError, el, exchange, formValues, login, logout, newKey, tokens } from "/assets/api.js";
import { STRINGS } from "/app/strings.js";

const lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "ko";
// t("days", {n: 1}) takes "days_one" where the language has it (English: "1 day").
const t = (key, values = {}) => {
  const words = STRINGS[lang];
  const one = values.n === 1 && words[`${key}_one`];
  const text = one || words[key] || STRINGS.ko[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");
};
const $ = (id) => document.getElementById(id);

function translateStatic() {
  document.documentElement.lang = lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  const other = lang === "en" ? "ko" : "en";
  const link = $("lang-switch");
  link.href = other === "en" ? "?lang=en" : "?lang=ko";
  link.lang = other;
  link.textContent = other === "en" ? "English" : "한국어";
}

function say(message) {
  $("status").textContent = message || "";
}

function explain(error) {
  if (error instanceof ApiError) {
    const known = t(`error.${error.code}`);
    return known === `error.${error.code}` ? error.message : known;
  }
  return t("error.network");
}

// An instant (with its offset) in the browser's zone; a day ("2026-11-30") as it is.
function formatDate(iso) {
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  return new Intl.DateTimeFormat(lang === "en" ? "en" : "ko", {
    dateStyle: "medium",
    timeZone: dayOnly ? "UTC" : undefined,
  }).format(new Date(iso));
}

async function signedInView() {
  $("sign-in").hidden = true;
  $("signed-in").hidden = false;
  $("sign-out").hidden = false;
  await Promise.all([loadMe(), loadRewards(), loadClaims(), loadPoints(), loadPreferences()]);
}

let today = null; // the business day, from /attendance/me

function signedOutView(message) {
  $("sign-in").hidden = false;
  $("signed-in").hidden = true;
  $("sign-out").hidden = true;
  say(message);
}

async function loadMe() {
  const me = await api("GET", "/attendance/me");
  $("total-days").textContent = t("days", { n: me.total_days });
  $("streak").textContent = t("days", { n: me.current_streak });
  $("longest").textContent = t("days", { n: me.longest_streak });
  const button = $("check-in");
  button.disabled = me.checked_in_today;
  button.textContent = me.checked_in_today ? t("checkedIn") : t("checkIn");
  today = me.today;
  const yesterday = new Date(`${today}T00:00:00Z`);
  yesterday.setUTCDate(yesterday.getUTCDate() - 1);
  $("makeup-day").max = yesterday.toISOString().slice(0, 10);
  await loadCalendar(me.today);
}

async function loadCalendar(today) {
  const [year, month] = today.split("-").map(Number);
  const first = `${today.slice(0, 8)}01`;
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = `${today.slice(0, 8)}${String(length).padStart(2, "0")}`;
  const found = await api("GET", `/attendance/me/calendar?from=${first}&to=${last}`);
  const stamped = new Set(found.days.filter((d) => d.checked_in).map((d) => d.day));
  const madeUp = new Set(found.days.filter((d) => d.makeup).map((d) => d.day));
  const table = $("calendar");
  table.replaceChildren();
  const monthName = new Intl.DateTimeFormat(lang === "en" ? "en" : "ko", {
    year: "numeric",
    month: "long",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(year, month - 1, 1)));
  table.append(el("caption", { text: monthName }));
  const names = STRINGS[lang].weekdays;
  table.append(el("thead", {}, el("tr", {}, names.map((n) => el("th", { scope: "col", text: n })))));
  const body = el("tbody");
  let row = el("tr");
  const offset = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  for (let i = 0; i < offset; i += 1) row.append(el("td"));
  for (let day = 1; day <= length; day += 1) {
    const iso = `${today.slice(0, 8)}${String(day).padStart(2, "0")}`;
    const classes = [
      stamped.has(iso) ? "stamped" : "",
      madeUp.has(iso) ? "madeup" : "",
      iso === today ? "today" : "",
    ].join(" ");
    const mark = madeUp.has(iso) ? t("makeupMark") : t("stamped");
    const label = `${day}${stamped.has(iso) ? `, ${mark}` : ""}`;
    row.append(
      el(
        "td",
        { class: classes.trim() || null, "aria-current": iso === today ? "date" : null },
        el("span", { "aria-label": label, "data-day": iso }, String(day)),
      ),
    );
    if ((offset + day) % 7 === 0) {
      body.append(row);
      row = el("tr");
    }
  }
  if (row.children.length) body.append(row);
  table.append(body);
}

async function checkIn() {
  const result = $("check-in-result");
  try {
    const done = await api("POST", "/attendance/check-ins");
    result.textContent = t("checkedInResult", { total: done.total_days, streak: done.current_streak });
  } catch (error) {
    result.textContent = explain(error);
  }
  await Promise.all([loadMe(), loadRewards()]);
}

function addressForm(onSubmit) {
  const field = (name, key, attributes = {}) =>
    el("label", {}, el("span", { text: t(key) }), el("input", { name, ...attributes }));
  const form = el(
    "form",
    { class: "stack address" },
    field("recipient", "recipient", { required: true, autocomplete: "name" }),
    field("phone", "phone", { required: true, type: "tel", autocomplete: "tel" }),
    field("address1", "address1", { required: true, autocomplete: "address-line1" }),
    field("address2", "address2", { autocomplete: "address-line2" }),
    field("postal_code", "postalCode", { required: true, autocomplete: "postal-code" }),
    el("button", { type: "submit", text: t("send") }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await onSubmit(formValues(form));
  });
  return form;
}

async function claim(tier, shipping) {
  try {
    await api("POST", `/rewards/${tier.id}/claims`, {
      body: shipping ? { shipping } : undefined,
      headers: { "Idempotency-Key": newKey() },
    });
    say(t("claimed", { name: tier.name }));
  } catch (error) {
    say(explain(error));
  }
  await Promise.all([loadRewards(), loadClaims(), loadPoints()]);
}

async function loadRewards() {
  let rewards;
  try {
    rewards = await api("GET", "/rewards");
  } catch (error) {
    $("campaign").textContent = explain(error);
    $("tiers").replaceChildren();
    return;
  }
  const c = rewards.campaign;
  await loadMakeups(c);
  const daily = c.daily_points ? ` · ${t("dailyPoints", { n: c.daily_points })}` : "";
  $("campaign").textContent = `${c.name} · ${formatDate(c.starts_on)}${c.ends_on ? ` – ${formatDate(c.ends_on)}` : ""}${daily}`;
  $("tiers").replaceChildren(...rewards.tiers.map(tierItem));
  await loadEarlier(rewards.earlier_campaign);
}

// The campaign before this one: its rewards still waiting to be claimed, if any.
async function loadEarlier(earlier) {
  const box = $("earlier");
  const waiting = earlier
    ? (await api("GET", `/rewards?campaign_id=${earlier.id}`)).tiers.filter(
        (tier) => tier.status === "claimable" && tier.grant !== "auto",
      )
    : [];
  box.hidden = waiting.length === 0;
  $("earlier-title").textContent = earlier ? t("earlierTitle", { name: earlier.name }) : "";
  $("earlier-tiers").replaceChildren(...waiting.map(tierItem));
}

function tierItem(tier) {
  const prize = tier.kind === "points" ? t("pointsPrize", { n: tier.points }) : t("itemPrize");
  const state = {
    locked: t("daysToGo", { n: tier.days_remaining }),
    claimable: tier.claimable_count > 1 ? t("claimableTimes", { n: tier.claimable_count }) : t("claimable"),
    claimed: t("alreadyClaimed"),
    out_of_stock: t("outOfStock"),
  }[tier.status];
  const item = el(
    "li",
    { class: `tier ${tier.status}`, "data-tier": tier.id },
    el("h3", { text: tier.name }),
    tier.image_url ? el("img", { src: tier.image_url, alt: tier.name, class: "prize", loading: "lazy" }) : null,
    el("p", { text: `${t(`rule.${tier.rule || "cumulative"}`, { n: tier.required_days })} · ${prize}` }),
    tier.description ? el("p", { text: tier.description }) : null,
    el("p", { class: "state", text: state }),
    !tier.in_stock && tier.status !== "claimed" ? el("p", { text: t("outOfStock") }) : null,
  );
  if (tier.grant === "auto") {
    item.append(el("p", { text: t("givenByItself") }));
  } else if (tier.status === "claimable") {
    if (tier.kind === "item") {
      item.append(el("p", { text: t("addressPrompt") }), addressForm((a) => claim(tier, a)));
    } else {
      item.append(
        el("button", { type: "button", class: "primary", text: t("claim"), onclick: () => claim(tier) }),
      );
    }
  }
  return item;
}

// Make-up days: shown only when the campaign offers them.
async function loadMakeups(campaign) {
  const section = $("makeup");
  section.hidden = !campaign.makeup || campaign.status !== "running";
  if (section.hidden) return;
  const found = await api("GET", "/rewards/me/makeups");
  const used = found.items.filter((m) => m.status !== "refused").length;
  const { cost_points: cost, max_per_campaign: most } = campaign.makeup;
  $("makeup-offer").textContent = t("makeupOffer", { cost, most, used });
  const input = $("makeup-day");
  input.min = campaign.starts_on; // max: yesterday, set by loadMe
  $("makeups").replaceChildren(
    ...found.items.map((m) =>
      el("li", { "data-makeup": m.id }, t(`makeup.${m.status}`, { day: formatDate(m.day) })),
    ),
  );
}

async function askForMakeup(event) {
  event.preventDefault();
  const result = $("makeup-result");
  const { day } = formValues(event.target);
  try {
    let makeup = await api("POST", "/rewards/me/makeups", { body: { day } });
    result.textContent = t("makeupPending", { day: formatDate(day) });
    // The day is added by the attendance service within moments: ask until it is settled.
    for (let i = 0; i < 20 && makeup.status === "pending"; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      makeup = await api("GET", `/rewards/me/makeups/${makeup.id}`);
    }
    result.textContent = t(`makeup.${makeup.status}`, { day: formatDate(day) });
    event.target.reset();
  } catch (error) {
    result.textContent = explain(error);
  }
  await Promise.all([loadMe(), loadRewards(), loadPoints()]);
}

function fulfilmentText(f) {
  if (!f) return "";
  const base = t(`fulfilment.${f.status}`);
  if (f.tracking_number) return `${base} · ${f.carrier || ""} ${f.tracking_number}`.trim();
  return base;
}

async function loadClaims() {
  const found = await api("GET", "/rewards/me/claims");
  const list = $("claims");
  if (!found.items.length) {
    list.replaceChildren(el("li", { text: t("noClaims") }));
    return;
  }
  list.replaceChildren(
    ...found.items.map((c) => {
      const item = el(
        "li",
        { "data-claim": c.claim_id },
        el("strong", { text: c.tier_name || c.claim_number }),
        " ",
        el("span", { text: formatDate(c.claimed_at) }),
        c.fulfilment ? el("p", { class: "fulfilment", text: fulfilmentText(c.fulfilment) }) : null,
      );
      if (c.fulfilment && c.fulfilment.status === "awaiting_address") {
        item.append(
          addressForm(async (address) => {
            try {
              await api("PUT", `/rewards/me/claims/${c.claim_id}/shipping`, { body: address });
              say(t("addressSaved"));
            } catch (error) {
              say(explain(error));
            }
            await loadClaims();
          }),
        );
      }
      return item;
    }),
  );
}

async function loadPoints() {
  const found = await api("GET", "/rewards/me/points");
  $("points-balance").textContent = t("pointsPrize", { n: found.balance });
  $("points-expiring").replaceChildren(
    ...(found.expiring || []).map((e) =>
      el("li", {}, t("expiresOn", { n: e.amount, day: formatDate(e.expires_at) })),
    ),
  );
  $("points").replaceChildren(
    ...found.items.map((p) =>
      el("li", {}, `${p.amount > 0 ? "+" : ""}${p.amount} · ${p.reason} · ${formatDate(p.created_at)}`),
    ),
  );
}

async function loadPreferences() {
  const prefs = await api("GET", "/notifications/me/preferences");
  $("reminders").checked = prefs.reminders;
}

async function start() {
  translateStatic();
  $("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const { email, password } = formValues(event.target);
    try {
      await login(email, password);
      say("");
      await signedInView();
    } catch (error) {
      say(explain(error));
    }
  });
  $("sign-out").addEventListener("click", async () => {
    await logout();
    signedOutView(t("signedOut"));
  });
  $("check-in").addEventListener("click", checkIn);
  $("makeup-form").addEventListener("submit", askForMakeup);
  $("reminders").addEventListener("change", async (event) => {
    try {
      await api("PUT", "/notifications/me/preferences", { body: { reminders: event.target.checked } });
      say(event.target.checked ? t("remindersOn") : t("remindersOff"));
    } catch (error) {
      say(explain(error));
    }
  });
  // Arriving from the shop: /app/#id_token=<the shop's ID token>, exchanged for our tokens.
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("id_token")) {
    history.replaceState(null, "", location.pathname + location.search);
    try {
      await exchange(fragment.get("id_token"));
    } catch (error) {
      signedOutView(explain(error));
      return;
    }
  }
  if (!tokens()) {
    signedOutView("");
    return;
  }
  try {
    await signedInView();
  } catch (error) {
    signedOutView(error instanceof ApiError && error.status === 401 ? "" : explain(error));
  }
}

start();
