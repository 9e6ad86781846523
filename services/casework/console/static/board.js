// The live case board and the phone-sized work queues of departments and grid heads.
import { SERVICES, esc, getJson, me, registry, token } from "./api.js";
import { named, t, when } from "./i18n.js";

const OPEN = "reported,dispatched,signed,disposed,verified,returned";
const KINDS = ["assigned", "reminder", "overdue", "escalated", "returned",
  "verification_requested", "verified", "closed", "digest", "message"];
const filters = { village_code: "", department: "", category: "", level: "", open: true };

export function narrow(name, value) {
  // Set one board filter from another view, such as a grid picked on the map.
  filters[name] = value;
}

function rank(item) {
  // Overdue first, then escalated, then new; newest first within each.
  const fresh = item.status === "reported" || item.status === "dispatched";
  return (item.overdue ? 4 : 0) + (item.escalation_level > 0 ? 2 : 0) + (fresh ? 1 : 0);
}

export function ordered(items) {
  return [...items].sort(
    (a, b) => rank(b) - rank(a) || String(b.created_at).localeCompare(String(a.created_at)),
  );
}

export function tags(item) {
  const marks = [];
  if (item.overdue) marks.push(`<span class="tag overdue">${esc(t("overdue"))}</span>`);
  if (item.escalation_level > 0) marks.push(`<span class="tag escalated">${esc(t("escalated"))}</span>`);
  if (item.status === "reported" || item.status === "dispatched") {
    marks.push(`<span class="tag new">${esc(t("new"))}</span>`);
  }
  return marks.join("");
}

// The deadline that runs while a case waits in each status.
const STAGE = { reported: "sign", dispatched: "sign", signed: "dispose", disposed: "verify",
  verified: "evaluate" };

export function nextDue(item) {
  // The due time of the step the case waits for, not the earliest of all its clocks.
  if (!(item.status in STAGE) && item.status !== "returned") return "";
  const due = (item.deadlines || {})[STAGE[item.status]];
  return due || item.expected_at || "";
}

function options(list, chosen) {
  return [`<option value="">${esc(t("any"))}</option>`]
    .concat(list.map((x) => {
      const selected = x.code === chosen ? " selected" : "";
      return `<option value="${esc(x.code)}"${selected}>${esc(named(x))}</option>`;
    }))
    .join("");
}

function row(item, places) {
  const klass = [item.overdue ? "overdue" : "", item.escalation_level > 0 ? "escalated" : ""].join(" ");
  const dept = places.departments.find((d) => d.code === item.department);
  const cat = places.categories.find((c) => c.code === item.category);
  return `<tr class="${klass}" data-case="${esc(item.case_id)}">
    <td><a class="id" href="#/case/${encodeURIComponent(item.case_id)}">${esc(item.case_id)}</a> ${tags(item)}</td>
    <td>${esc(t(`st.${item.status}`))}</td>
    <td>${esc(cat ? named(cat) : item.category || "")}</td>
    <td>${esc(item.level)}</td>
    <td class="nowrap">${esc(item.grid_code || "")}</td>
    <td>${esc(dept ? named(dept) : item.department)}</td>
    <td class="nowrap">${esc(when(item.created_at))}</td>
    <td class="nowrap">${esc(when(nextDue(item)))}</td>
  </tr>`;
}

function live(onEvent, mark) {
  // The notifier's stream; EventSource cannot send headers, so the token rides in the query.
  const who = me();
  if (!who || !["operator", "department"].includes(who.role)) return () => {};
  const url = `${SERVICES.notifier}/v1/stream?access_token=${encodeURIComponent(token())}`;
  const source = new EventSource(url);
  source.onopen = () => mark(true);
  source.onerror = () => mark(false);
  for (const kind of KINDS) source.addEventListener(kind, onEvent);
  return () => source.close();
}

