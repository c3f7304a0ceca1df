// askcric's web page: asks POST /v1/ask (and GET /v1/link for the mentions) and shows what the
// Answer object holds. Plain DOM code, no build step; every value from the server is set as text.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fmtProb(p) {
  // Tiny probabilities keep their magnitude ("2.1e-5"), not a misleading "0.000".
  return p > 0 && p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function cell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" && !Number.isInteger(value)) return value.toFixed(2);
  return String(value);
}

// --- health --------------------------------------------------------------------------------------

async function checkHealth() {
  try {
    const response = await fetch("/healthz");
    const health = await response.json();
    const name = `${health.backend}${health.model ? " / " + health.model : ""}`;
    if (health.status !== "ok") {
      $("health").textContent = `${name}: ${health.error}`;
      $("health").className = "health bad";
      return;
    }
    $("health").textContent = health.ready ? `${name} — ready` : `${name} — loading the model…`;
    $("health").className = health.ready ? "health good" : "health";
    if (!health.ready) setTimeout(checkHealth, 2000);
    else renderShowcase();
  } catch (error) {
    $("health").textContent = "The server does not answer.";
    $("health").className = "health bad";
  }
}

// --- the empty page: example questions of each kind, and this browser's recent questions --------

const RECENT_KEY = "askcric.recent";
const RECENT_MAX = 8;

function recentQuestions() {
  try {
    const kept = JSON.parse(localStorage.getItem(RECENT_KEY) || "[]");
    return Array.isArray(kept) ? kept.filter((q) => typeof q === "string") : [];
  } catch {
    return [];
  }
}

function remember(question) {
  const kept = [question, ...recentQuestions().filter((q) => q !== question)].slice(0, RECENT_MAX);
  try { localStorage.setItem(RECENT_KEY, JSON.stringify(kept)); } catch { /* private mode: not kept */ }
}

function questionChip(question) {
  const button = el("button", { type: "button", class: "chip" }, question);
  button.addEventListener("click", () => { $("question").value = question; ask(question); });
  return el("li").appendChild(button).parentNode;
}

function renderRecent() {
  const kept = recentQuestions();
  $("recent").replaceChildren(...kept.map(questionChip));
  $("recent-box").hidden = kept.length === 0;
}

async function renderShowcase() {
  try {
    const response = await fetch("/v1/example-questions");
    if (!response.ok) return;
    const kinds = await response.json();
    $("showcase").replaceChildren(...kinds.map((kind) => {
      const group = el("div", { class: "kind" });
      group.append(el("h3", {}, kind.kind), el("ul", { class: "chips" }));
      group.lastChild.append(...kind.questions.map(questionChip));
      return group;
    }));
  } catch { /* the page works without them */ }
}

// --- asking --------------------------------------------------------------------------------------

function reset() {
  $("chart").replaceChildren();
  for (const id of ["error", "answer", "alternatives-section", "query", "convergence-section", "mentions-section", "examples-section"]) {
    show(id, false);
  }
  $("timings").textContent = "";
  $("token-tip").hidden = true;
}

let conversationId = null;  // the server's conversation: follow-ups ("and in Tests?") are read against it

// `dsl`: answer with this reading (an alternative the fan picked) instead of translating again.
async function ask(question, dsl) {
  reset();
  remember(question);
  show("start", false);
  const converge = $("converge").checked;
  $("ask").disabled = true;
  $("status").textContent = converge ? "Thinking (and scoring the learning curve)…" : "Thinking…";
  const started = performance.now();
  const link = fetch(`/v1/link?q=${encodeURIComponent(question)}`)
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  try {
    const response = await fetch("/v1/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question, converge, ...(dsl ? { dsl } : {}),
        ...(conversationId ? { conversation_id: conversationId } : {}) }),
    });
    const answer = await response.json();
    if (answer.conversation_id) conversationId = answer.conversation_id;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    $("status").textContent = `HTTP ${response.status} in ${seconds} s`;
    renderAnswer(answer, response.headers.get("Retry-After"));
  } catch (error) {
    $("status").textContent = "";
    renderError("network_error", `The server did not answer: ${error}`);
  } finally {
    $("ask").disabled = false;
  }
  const mentions = await link;
  if (mentions) renderMentions(mentions);
}

