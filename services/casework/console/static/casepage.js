// One case: its facts, photos, timeline and deadlines, and the actions its viewer may take.
import { Failure, commandId, esc, getJson, photoUrl, postJson, registry, upload } from "./api.js";
import { named, t, when } from "./i18n.js";
import { notify } from "./notice.js";
import { tags } from "./board.js";

const RETURN_REASONS = ["not_ours", "wrong_place", "duplicate", "insufficient_info"];

// The fields each action asks for; a photo is uploaded first and sent as media_ids.
const FORMS = {
  sign: [["note", "text"]],
  dispose: [["photo", "photo"], ["note", "text"]],
  return: [["reason_code", "return"], ["note", "text"]],
  verify: [["passed", "passed"], ["photo", "photo"], ["note", "text"]],
  evaluate: [["score", "score"], ["comment", "text"]],
  file: [["note", "text"]],
  "request-extension": [["hours", "hours"], ["reason", "required"]],
  "approve-extension": [["note", "text"]],
  "refuse-extension": [["reason", "required"]],
  escalate: [["reason", "required"]],
  redispatch: [["department", "unit"], ["tier", "tier"]],
  dispatch: [["department", "unit"], ["tier", "tier"]],
  merge: [["into", "required"], ["reason", "text"]],
  invalidate: [["reason", "required"]],
};

const LABELS = { photo: "photo", reason_code: "reason", passed: "passed", score: "score",
  comment: "comment", hours: "hours", reason: "reason", note: "note",
  department: "unit", tier: "tier", into: "into" };

// Casework works out every due time on its calendar; the console never sends one.

let shown = null;

function input(name, kind, item, places) {
  const id = `field-${name}`;
  const label = `<label for="${id}">${esc(t(LABELS[name] || name))}</label>`;
  const control = {
    text: () => `<textarea id="${id}" name="${name}" rows="2"></textarea>`,
    required: () => `<textarea id="${id}" name="${name}" rows="2" required></textarea>`,
    photo: () => `<input id="${id}" name="${name}" type="file" accept="image/jpeg,image/png,image/webp" required>`,
    return: () => `<select id="${id}" name="${name}">${RETURN_REASONS.map(
      (r) => `<option value="${r}">${esc(t(`rr.${r}`))}</option>`).join("")}</select>`,
    passed: () => `<select id="${id}" name="${name}"><option value="true">${esc(t("pass"))}</option>
      <option value="false">${esc(t("fail"))}</option></select>`,
    score: () => `<input id="${id}" name="${name}" type="number" min="1" max="5" value="5" required>`,
    hours: () => `<input id="${id}" name="${name}" type="number" min="1" value="24" required>`,
    unit: () => `<select id="${id}" name="${name}">${places.departments.map(
      (d) => `<option value="${esc(d.code)}">${esc(named(d))}</option>`).join("")}</select>`,
    tier: () => `<input id="${id}" name="${name}" value="${esc(item.tier || "department")}" required>`,
  }[kind]();
  return label + control;
}

async function fieldsOf(form) {
  // The action's body from its form, with any photo uploaded to intake first.
  const fields = {};
  for (const element of form.elements) {
    if (!element.name) continue;
    if (element.type === "file") {
      if (!element.files.length) throw new Error(t("need_photo"));
      notify(t("uploading"), "info");
      fields.media_ids = [await upload(element.files[0])];
    } else if (element.name === "passed") {
      fields.passed = element.value === "true";
    } else if (["score", "hours"].includes(element.name)) {
      fields[element.name] = Number(element.value);
    } else if (element.value.trim()) {
      fields[element.name] = element.value.trim();
    }
  }
  return fields;
}

export async function act(action, fields) {
  // One command on the case on screen, named by the version it was decided on.
  if (!shown) throw new Error("no case is open");
  const body = { command_id: commandId(), expected_version: shown.item.version, ...fields };
  try {
    const result = await postJson("casework", `/v1/cases/${encodeURIComponent(shown.item.case_id)}/${action}`, body);
    await showCase(shown.main, shown.item.case_id, true);
    notify(`${t("done")}${t(`act.${action}`)} → ${t(`st.${result.status}`)}`, "info");
    // The form that had the focus is gone: carry on from the actions now offered.
    const next = shown.main.querySelector("#actions button") || shown.main.querySelector("h1");
    if (next) next.focus();
    return { ok: true, status: 200, result };
  } catch (failure) {
    const text = failure instanceof Failure ? failure.readable() : String(failure.message || failure);
    notify(text);
    return { ok: false, status: failure.status || 0, code: failure.code || "", text };
  }
}

