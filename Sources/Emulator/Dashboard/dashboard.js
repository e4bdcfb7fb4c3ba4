// The emulator's dashboard: reads the control API every second and renders what it answers.
// Every value shown comes from clients of the emulator, so it is only ever set as text (textContent), never as HTML.
"use strict";

const API = "/_emulator";
const POLL_MS = 1000;
const JOURNAL_ROWS = 300;
const TOKEN_KEY = "aliyun-db-emulator.control-token";

const state = {
  account: null,
  selected: null,
  journal: [],          // newest first, at most JOURNAL_ROWS
  seen: new Set(),      // request ids shown: two polls at once may both read an entry
  lastRequestId: null,
  journalCount: 0,      // how many entries the journal had for the account at the last poll
  timer: null,
  stages: [],
};

const $ = (id) => document.getElementById(id);

/// An element with text children only: strings become text nodes, never markup.
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === "className") node.className = value;
    else if (name.startsWith("data-")) node.setAttribute(name, value);
    else node[name] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

class Unauthorized extends Error {}

/// A control API call; JSON in and out. A 401 means the token is missing or wrong.
async function call(method, path, body) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(API + path, {
    method, headers, cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) throw new Unauthorized();
  const text = await response.text();
  const value = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error((value && value.message) || method + " " + path + ": " + response.status);
  return value;
}

// MARK: Token

function showPrompt(refused) {
  clearTimeout(state.timer);
  $("dashboard").hidden = true;
  $("token-prompt").hidden = false;
  $("token-error").hidden = !refused;
  $("account").disabled = true;
  setLive("locked", "locked");
  $("token-input").value = "";
  $("token-input").focus();
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token-input").value);
  start();
});

/// Opens the dashboard: the accounts first, which also tells whether the token is right.
async function start() {
  let listing;
  try {
    listing = await call("GET", "/accounts");
  } catch (error) {
    if (error instanceof Unauthorized) {
      const hadToken = sessionStorage.getItem(TOKEN_KEY) !== null;
      sessionStorage.removeItem(TOKEN_KEY);
      showPrompt(hadToken);
    } else {
      setLive("offline", "error");
      state.timer = setTimeout(start, POLL_MS);
    }
    return;
  }
  $("token-prompt").hidden = true;
  $("dashboard").hidden = false;
  const select = $("account");
  const accounts = listing.accounts.map((entry) => entry.account);
  select.replaceChildren(...accounts.map((account) => el("option", { value: account }, account)));
  state.account = accounts.includes(state.account) ? state.account : (accounts.includes("default") ? "default" : accounts[0]);
  select.value = state.account;
  select.disabled = false;
  poll();
}

$("account").addEventListener("change", (event) => {
  state.account = event.target.value;
  state.selected = null;
  forgetJournal();
  poll();
});

// MARK: Polling

function setLive(text, kind) {
  const live = $("live");
  live.textContent = text;
  live.className = "live " + kind;
}

async function poll() {
  clearTimeout(state.timer);
  try {
    await refresh();
    setLive("live", "ok");
  } catch (error) {
    if (error instanceof Unauthorized) {
      sessionStorage.removeItem(TOKEN_KEY);
      showPrompt(true);
      return;
    }
    setLive("offline", "error");
  }
  // An action's poll may have run alongside this one: one timer in all.
  clearTimeout(state.timer);
  state.timer = setTimeout(poll, POLL_MS);
}

async function refresh() {
  const account = encodeURIComponent(state.account);
  const [clock, instances, tasks, count] = await Promise.all([
    call("GET", "/clock"), call("GET", "/instances"), call("GET", "/tasks?account=" + account),
    call("GET", "/requests/count"),
  ]);
  renderClock(clock);
  const mine = instances.filter((instance) => instance.AccountId === state.account);
  if (!mine.some((instance) => instance.DBInstanceId === state.selected)) {
    state.selected = mine.length ? mine[0].DBInstanceId : null;
  }
  renderInstances(mine, tasks.tasks);
  await refreshJournal(count.count);
  await refreshDetail();
}

// MARK: Clock

function renderClock(clock) {
  $("clock-now").textContent = clock.now.replace("T", " ").replace("Z", " UTC");
  const badge = $("clock-state");
  badge.textContent = clock.frozen ? "frozen" : "running";
  badge.className = "badge " + (clock.frozen ? "frozen" : "running");
  $("clock-offset").textContent = clock.offsetSeconds === 0 ? "real time" : describeOffset(clock.offsetSeconds) + " from real time";
}

