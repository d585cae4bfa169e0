// The binclock web page: draws the clock's frames and changes its state through the API.
// No framework and no build step: the page works offline from the files it is served.
"use strict";

const TOKEN_KEY = "binclock-token";
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

// What the page last drew and knew, for people and for the browser tests.
window.binclock = { lastFrame: null, state: null };

let token = localStorage.getItem(TOKEN_KEY) || "";

async function api(method, path, body) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const answer = await fetch(path, {
    method, headers, cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (answer.status === 401) {
    askToken();
    throw new Error("the page needs the token");
  }
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) {
    showError(data.error || answer.statusText);
    throw new Error(data.error || answer.statusText);
  }
  showError("");
  return data;
}

function showError(text) {
  $("error").textContent = text;
  $("error").hidden = !text;
}

function askToken() {
  const dialog = $("token-dialog");
  if (!dialog.open) dialog.showModal();
}

$("token-form").addEventListener("submit", () => {
  token = $("token").value.trim();
  localStorage.setItem(TOKEN_KEY, token);
  start();
});

// The display: one round LED per pixel, in the frame's own layout and colours.
function draw(frame) {
  const svg = $("leds");
  const { width, height, pixels } = frame;
  if (svg.childElementCount !== width * height) {
    svg.replaceChildren();
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const led = document.createElementNS(SVG, "circle");
        led.setAttribute("cx", x + 0.5);
        led.setAttribute("cy", y + 0.5);
        led.setAttribute("r", 0.4);
        svg.append(led);
      }
    }
  }
  pixels.forEach(([r, g, b], i) => svg.children[i].setAttribute("fill", `rgb(${r}, ${g}, ${b})`));
  $("time").textContent = frame.time ? frame.time.split("T")[1].slice(0, 8) : "--:--:--";
  window.binclock.lastFrame = frame;
}

// The controls, filled from the state; a control being used is left alone.
function busy(element) {
  return document.activeElement === element && element.tagName !== "BUTTON";
}

function hex(colour) {
  if (typeof colour === "string") return colour.toLowerCase();
  return "#" + colour.map((c) => c.toString(16).padStart(2, "0")).join("");
}

function render(state) {
  window.binclock.state = state;
  const on = state.power === "on";
  $("power").textContent = on ? "On" : "Off";
  $("power").setAttribute("aria-pressed", String(on));
  if (!busy($("brightness"))) $("brightness").value = state.brightness;
  $("brightness-value").textContent = `${Math.round(state.brightness * 100)}%`;
  const face = $("face");
  if (!busy(face)) {
    face.replaceChildren(...state.faces.map((name) => new Option(name, name)));
    face.value = state.face;
  }
  renderColours(state.theme.on);
  if (!$("schedule").contains(document.activeElement)) renderSchedule(state.schedule);
  const now = state.schedule_now;
  $("schedule-now").textContent = now?.entry
    ? `In force now: ${now.entry}, brightness ×${now.brightness}`
    : "No range in force now.";
  const sync = state.synchronised === false ? ", clock not yet synchronised" : "";
  $("status").textContent = `${state.driver} · binclock ${state.version}${sync}`;
}

function renderColours(colours) {
  const box = $("colours");
  if (box.contains(document.activeElement)) return;
  box.replaceChildren(...Object.entries(colours).map(([group, colour]) => {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "color";
    input.value = hex(colour);
    input.dataset.group = group;
    input.addEventListener("change", () => patch({ theme: { on: { [group]: input.value } } }));
    label.append(group, input);
    return label;
  }));
}