export async function showBoard(main) {
  const places = await registry();
  const levels = [1, 2, 3].map((n) => ({ code: String(n), name_zh: String(n), name_en: String(n) }));
  main.innerHTML = `
    <h1>${esc(t("board"))} <span id="live" class="live">${esc(t("live_off"))}</span></h1>
    <form class="filters" id="filters">
      <div><label for="f-village">${esc(t("village"))}</label>
        <select id="f-village" name="village_code">${options(places.villages, filters.village_code)}</select></div>
      <div><label for="f-dept">${esc(t("department"))}</label>
        <select id="f-dept" name="department">${options(places.departments, filters.department)}</select></div>
      <div><label for="f-cat">${esc(t("category"))}</label>
        <select id="f-cat" name="category">${options(places.categories, filters.category)}</select></div>
      <div><label for="f-level">${esc(t("level"))}</label>
        <select id="f-level" name="level">${options(levels, filters.level)}</select></div>
      <div><label for="f-open"><input type="checkbox" id="f-open" name="open"${filters.open ? " checked" : ""}>
        ${esc(t("open_only"))}</label></div>
    </form>
    <table class="board"><thead><tr>
      <th>${esc(t("case_id"))}</th><th>${esc(t("status"))}</th><th>${esc(t("category"))}</th><th>${esc(t("level"))}</th>
      <th>${esc(t("grid"))}</th><th>${esc(t("department"))}</th><th>${esc(t("created"))}</th><th>${esc(t("due"))}</th>
    </tr></thead><tbody id="rows"><tr><td colspan="8">${esc(t("loading"))}</td></tr></tbody></table>`;

  async function refresh() {
    const page = await getJson("casework", "/v1/cases", {
      village_code: filters.village_code,
      department: filters.department,
      category: filters.category,
      level: filters.level,
      status: filters.open ? OPEN : "",
      limit: 200,
    });
    const items = ordered(page.items);
    const body = main.querySelector("#rows");
    if (!body) return;
    body.innerHTML = items.length
      ? items.map((item) => row(item, places)).join("")
      : `<tr><td colspan="8">${esc(t("no_cases"))}</td></tr>`;
  }

  main.querySelector("#filters").addEventListener("change", (event) => {
    const field = event.target;
    filters[field.name] = field.type === "checkbox" ? field.checked : field.value;
    refresh();
  });

  let pending = null;
  const stop = live(
    () => {
      clearTimeout(pending);
      pending = setTimeout(refresh, 250);
    },
    (on) => {
      const mark = main.querySelector("#live");
      if (!mark) return;
      mark.textContent = t(on ? "live_on" : "live_off");
      mark.className = on ? "live on" : "live";
    },
  );
  // TODO: the stream carries only the notices the notifier sends (not every transition),
  // so a slow poll catches changes such as a sign-for that no notice announces.
  const poll = setInterval(refresh, 15000);
  await refresh();
  return () => {
    stop();
    clearInterval(poll);
    clearTimeout(pending);
  };
}

function card(item, places) {
  const cat = places.categories.find((c) => c.code === item.category);
  return `<article class="card" data-case="${esc(item.case_id)}">
    <a href="#/case/${encodeURIComponent(item.case_id)}">${esc(cat ? named(cat) : item.category || item.case_id)}</a>
    ${tags(item)}
    <p>${esc(t(`st.${item.status}`))} · ${esc(item.grid_code || "")} · ${esc(t("level"))} ${esc(item.level)}</p>
    <p class="muted">${esc(item.address || "")}</p>
    <p>${esc(t("due"))}: ${esc(when(nextDue(item)))}</p>
  </article>`;
}

export async function showQueue(main) {
  const who = me();
  const places = await registry();
  let groups = [];
  if (who.role === "department" && who.department) {
    groups = [[who.department, `/v1/queues/departments/${encodeURIComponent(who.department)}`]];
  } else if (who.role === "grid_staff") {
    groups = (who.grids || []).map((g) => [g, `/v1/queues/grids/${encodeURIComponent(g)}`]);
  }
  if (!groups.length) {
    main.innerHTML = `<h1>${esc(t("queue"))}</h1><p>${esc(t("no_queue"))}</p>`;
    return () => {};
  }
  const sections = await Promise.all(
    groups.map(async ([name, path]) => {
      const page = await getJson("casework", path);
      const items = ordered(page.items);
      const cards = items.length
        ? items.map((item) => card(item, places)).join("")
        : `<p>${esc(t("no_cases"))}</p>`;
      return `<section><h2>${esc(t("queue_for"))}${esc(name)}</h2><div class="cards">${cards}</div></section>`;
    }),
  );
  main.innerHTML = `<h1>${esc(t("queue"))}</h1>${sections.join("")}`;
  return () => {};
}