function describeOffset(seconds) {
  const sign = seconds < 0 ? "−" : "+";
  let rest = Math.abs(seconds);
  const parts = [];
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]]) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0 && parts.length < 2) parts.push(amount + " " + unit);
  }
  return sign + (parts.length ? parts.join(" ") : "0 s");
}

async function changeClock(body) { await act(() => call("POST", "/clock", body)); }

for (const button of document.querySelectorAll("[data-advance]")) {
  button.addEventListener("click", () => changeClock({ advance: button.dataset.advance }));
}
$("clock-freeze").addEventListener("click", () => changeClock({ freeze: true }));
$("clock-release").addEventListener("click", () => changeClock({ release: true }));
$("clock-reset").addEventListener("click", () => changeClock({ reset: true }));
$("reset-state").addEventListener("click", () => act(async () => {
  const answer = await call("POST", "/reset");
  forgetJournal();
  return "Reset to the fixtures: " + answer.instances + " instances, no backups, journal emptied.";
}));

/// Runs an action, says how it went, and polls at once so that its effect shows.
async function act(action) {
  try {
    const message = await action();
    notice(typeof message === "string" ? message : "", false);
  } catch (error) {
    if (error instanceof Unauthorized) { sessionStorage.removeItem(TOKEN_KEY); showPrompt(true); return; }
    notice(error.message, true);
  }
  await poll();
}

function notice(text, isError) {
  const node = $("notice");
  node.textContent = text;
  node.className = "notice" + (isError ? " error" : "");
}

// MARK: Instances

const STATUS_KINDS = {
  Running: "ok", Creating: "busy", Restarting: "busy", BackingUp: "busy", Rebooting: "busy",
  DBInstanceClassChanging: "busy", Restoring: "busy", Deleting: "bad", Stopped: "idle", Locked: "idle",
};

function renderInstances(instances, tasks) {
  $("instance-count").textContent = String(instances.length);
  const rows = instances.map((instance) => {
    const id = instance.DBInstanceId;
    const running = tasks.filter((task) => task.DBInstanceId === id);
    const row = el("tr", { "data-instance": id, className: id === state.selected ? "selected" : "" },
      el("td", { className: "mono" }, id),
      el("td", {}, instance.Engine + " " + (instance.EngineVersion || "")),
      el("td", {}, el("span", { className: "badge " + (STATUS_KINDS[instance.DBInstanceStatus] || "idle") }, instance.DBInstanceStatus)),
      el("td", {}, instance.DBInstanceStorageType || instance.StorageType || ""),
      el("td", { className: "task" }, ...running.map(renderTask)));
    row.addEventListener("click", () => { state.selected = id; poll(); });
    return row;
  });
  $("instances").tBodies[0].replaceChildren(...rows);
}

function renderTask(task) {
  const percent = Math.max(0, Math.min(100, Number(task.Progress) || 0));
  const bar = el("span", { className: "bar" }, el("span", { className: "fill" }));
  bar.firstChild.style.width = percent + "%";
  return el("div", { className: "task-line", "data-job": task.BackupJobId },
    el("span", { className: "stage" }, task.Status), bar, el("span", { className: "percent" }, percent + "%"),
    el("span", { className: "muted" }, task.BackupMode === "Automated" ? "automatic" : "manual"));
}

// MARK: Selected instance

async function refreshDetail() {
  const id = state.selected;
  $("detail-instance").textContent = id || "–";
  if (!id) {
    $("backup-sets").tBodies[0].replaceChildren();
    return;
  }
  const path = "/instances/" + encodeURIComponent(id);
  const [sets, next, nextAutomatic] = await Promise.all([
    call("GET", path + "/backup-sets?limit=50"), call("GET", path + "/next-backup"),
    call("GET", path + "/next-automatic-backup"),
  ]);
  if (id !== state.selected) return;
  renderStages(sets.stages);
  $("next-backup").textContent = describeOutcome(next.nextBackup);
  $("next-backup").className = "outcome" + (Object.keys(next.nextBackup).length ? " scripted" : "");
  const automatic = nextAutomatic.nextAutomaticBackup;
  $("next-automatic-backup").textContent = automatic.fail ? "fails at " + automatic.fail + " (starts " + automatic.startTime + ")" : "as scheduled";
  $("next-automatic-backup").className = "outcome" + (automatic.fail ? " scripted" : "");
  $("backup-sets").tBodies[0].replaceChildren(...sets.sets.map((set) => el("tr", { "data-backup": set.BackupId },
    el("td", {}, el("span", { className: "badge " + (set.BackupMode === "Automated" ? "auto" : "manual") }, set.BackupMode)),
    el("td", { className: "mono" }, set.BackupId),
    el("td", {}, set.BackupMethod),
    el("td", { title: set.StartTime }, dayTime(set.StartTime)),
    el("td", { title: set.FinishTime }, dayTime(set.FinishTime)),
    el("td", {}, el("span", { className: "badge " + (set.Status === "Finished" ? "ok" : "bad") }, set.Status)))));
  $("sets-total").textContent = sets.total === 0 ? "No backup sets yet." :
    sets.total + " backup set" + (sets.total === 1 ? "" : "s") + (sets.total > sets.sets.length ? ", the newest " + sets.sets.length + " shown." : ".");
}