function scheduleRow(entry) {
  const row = document.createElement("div");
  row.className = "row wrap";
  const field = (type, name, value, extra = {}) => {
    const input = Object.assign(document.createElement("input"), { type, value, ...extra });
    input.dataset.key = name;
    return input;
  };
  // Text, not a time picker: a time may also follow the sun ("sunset-30m").
  const moment = (name, value) => field("text", name, value,
    { size: 10, spellcheck: false, placeholder: "HH:MM or sunset-30m" });
  const from = moment("from", entry.from ?? "22:00");
  const to = moment("to", entry.to ?? "07:00");
  const days = field("text", "days", entry.days ?? "",
    { size: 12, spellcheck: false, placeholder: "every day" });
  const level = field("number", "brightness", entry.brightness ?? 0.2,
    { min: 0, max: 1, step: 0.05, disabled: Boolean(entry.off) });
  const off = field("checkbox", "off", "", { checked: Boolean(entry.off) });
  off.addEventListener("change", () => { level.disabled = off.checked; });
  const remove = Object.assign(document.createElement("button"),
    { type: "button", className: "quiet", textContent: "Remove" });
  remove.addEventListener("click", () => row.remove());
  const label = (text, input) => {
    const l = document.createElement("label");
    l.append(text, input);
    return l;
  };
  row.append(label("From", from), label("to", to), label("×", level), label("off", off),
    label("days", days), remove);
  return row;
}

function renderSchedule(entries) {
  $("schedule").replaceChildren(...entries.map(scheduleRow));
}

function readSchedule() {
  return [...$("schedule").children].map((row) => {
    const value = (key) => row.querySelector(`[data-key="${key}"]`);
    const entry = { from: value("from").value.trim(), to: value("to").value.trim() };
    if (value("off").checked) entry.off = true;
    else entry.brightness = Number(value("brightness").value);
    const days = value("days").value.trim();
    if (days) entry.days = days;
    return entry;
  });
}

async function patch(change) {
  try {
    render(await api("PATCH", "/api/state", change));
  } catch (e) {
    console.warn(e);
  }
}

let brightnessTimer = null;
$("brightness").addEventListener("input", (event) => {
  const value = Number(event.target.value);
  $("brightness-value").textContent = `${Math.round(value * 100)}%`;
  clearTimeout(brightnessTimer);
  brightnessTimer = setTimeout(() => patch({ brightness: value }), 120);
});
$("power").addEventListener("click", () =>
  patch({ power: window.binclock.state?.power === "on" ? "off" : "on" }));
$("face").addEventListener("change", (event) => patch({ face: event.target.value }));
$("schedule-add").addEventListener("click", () => $("schedule").append(scheduleRow({})));
$("schedule-save").addEventListener("click", () => patch({ schedule: readSchedule() }));
$("reset").addEventListener("click", async () => {
  try { render(await api("DELETE", "/api/state/overrides")); } catch (e) { console.warn(e); }
});
$("notify").addEventListener("submit", async (event) => {
  event.preventDefault();
  const request = {
    number: Number($("notify-number").value),
    seconds: Number($("notify-seconds").value),
    priority: Number($("notify-priority").value),
  };
  try {
    const answer = await api("POST", "/api/notify", request);
    $("notify-result").textContent = answer.queued ? "Queued." : "Showing now.";
  } catch (e) {
    $("notify-result").textContent = "";
  }
});
$("notify-clear").addEventListener("click", async () => {
  try {
    await api("DELETE", "/api/notify");
    $("notify-result").textContent = "Cleared.";
  } catch (e) { console.warn(e); }
});

// The clock's events, read with fetch so that the token goes in a header (EventSource
// cannot send one). The stream ends when the clock or this server stops: reconnect.
let stream = null;

async function follow() {
  stream?.abort();
  const controller = new AbortController();
  stream = controller;
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  try {
    const answer = await fetch("/api/events", { headers, signal: controller.signal });
    if (answer.status === 401) return askToken();
    const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch (e) {
    if (controller.signal.aborted) return;
  }
  if (stream === controller) setTimeout(start, 2000);
}

function dispatch(block) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (!data.length) return;
  const payload = JSON.parse(data.join("\n"));
  if (name === "frame") draw(payload);
  else if (name === "state") render(payload);
  else if (name === "error") showError(payload.error || String(payload));
}

async function start() {
  try {
    render(await api("GET", "/api/state"));
    draw(await api("GET", "/api/frame"));
  } catch (e) {
    if (token || !$("token-dialog").open) setTimeout(start, 2000);
    return;
  }
  follow();
}

start();
