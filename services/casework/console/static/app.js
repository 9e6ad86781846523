// The console's shell: sign-in, navigation by address fragment, language and messages.
import { esc, me, signIn, signOut, token } from "./api.js";
import { t, toggle } from "./i18n.js";
import { showBoard, showQueue } from "./board.js";
import { showCase } from "./casepage.js";
import { showMap } from "./map.js";
import { showStats } from "./stats.js";
import { notify } from "./notice.js";

const main = document.getElementById("main");
let leaving = null;

function views(role) {
  const list = [["board", "#/board"], ["map", "#/map"], ["stats", "#/stats"]];
  if (role === "department" || role === "grid_staff") list.splice(0, 0, ["queue", "#/queue"]);
  return list;
}

function drawShell(route) {
  const who = me();
  document.querySelector(".skip").textContent = t("skip");
  document.getElementById("lang").textContent = t("other_lang");
  const logout = document.getElementById("logout");
  logout.textContent = t("logout");
  logout.hidden = !who;
  const scope = who ? [who.department, ...(who.grids || [])].filter(Boolean).join(", ") : "";
  const role = who ? t(`role.${who.role}`) : "";
  document.getElementById("who").textContent = who ? `${who.sub} · ${role} ${scope}` : "";
  document.getElementById("nav").innerHTML = who
    ? views(who.role)
        .map(([name, href]) => {
          const current = route === name ? ' aria-current="page"' : "";
          return `<a href="${href}"${current}>${esc(t(name))}</a>`;
        })
        .join("")
    : "";
}

function showLogin() {
  main.innerHTML = `
    <section class="panel login">
      <h1>${esc(t("login"))}</h1>
      <form id="login-form">
        <label for="token">${esc(t("token"))}</label>
        <textarea id="token" rows="4" autocomplete="off" spellcheck="false" required></textarea>
        <p class="muted">${esc(t("token_help"))}</p>
        <button type="submit">${esc(t("login"))}</button>
      </form>
    </section>`;
  main.querySelector("#token").focus();
  main.querySelector("#login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const who = signIn(main.querySelector("#token").value.trim());
    if (!who) {
      notify(t("bad_token"));
      return;
    }
    notify("");
    location.hash = who.role === "operator" ? "#/board" : "#/queue";
    route();
  });
}

function settle(view, focused) {
  // Redrawing drops the focus; keep it on the control that had it (a filter, the
  // statistics' grouping) or else put it on the new view's heading, as a new page would.
  if (document.activeElement && document.activeElement !== document.body) return;
  const again = focused && view.querySelector(`#${CSS.escape(focused)}`);
  const heading = view.querySelector("h1");
  if (again) again.focus();
  else if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

async function route() {
  if (leaving) leaving();
  leaving = null;
  const focused = document.activeElement && document.activeElement.id;
  const [name, arg] = location.hash.replace(/^#\/?/, "").split("/");
  drawShell(name || "board");
  if (!token() || !me()) {
    showLogin();
    return;
  }
  // Each visit draws into its own element, so a slow earlier view cannot overwrite it.
  const view = document.createElement("div");
  main.replaceChildren(view);
  const shown = {
    board: () => showBoard(view),
    queue: () => showQueue(view),
    case: () => showCase(view, decodeURIComponent(arg || "")),
    map: () => showMap(view),
    stats: () => showStats(view, arg),
  }[name || "board"];
  try {
    const stop = shown ? await shown() : await showBoard(view);
    if (view.isConnected) {
      leaving = stop;
      settle(view, focused);
    } else if (stop) stop();
  } catch (failure) {
    if (!view.isConnected) return;
    notify(failure.readable ? failure.readable() : String(failure));
    if (failure.status === 401) {
      signOut();
      showLogin();
    }
  }
}

document.getElementById("lang").addEventListener("click", () => {
  toggle();
  route();
});
document.getElementById("logout").addEventListener("click", () => {
  signOut();
  notify("");
  location.hash = "#/login";
  route();
});
window.addEventListener("hashchange", () => {
  notify("");
  route();
});
route();