function facts(item, places) {
  const village = places.villages.find((v) => v.code === item.village_code);
  const dept = places.departments.find((d) => d.code === item.department);
  const cat = places.categories.find((c) => c.code === item.category);
  const rows = [
    ["status", t(`st.${item.status}`)],
    ["category", cat ? named(cat) : item.category],
    ["level", item.level],
    ["village", village ? named(village) : item.village_code],
    ["grid", item.grid_code],
    ["department", dept ? named(dept) : item.department],
    ["address", item.address],
    ["channel", item.channel],
    ["created", when(item.created_at)],
    ["version", item.version],
    ["routing", item.routing_explanation],
  ];
  if (item.extension_pending) rows.push(["extension_pending", item.extension_pending]);
  if (item.satisfaction) rows.push(["satisfaction", item.satisfaction]);
  return rows.map(([k, v]) => `<dt>${esc(t(k))}</dt><dd>${esc(v ?? "")}</dd>`).join("");
}

function timeline(item) {
  return item.timeline.map((entry) => `<li>
      <strong>${esc(t(`act.${entry.action}`))}</strong> · ${esc(t(`st.${entry.to_status}`))}
      <br><small>${esc(when(entry.at))} · ${esc(t(`role.${entry.actor.role}`))} ${esc(entry.actor.id)}</small>
      ${entry.reason ? `<br>${esc(entry.reason)}` : ""}
    </li>`).join("");
}

function deadlines(item) {
  const now = Date.now();
  const rows = Object.entries(item.deadlines || {}).map(([stage, due]) => {
    const late = new Date(due).getTime() < now ? ` <span class="tag overdue">${esc(t("overdue"))}</span>` : "";
    return `<dt>${esc(t(`act.${stage}`))}</dt><dd>${esc(when(due))}${late}</dd>`;
  });
  return rows.length ? `<dl class="facts">${rows.join("")}</dl>` : `<p>${esc(t("none"))}</p>`;
}

async function drawPhotos(box, item) {
  const ids = [...new Set([...(item.media_ids || []), ...item.timeline.flatMap((e) => e.media_ids || [])])];
  if (!ids.length) {
    box.textContent = t("no_photos");
    return;
  }
  box.innerHTML = "";
  for (const id of ids) {
    const image = document.createElement("img");
    image.alt = `${t("photo")} ${id}`;
    box.appendChild(image);
    photoUrl(id).then((url) => { image.src = url; }).catch(() => { image.alt = `${t("photo")} ${id} ✕`; });
  }
}

function openForm(main, opener, item, places) {
  const action = opener.dataset.action;
  const holder = main.querySelector("#action-form");
  const fields = (FORMS[action] || []).map(([name, kind]) => input(name, kind, item, places)).join("");
  holder.innerHTML = `<form class="action" id="form-${esc(action)}" data-action="${esc(action)}">
      <h3>${esc(t(`act.${action}`))}</h3>${fields}
      <div class="row"><button type="submit">${esc(t("submit"))}</button>
      <button type="button" class="secondary" id="cancel" title="${esc(t("close_form"))}">${esc(t("cancel"))}</button>
      </div></form>`;
  const form = holder.querySelector("form");
  const close = () => {
    holder.innerHTML = "";
    opener.focus();
  };
  holder.querySelector("#cancel").addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await act(action, await fieldsOf(form));
    } catch (failure) {
      notify(failure instanceof Failure ? failure.readable() : String(failure.message || failure));
    } finally {
      button.disabled = false;
    }
  });
  const first = form.querySelector("input, select, textarea, button");
  if (first) first.focus();
}

export async function showCase(main, caseId, keepNotice = false) {
  const places = await registry();
  const item = await getJson("casework", `/v1/cases/${encodeURIComponent(caseId)}`);
  shown = { main, item };
  window.gridloop = { act, item };
  const buttons = item.allowed_actions.map(
    (a) => `<button type="button" data-action="${esc(a)}">${esc(t(`act.${a}`))}</button>`).join("");
  main.innerHTML = `
    <h1 tabindex="-1">${esc(item.case_id)} ${tags(item)}</h1>
    <div class="case" data-status="${esc(item.status)}" data-version="${esc(item.version)}">
      <div>
        <section class="panel"><h2>${esc(t("description"))}</h2><p>${esc(item.description)}</p>
          <dl class="facts">${facts(item, places)}</dl></section>
        <section class="panel"><h2>${esc(t("photos"))}</h2><div class="photos" id="photos"></div></section>
      </div>
      <div>
        <section class="panel acting" aria-labelledby="actions-title"><h2 id="actions-title">${esc(t("actions"))}</h2>
          <div class="actions" id="actions">${buttons || `<p>${esc(t("no_actions"))}</p>`}</div>
          <div id="action-form"></div></section>
        <section class="panel"><h2>${esc(t("deadlines"))}</h2>${deadlines(item)}</section>
        <section class="panel"><h2>${esc(t("timeline"))}</h2><ol class="timeline">${timeline(item)}</ol></section>
      </div>
    </div>`;
  if (!keepNotice) notify("");
  main.querySelectorAll("#actions button").forEach((button) => {
    button.addEventListener("click", () => openForm(main, button, item, places));
  });
  await drawPhotos(main.querySelector("#photos"), item);
  return () => { shown = null; };
}