function describeOutcome(outcome) {
  if (outcome.fail) return "fails at " + outcome.fail;
  if (outcome.hold) return "holds at " + outcome.hold + " until " + outcome.until;
  return "succeeds";
}

function renderStages(stages) {
  if (stages.join() === state.stages.join()) return;
  state.stages = stages;
  $("fail-stage").replaceChildren(...stages.map((stage) => el("option", { value: stage }, stage)));
}

function shortTime(time) { return time ? time.replace("T", " ").replace("Z", "") : ""; }
/// Month, day and time: the year is the clock's, shown above.
function dayTime(time) { return shortTime(time).slice(5); }

$("script-failure").addEventListener("click", () => act(async () => {
  if (!state.selected) return "";
  const kind = $("fail-kind").value;
  const stage = $("fail-stage").value;
  await call("PUT", "/instances/" + encodeURIComponent(state.selected) + "/" + kind, { fail: stage });
  return "The next " + (kind === "next-backup" ? "backup" : "automatic backup") + " of " + state.selected + " will fail at " + stage + ".";
}));
$("clear-scripts").addEventListener("click", () => act(async () => {
  if (!state.selected) return "";
  const path = "/instances/" + encodeURIComponent(state.selected);
  await Promise.all([call("DELETE", path + "/next-backup"), call("DELETE", path + "/next-automatic-backup")]);
  return "Scripted outcomes of " + state.selected + " withdrawn.";
}));

// MARK: Journal

function forgetJournal() {
  state.journal = [];
  state.seen.clear();
  state.lastRequestId = null;
  state.journalCount = 0;
  renderJournal();
}

/// New entries since the last one seen; when the journal holds fewer than before (cleared, reset), from the start.
/// Shown: the picked account's requests, and those refused before any account was known (no key, a bad one).
async function refreshJournal(count) {
  if (count < state.journalCount) forgetJournal();
  state.journalCount = count;
  const query = state.lastRequestId ? "/requests?after=" + encodeURIComponent(state.lastRequestId) : "/requests";
  const listing = await call("GET", query);
  if (listing.requests.length) state.lastRequestId = listing.requests[listing.requests.length - 1].requestId;
  const fresh = listing.requests.filter((entry) =>
    !state.seen.has(entry.requestId) && (entry.account === undefined || entry.account === state.account));
  if (!fresh.length) return;
  state.journal = fresh.reverse().concat(state.journal).slice(0, JOURNAL_ROWS);
  state.seen = new Set(state.journal.map((entry) => entry.requestId));
  renderJournal();
}

function renderJournal() {
  $("journal-count").textContent = String(state.journal.length);
  $("journal").tBodies[0].replaceChildren(...state.journal.map((entry) => {
    const failed = entry.status >= 400;
    const row = el("tr", { "data-request-id": entry.requestId, "data-action": entry.action || "", className: failed ? "failed" : "" },
      el("td", { className: "mono" }, shortTime(entry.time)),
      el("td", {}, entry.product || ""),
      el("td", {}, entry.action || ""),
      el("td", { className: "mono" }, entry.instance || ""),
      el("td", {}, el("span", { className: "badge " + (failed ? "bad" : "ok") }, entry.status)),
      el("td", { className: "mono" }, entry.code || ""),
      el("td", { className: "num" }, (entry.latencyMicroseconds / 1000).toFixed(2) + " ms"));
    row.addEventListener("click", () => showEntry(entry));
    return row;
  }));
}

function showEntry(entry) {
  $("entry-title").textContent = (entry.action || "Request") + " · " + entry.requestId;
  $("entry-body").textContent = JSON.stringify(entry, null, 2);
  $("entry-dialog").showModal();
}

$("entry-close").addEventListener("click", () => $("entry-dialog").close());
$("journal-clear").addEventListener("click", () => act(async () => {
  await call("DELETE", "/requests");
  forgetJournal();
  return "Journal emptied.";
}));

start();
