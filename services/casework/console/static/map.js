// The grids drawn from their registry boundaries as SVG, shaded by open and overdue cases.
import { esc, getJson, registry } from "./api.js";
import { named, t } from "./i18n.js";
import { narrow } from "./board.js";

const OPEN = "reported,dispatched,signed,disposed,verified,returned";
const SHADES = [[0, "#f4f8fb"], [1, "#c6dbef"], [2, "#8fbbdc"], [4, "#4f8fc4"], [8, "#245f9b"]];
const WIDTH = 900;

function shade(count) {
  let colour = SHADES[0][1];
  for (const [least, value] of SHADES) if (count >= least) colour = value;
  return colour;
}

function projection(grids) {
  // A flat projection is enough for a sub-district: longitude shrunk by the latitude.
  const points = grids.flatMap((g) => g.polygon);
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  const [west, east, south, north] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const squeeze = Math.cos(((south + north) / 2) * Math.PI / 180);
  const scale = WIDTH / ((east - west) * squeeze || 1);
  const height = Math.ceil((north - south) * scale) || 1;
  const place = ([lon, lat]) => [((lon - west) * squeeze * scale).toFixed(1), ((north - lat) * scale).toFixed(1)];
  return { place, height };
}

function villageLabels(places, place) {
  // Each village's name at the middle of its grids, so a grid can be found by its village.
  return places.villages.map((village) => {
    const points = places.grids.filter((g) => g.village_code === village.code)
      .flatMap((g) => g.polygon.map((p) => place(p).map(Number)));
    if (!points.length) return "";
    const x = points.reduce((n, p) => n + p[0], 0) / points.length;
    const y = points.reduce((n, p) => n + p[1], 0) / points.length;
    // Two short lines rather than one long one, which would run into the next village.
    const words = named(village).split(" ");
    const lines = words.length > 1 ? [words.slice(0, -1).join(" "), words.at(-1)] : words;
    const spans = lines.map((line, i) =>
      `<tspan x="${x.toFixed(1)}" dy="${i ? "1.1em" : `${-0.55 * (lines.length - 1)}em`}">${esc(line)}</tspan>`);
    return `<text class="village" x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="middle"
      aria-hidden="true">${spans.join("")}</text>`;
  }).join("");
}

export function counts(items) {
  const per = {};
  for (const item of items) {
    const tally = (per[item.grid_code] ||= { open: 0, overdue: 0 });
    tally.open += 1;
    if (item.overdue) tally.overdue += 1;
  }
  return per;
}

export async function showMap(main) {
  const places = await registry();
  // TODO: one page of 500 open cases; a busier sub-district needs per-grid counts from casework.
  const page = await getJson("casework", "/v1/cases", { status: OPEN, limit: 500 });
  const per = counts(page.items);
  const { place, height } = projection(places.grids);
  const shapes = places.grids.map((grid) => {
    const tally = per[grid.code] || { open: 0, overdue: 0 };
    const d = `M${grid.polygon.map((p) => place(p).join(",")).join("L")}Z`;
    const label = `${grid.code} ${named(grid)}: ${t("open_cases")} ${tally.open}, ${t("overdue_cases")} ${tally.overdue}`;
    const edge = tally.overdue ? ' style="stroke:#a4161a;stroke-width:2.5"' : "";
    return `<path d="${d}" fill="${shade(tally.open)}"${edge} tabindex="0" role="img"
      data-grid="${esc(grid.code)}" data-open="${tally.open}" data-overdue="${tally.overdue}"
      aria-label="${esc(label)}"><title>${esc(label)}</title></path>`;
  });
  const legend = SHADES.map(([least, colour], i) => {
    const next = SHADES[i + 1];
    const span = next ? (next[0] - 1 > least ? `${least}–${next[0] - 1}` : `${least}`) : `${least}+`;
    return `<span><i style="background:${colour}"></i>${span}</span>`;
  }).join("");
  const busiest = Object.entries(per).sort((a, b) => b[1].open - a[1].open).slice(0, 10);
  main.innerHTML = `
    <h1>${esc(t("map"))}</h1>
    <p class="muted">${esc(t("map_help"))}</p>
    <div class="legend">${esc(t("open_cases"))}: ${legend}
      <span><i style="background:#fff;border:2.5px solid #a4161a"></i>${esc(t("overdue_cases"))}</span></div>
    <div class="map"><svg viewBox="0 0 ${WIDTH} ${height}" role="group" aria-label="${esc(t("map"))}">
      ${shapes.join("")}<g class="villages">${villageLabels(places, place)}</g></svg></div>
    <h2>${esc(t("busiest"))}</h2>
    <table><thead><tr><th>${esc(t("grid"))}</th><th>${esc(t("open_cases"))}</th><th>${esc(t("overdue_cases"))}</th></tr></thead>
    <tbody>${busiest.map(([code, c]) => `<tr><td>${esc(code)} ${esc(named(places.grids.find((g) => g.code === code)))}</td>
      <td>${c.open}</td><td>${c.overdue}</td></tr>`).join("")
      || `<tr><td colspan="3">${esc(t("no_cases"))}</td></tr>`}</tbody></table>`;
  const pick = (shape) => {
    // A grid picked by mouse or keyboard opens the board on its village.
    const grid = places.grids.find((g) => g.code === shape.dataset.grid);
    if (!grid) return;
    narrow("village_code", grid.village_code);
    location.hash = "#/board";
  };
  main.querySelectorAll("path[data-grid]").forEach((shape) => {
    shape.addEventListener("click", () => pick(shape));
    shape.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        pick(shape);
      }
    });
  });
  return () => {};
}
