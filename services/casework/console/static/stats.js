// Figures from GET /v1/stats drawn as SVG bars, one chart per measure.
import { esc, getJson, registry } from "./api.js";
import { named, t } from "./i18n.js";

const DIMENSIONS = ["department", "village", "grid"];
const MEASURES = [
  ["on_time_rate", (g) => g.on_time_rate, 1, (v) => `${Math.round(v * 100)}%`],
  ["time_to_close", (g) => g.time_to_close_s && g.time_to_close_s.average, null, (v) => (v / 3600).toFixed(1)],
  ["satisfaction_average", (g) => g.satisfaction_average, 5, (v) => v.toFixed(1)],
];
let chosen = "department";

function nameOf(places, key) {
  const list = { department: places.departments, village: places.villages, grid: places.grids }[chosen];
  return named(list.find((x) => x.code === key)) || key;
}

export function chart(title, rows, top, shown) {
  // Horizontal bars; pale where the sample is too small to rank on.
  const bar = 22;
  const left = 260;
  const width = 900;
  const most = top || Math.max(...rows.map((r) => r.value), 1);
  const body = rows.map((r, i) => {
    const y = 10 + i * (bar + 8);
    const length = Math.max(2, ((width - left - 130) * r.value) / most);
    const label = r.label.length > 18 ? `${r.label.slice(0, 17)}…` : r.label;
    const pale = r.small ? " small" : "";
    return `<g><text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(label)}<title>${esc(r.label)}</title></text>
      <rect class="bar${pale}" x="${left}" y="${y}" width="${length.toFixed(1)}" height="${bar}">
      <title>${esc(r.label)}: ${esc(shown(r.value))} (n=${r.sample})</title></rect>
      <text x="${left + length + 6}" y="${y + 15}">${esc(shown(r.value))} (n=${r.sample})</text></g>`;
  });
  const height = 20 + rows.length * (bar + 8);
  return `<figure class="chart"><figcaption><h2>${esc(title)}</h2></figcaption>
    ${rows.length ? `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">${body.join("")}</svg>`
      : `<p>${esc(t("no_data"))}</p>`}</figure>`;
}

export async function showStats(main) {
  const places = await registry();
  const answer = await getJson("casework", "/v1/stats", { by: chosen });
  const groups = Object.entries(answer.groups);
  const charts = MEASURES.map(([key, pick, top, shown]) => {
    const rows = groups
      .map(([group, figures]) => [group, pick(figures)])
      .filter(([, f]) => f && f.value !== null && f.value !== undefined)
      .map(([group, f]) => ({ label: nameOf(places, group), value: f.value, sample: f.sample, small: f.too_small }))
      .sort((a, b) => b.value - a.value);
    return chart(t(key), rows, top, shown);
  });
  const choices = DIMENSIONS.map((d) => `<option value="${d}"${d === chosen ? " selected" : ""}>${esc(t(d))}</option>`);
  main.innerHTML = `
    <h1>${esc(t("stats"))}</h1>
    <form class="filters"><div><label for="by">${esc(t("by"))}</label>
      <select id="by">${choices.join("")}</select></div></form>
    <p class="muted">${esc(t("small_sample"))}</p>
    ${charts.join("")}`;
  main.querySelector("#by").addEventListener("change", (event) => {
    chosen = event.target.value;
    showStats(main);
  });
  return () => {};
}
