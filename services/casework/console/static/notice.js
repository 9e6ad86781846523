// The one message line under the header: errors in red, confirmations in green.
export function notify(text, kind = "error") {
  const box = document.getElementById("notice");
  box.textContent = text;
  box.className = kind === "info" ? "info" : "";
  box.hidden = !text;
}
