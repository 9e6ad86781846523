// Figures from GET /v1/stats drawn as SVG bars, one chart per measure, and the coverage
// of the newest field campaigns.
import { esc, getJson, registry } from "./api.js";
import { lang, named, t } from "./i18n.js";

export const DIMENSIONS = ["department", "village", "grid"];
const MEASURES = [
  ["on_time_rate", (g) => g.on_time_rate, 1, percent],
  ["time_to_close", (g) => g.time_to_close_s && g.time_to_close_s.average, null, duration],
  ["satisfaction_average", (g) => g.satisfaction_average, 5, (v) => v.toFixed(1)],
];
const LABEL_CHARS = 40;

function percent(value) {
  return `${Math.round(value * 100)}%`;
}

export function duration(seconds) {
  // Cases close in minutes on a busy day and in days on a slow one: one unit does not fit.
  const units = lang() === "zh" ? ["秒", "分钟", "小时", "天"] : [" s", " min", " h", " d"];
  if (seconds < 60) return `${Math.round(seconds)}${units[0]}`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}${units[1]}`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)}${units[2]}`;
  return `${(seconds / 86400).toFixed(1)}${units[3]}`;
}

function listOf(places, dimension) {
  return { department: places.departments, village: places.villages, grid: places.grids }[
    dimension
  ];
}

function nameOf(places, dimension, key) {
  if (key === "none") return t("unassigned");
  const found = listOf(places, dimension).find((x) => x.code === key);
  return found ? `${named(found)}` : key;
}

export function chart(title, rows, top, shown, caption = "") {
  // Horizontal bars; pale where the sample is too small to rank on.
  const bar = 22;
  const left = 290;
  const width = 900;
  const room = width - left - 150;
  const most = top || Math.max(...rows.map((r) => r.value), 1e-9);
  const body = rows.map((r, i) => {
    const y = 10 + i * (bar + 8);
    const length = Math.max(2, (room * r.value) / most);
    const label = r.label.length > LABEL_CHARS ? `${r.label.slice(0, LABEL_CHARS - 1)}…` : r.label;
    const pale = r.small ? " small" : "";
    const figure = `${shown(r.value)} ${r.detail || `(n=${r.sample})`}`;
    return `<g><text x="${left - 8}" y="${y + 16}" text-anchor="end">${esc(label)}<title>${esc(r.label)}</title></text>
      <rect class="bar${pale}" x="${left}" y="${y}" width="${length.toFixed(1)}" height="${bar}">
      <title>${esc(r.label)}: ${esc(figure)}</title></rect>
      <text x="${left + length + 6}" y="${y + 16}">${esc(figure)}</text></g>`;
  });
  const height = 20 + rows.length * (bar + 8);
  const note = caption ? `<p class="muted">${esc(caption)}</p>` : "";
  return `<figure class="chart"><figcaption><h2>${esc(title)}</h2>${note}</figcaption>
    ${rows.length ? `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">${body.join("")}</svg>`
      : `<p>${esc(t("no_data"))}</p>`}</figure>`;
}

function measures(answer, places, dimension) {
  const groups = Object.entries(answer.groups);
  return MEASURES.map(([key, pick, top, shown]) => {
    const rows = groups
      .map(([group, figures]) => [group, pick(figures)])
      .filter(([, f]) => f && f.value !== null && f.value !== undefined)
      .map(([group, f]) => ({
        label: nameOf(places, dimension, group),
        value: f.value,
        sample: f.sample,
        small: f.too_small,
      }))
      .sort((a, b) => b.value - a.value);
    return chart(`${t(key)} · ${t(`per.${dimension}`)}`, rows, top, shown);
  });
}

export async function campaigns() {
  // The newest campaigns are enough for a board; older ones are in the periodic report.
  const answer = await getJson("casework", "/v1/campaigns", { limit: 20 });
  return { items: answer.items };
}

function spread(campaign, places, dimension) {
  // One campaign's households confirmed per grid, or summed per village.
  const key = dimension === "grid" ? "grid_code" : "village_code";
  const parts = {};
  for (const g of campaign.grids) (parts[g[key] || "none"] ||= []).push(g);
  return Object.entries(parts).map(([code, grids]) => tally(nameOf(places, dimension, code), grids));
}

function tally(label, grids) {
  // Households confirmed out of those due; a grid with none to visit counts as covered.
  const due = grids.reduce((n, g) => n + g.households, 0);
  const done = grids.reduce((n, g) => n + Math.min(g.confirmed, g.households), 0);
  return {
    label,
    value: due ? done / due : 1,
    sample: due,
    detail: `(${done}/${due} ${t("households")})`,
  };
}

function coverage(found, places, dimension) {
  const title = t("campaign_coverage");
  if (!found.items.length) {
    const none = t("no_campaigns");
    return `<section class="chart" id="coverage"><h2>${esc(title)}</h2><p>${esc(none)}</p></section>`;
  }
  const overall = found.items.map((c) => tally(c.title, c.grids));
  const parts = [chart(title, overall, 1, percent, t("coverage_help"))];
  if (dimension !== "department") {
    for (const campaign of found.items.filter((c) => c.status !== "closed")) {
      const rows = spread(campaign, places, dimension).sort((a, b) => a.value - b.value);
      parts.push(chart(`${campaign.title} · ${t(`per.${dimension}`)}`, rows, 1, percent));
    }
  }
  return `<section id="coverage">${parts.join("")}</section>`;
}

export async function showStats(main, wanted) {
  const dimension = DIMENSIONS.includes(wanted) ? wanted : "department";
  const places = await registry();
  const [answer, found] = await Promise.all([
    getJson("casework", "/v1/stats", { by: dimension }),
    campaigns(),
  ]);
  const choices = DIMENSIONS.map(
    (d) => `<option value="${d}"${d === dimension ? " selected" : ""}>${esc(t(d))}</option>`,
  );
  main.innerHTML = `
    <h1 tabindex="-1">${esc(t("stats"))}</h1>
    <form class="filters" id="stats-by"><div><label for="by">${esc(t("by"))}</label>
      <select id="by">${choices.join("")}</select></div></form>
    <p class="muted">${esc(t("small_sample"))}</p>
    <div class="charts" data-by="${esc(dimension)}">${measures(answer, places, dimension).join("")}</div>
    ${coverage(found, places, dimension)}`;
  main.querySelector("#by").addEventListener("change", (event) => {
    location.hash = `#/stats/${event.target.value}`;
  });
  return () => {};
}