function renderError(kind, message, retryAfter, error = {}, question = "") {
  $("error-kind").textContent = kind;
  $("error-message").textContent = message + (retryAfter ? ` (Retry-After: ${retryAfter} s)` : "");
  // A name that matched nobody: the nearest names re-ask the question with the name replaced.
  const list = $("suggestions");
  list.replaceChildren();
  for (const name of error.suggestions || []) {
    const button = el("button", { type: "button", class: "suggestion" }, name);
    button.addEventListener("click", () => {
      const fixed = question.split(error.name).join(name);
      $("question").value = fixed;
      ask(fixed);
    });
    list.appendChild(el("li")).append(button);
  }
  show("error", true);
}

function renderAnswer(answer, retryAfter) {
  if (answer.error) renderError(answer.error.kind, answer.error.message, retryAfter, answer.error, answer.question || "");
  if (answer.columns && answer.columns.length) renderTable(answer);
  renderChart(answer.chart);
  renderMargin(answer);
  renderNotes(answer.notes || []);
  renderFeedback(answer);
  renderAlternatives(answer.question, answer.alternatives || []);
  if (answer.dsl) renderQuery(answer);
  if (answer.convergence && answer.convergence.length) renderConvergence(answer.convergence);
  if (answer.examples && answer.examples.length) renderExamples(answer.examples);
  const stages = Object.entries(answer.timings_ms || {}).map(([stage, ms]) => `${stage} ${Math.round(ms)}`);
  $("timings").textContent = [
    answer.backend && `${answer.backend} / ${answer.model}`,
    stages.length && `ms: ${stages.join(" · ")}`,
  ].filter(Boolean).join(" — ");
}

function renderTable(answer) {
  const table = $("result");
  table.replaceChildren();
  const numeric = answer.columns.map((_, i) =>
    answer.rows.length > 0 && answer.rows.every((row) => row[i] === null || typeof row[i] === "number"));
  const head = el("tr");
  answer.columns.forEach((column, i) => head.append(el("th", numeric[i] ? { class: "num" } : {}, column)));
  table.appendChild(el("thead")).append(head);
  const body = table.appendChild(el("tbody"));
  for (const row of answer.rows) {
    const tr = body.appendChild(el("tr"));
    for (const value of row) tr.append(el("td", typeof value === "number" ? { class: "num" } : {}, cell(value)));
  }
  $("summary").textContent = answer.summary || "";
  $("description").textContent = answer.description || "";
  const n = answer.rows.length;
  $("row-count").textContent = n === 0 ? "No rows: nothing matches." : `${n} row${n === 1 ? "" : "s"}`;
  show("answer", true);
}

// A confidence a fan can read: how close the next reading of the question came.
function renderMargin(answer) {
  const next = (answer.alternatives || [])[0];
  $("how-margin").textContent = !answer.dsl ? "" : next
    ? `— another reading came close (${Math.round(next.score * 100)}% of the likelihood): see "Did you mean…"`
    : "— no other reading came close";
}

// Grouped answers, rankings and comparisons come with a Vega-Lite spec (serving/chart.py).
function renderChart(spec) {
  const box = $("chart");
  box.replaceChildren();
  box.hidden = !spec;
  if (spec) vegaEmbed(box, spec, { actions: false, renderer: "svg" }).catch((error) => { box.hidden = true; console.error(error); });
}

// Notes are part of the answer (what it could not use, how a number was read, gaps in the data),
// so they sit right under the table, never in the developer's view.
function renderNotes(notes) {
  const list = $("notes");
  list.replaceChildren();
  for (const note of notes) {
    const item = list.appendChild(el("li", { class: `note ${note.kind}` }));
    item.append(el("strong", {}, `${note.kind}: `), el("span", {}, note.message));
  }
}

// --- right / wrong: the fan's verdict goes to POST /v1/feedback ---------------------------------------

let answered = null;  // the answer the feedback buttons are about

function renderFeedback(answer) {
  answered = answer;
  $("feedback-status").textContent = "";
  $("correct").hidden = true;
  $("right").disabled = $("wrong").disabled = !answer.dsl;
  const choices = $("correct-choices");
  choices.replaceChildren();
  for (const alternative of answer.alternatives || []) {
    const button = el("button", { type: "button", class: "alternative", title: alternative.dsl }, alternative.description);
    button.addEventListener("click", () => { $("correct-dsl").value = alternative.dsl; });
    choices.appendChild(el("li")).append(button);
  }
  $("correct-dsl").value = answer.dsl || "";
}

async function sendFeedback(verdict, dsl) {
  $("feedback-status").textContent = "Sending…";
  const body = { question: answered.question, verdict };
  if (dsl) body.dsl = dsl;
  try {
    const response = await fetch("/v1/feedback", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const stored = await response.json();
    if (!response.ok) {
      $("feedback-status").textContent = `Not stored — ${stored.error.kind}: ${stored.error.message}`;
      return;
    }
    $("correct").hidden = true;
    $("feedback-status").textContent = stored.status === "accepted"
      ? `Thanks: askcric reads this question that way from now on (pair ${stored.id}).`
      : `Thanks: stored as pair ${stored.id}; a reviewer looks at it before askcric learns from it.`;
  } catch (error) {
    $("feedback-status").textContent = `The server did not answer: ${error}`;
  }
}

function wireFeedback() {
  $("right").addEventListener("click", () => sendFeedback("right", answered.dsl));
  $("wrong").addEventListener("click", () => { $("correct").hidden = false; $("feedback-status").textContent = ""; });
  $("send-correction").addEventListener("click", () => {
    const dsl = $("correct-dsl").value.trim();
    sendFeedback("wrong", dsl && dsl !== answered.dsl ? dsl : null);
  });
}

function renderAlternatives(question, alternatives) {
  const list = $("alternatives");
  list.replaceChildren();
  for (const alternative of alternatives) {
    const button = el("button", { type: "button", class: "alternative", title: alternative.dsl },
      alternative.description);
    button.addEventListener("click", () => ask(question, alternative.dsl));
    list.appendChild(el("li")).append(button, el("span", { class: "muted" }, ` ${Math.round(alternative.score * 100)}%`));
  }
  show("alternatives-section", alternatives.length > 0);
}

// --- the DSL and its token probabilities ---------------------------------------------------------

function shade(prob) {
  // Sure tokens stay light; unsure ones turn a deeper orange-red.
  const doubt = Math.min(1, Math.max(0, 1 - prob));
  return `rgba(214, 72, 48, ${(0.08 + 0.82 * doubt).toFixed(3)})`;
}

function visible(token) {
  return token.replace(/ /g, "␣").replace(/\n/g, "⏎");
}

function renderQuery(answer) {
  $("dsl").textContent = answer.dsl;
  $("sql").textContent = answer.sql || "";
  const tokens = $("tokens");
  tokens.replaceChildren();
  for (const info of answer.dsl_token_probs || []) {
    const span = el("span", { class: "token", tabindex: "0", "data-prob": String(info.prob) }, info.token);
    span.style.backgroundColor = shade(info.prob);
    if (info.prob < 0.5) span.classList.add("unsure");
    span.addEventListener("mouseenter", () => showTip(span, info));
    span.addEventListener("focus", () => showTip(span, info));
    span.addEventListener("mouseleave", hideTip);
    span.addEventListener("blur", hideTip);
    tokens.append(span);
  }
  const probs = (answer.dsl_token_probs || []).map((t) => t.prob);
  if (probs.length) {
    const mean = probs.reduce((a, b) => a + b, 0) / probs.length;
    tokens.title = `${probs.length} tokens, mean probability ${mean.toFixed(3)}`;
  }
  show("query", true);
}

function showTip(span, info) {
  const tip = $("token-tip");
  tip.replaceChildren();
  tip.append(el("div", { class: "tip-head" }, `“${visible(info.token)}”  p = ${fmtProb(info.prob)}`));
  tip.append(el("div", { class: "tip-entropy" },
    info.entropy === null || info.entropy === undefined ? "entropy: n/a" : `entropy ${info.entropy.toFixed(3)} nats`));
  const table = tip.appendChild(el("table"));
  for (const [text, prob] of info.top || []) {
    const row = table.appendChild(el("tr", text === info.token ? { class: "chosen" } : {}));
    row.append(el("td", { class: "alt" }, visible(text)));
    const bar = el("span", { class: "bar" });
    bar.style.width = `${Math.max(1, Math.round(prob * 80))}px`;
    row.appendChild(el("td")).append(bar);
    row.append(el("td", { class: "num" }, fmtProb(prob)));
  }
  const box = span.getBoundingClientRect();
  tip.style.left = `${window.scrollX + box.left}px`;
  tip.style.top = `${window.scrollY + box.bottom + 6}px`;
  tip.hidden = false;
}

function hideTip() {
  $("token-tip").hidden = true;
}

// --- the convergence curve (inline SVG) ----------------------------------------------------------

function renderConvergence(records) {
  const points = records.filter((r) => r.mean_prob !== null && r.mean_prob !== undefined);
  if (!points.length) return;
  const width = 520, height = 240, left = 52, right = 16, top = 14, bottom = 44;
  const kmax = Math.max(1, ...points.map((r) => r.k));
  const x = (k) => left + (k / kmax) * (width - left - right);
  const y = (p) => top + (1 - p) * (height - top - bottom);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": "Mean DSL token probability against the number of examples in the prompt", class: "curve" });
  for (const p of [0, 0.25, 0.5, 0.75, 1]) {
    chart.append(svg("line", { x1: left, x2: width - right, y1: y(p), y2: y(p), class: "grid" }));
    chart.append(svg("text", { x: left - 8, y: y(p) + 4, "text-anchor": "end", class: "tick" }, p.toFixed(2)));
  }
  for (let k = 0; k <= kmax; k++) {
    chart.append(svg("text", { x: x(k), y: height - bottom + 18, "text-anchor": "middle", class: "tick" }, String(k)));
  }
  chart.append(svg("text", { x: (left + width - right) / 2, y: height - 6, "text-anchor": "middle", class: "label" },
    "examples in the prompt (k)"));
  chart.append(svg("text", { x: 14, y: (top + height - bottom) / 2, "text-anchor": "middle", class: "label",
    transform: `rotate(-90 14 ${(top + height - bottom) / 2})` }, "mean token probability"));
  chart.append(svg("polyline", { points: points.map((r) => `${x(r.k)},${y(r.mean_prob)}`).join(" "), class: "line" }));
  for (const r of points) {
    const dot = chart.appendChild(svg("circle", { cx: x(r.k), cy: y(r.mean_prob), r: 4, class: "dot" }));
    dot.append(svg("title", {}, `k = ${r.k}: mean p = ${r.mean_prob.toFixed(3)}, ${r.bits.toFixed(1)} bits`));
  }
  $("convergence").replaceChildren(chart);
  show("convergence-section", true);
}

// --- mentions and examples -----------------------------------------------------------------------

function renderMentions(linked) {
  const list = $("mentions");
  list.replaceChildren();
  for (const mention of linked.mentions) {
    const item = list.appendChild(el("li", { class: `mention ${mention.type}` }));
    item.append(el("span", { class: "type" }, mention.type));
    item.append(el("span", { class: "text" }, mention.text));
    const values = mention.candidates.slice(0, 3).map((c) => `${c.value} (${c.score.toFixed(2)})`).join(", ");
    item.append(el("span", { class: "values" }, `→ ${values}${mention.ambiguous ? " · ambiguous" : ""}`));
  }
  if (linked.masked) list.append(el("li", { class: "masked" }, `searched as: ${linked.masked}`));
  show("mentions-section", linked.mentions.length > 0);
}

function renderExamples(examples) {
  const body = $("examples").querySelector("tbody");
  body.replaceChildren();
  for (const example of examples) {
    const row = body.appendChild(el("tr"));
    const score = row.appendChild(el("td", { class: "num score" }));
    const bar = el("span", { class: "bar" });
    bar.style.width = `${Math.max(1, Math.round(Math.max(0, example.score) * 60))}px`;
    score.append(bar, el("span", {}, ` ${example.score.toFixed(3)}`));
    row.append(el("td", {}, example.question));
    row.append(el("td", { class: "mono" }, example.dsl));
  }
  show("examples-section", true);
}

// --- wiring --------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  const input = $("question");
  const count = () => { $("count").textContent = `${input.value.length}/300`; };
  input.addEventListener("input", count);
  $("ask-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    history.replaceState(null, "", `?q=${encodeURIComponent(question)}`);
    ask(question);
  });
  wireFeedback();
  renderRecent();
  checkHealth();
  const preset = new URLSearchParams(location.search).get("q");
  if (preset) {
    input.value = preset;
    count();
  }
  input.focus();
});
