"use strict";
// Shared by the dashboard and the meetings page: the GraphQL call with the signed-in token,
// texts from the server's `labels` query in Finnish, Swedish or English, Finnish number and
// date formats, accessible tables, and the sign-in bar (token, demo menu, language).
const Pages = (() => {
  const LOCALES = { fi: "fi-FI", sv: "sv-FI", en: "en-GB" };
  // The sign-in bar is shown before any token exists, so before `labels` can be asked.
  const BEFORE_SIGN_IN = {
    fi: { token: "Tunniste (bearer token)", demo: "Demokirjautuminen…", signIn: "Kirjaudu" },
    sv: { token: "Identifierare (bearer token)", demo: "Demoinloggning…", signIn: "Logga in" },
    en: { token: "Bearer token", demo: "Demo sign-in…", signIn: "Sign in" }
  };
  const state = { lang: "fi", token: "", labels: {}, labelsFor: null };
  const $ = (id) => document.getElementById(id);

  /// An element with attributes and children (strings become text, never HTML).
  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c != null) e.append(c);
    return e;
  }

  async function gql(query, variables, operationName) {
    const res = await fetch("/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "accept": "application/graphql-response+json, application/json",
        "authorization": "Bearer " + state.token
      },
      body: JSON.stringify({ query, variables, operationName })
    });
    let body;
    try { body = await res.json(); } catch (e) { body = { errors: [{ message: String(e) }] }; }
    return { status: res.status, body };
  }

  /// Loads the labels of the current language once per language and token.
  async function loadLabels() {
    const key = state.lang + " " + state.token;
    if (state.labelsFor === key) return true;
    const { body } = await gql("query PageLabels($l: Language) { labels(language: $l) { kinds { kind labels { code label } } } }",
      { l: state.lang }, "PageLabels");
    if (!body.data || !body.data.labels) return false;
    const labels = {};
    for (const k of body.data.labels.kinds) {
      labels[k.kind] = {};
      for (const l of k.labels) labels[k.kind][l.code] = l.label;
    }
    state.labels = labels;
    state.labelsFor = key;
    return true;
  }

  /// The label of a code of a kind, else the code made readable.
  function label(kind, code) {
    if (code == null) return "";
    const k = state.labels[kind];
    if (k && k[code]) return k[code];
    const plain = String(code).toLowerCase().replaceAll("_", " ");
    return plain.charAt(0).toUpperCase() + plain.slice(1);
  }
  const text = (code) => (state.labels.PageText && state.labels.PageText[code]) || code;

  /// Fills every `data-text` element with its page text.
  function applyTexts(root) {
    document.documentElement.lang = state.lang;
    for (const e of (root || document).querySelectorAll("[data-text]")) e.textContent = text(e.dataset.text);
    for (const o of document.querySelectorAll("option[data-role]")) o.textContent = label("Role", o.dataset.role);
  }

  const locale = () => LOCALES[state.lang];
  const number = (n, digits) => n == null ? "" :
    new Intl.NumberFormat(locale(), { maximumFractionDigits: digits || 0, minimumFractionDigits: digits || 0 }).format(n);
  const euros = (cents) => cents == null ? "" :
    new Intl.NumberFormat(locale(), { style: "currency", currency: "EUR", maximumFractionDigits: 0 }).format(cents / 100);
  const date = (iso) => iso ? new Intl.DateTimeFormat(locale(), { day: "numeric", month: "numeric", year: "numeric", timeZone: "UTC" })
    .format(new Date(iso.slice(0, 10) + "T00:00:00Z")) : "";
  const dateTime = (iso) => iso ? new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Helsinki" })
    .format(new Date(iso)) : "";
  const month = (ym) => new Intl.DateTimeFormat(locale(), { month: "long", year: "numeric", timeZone: "UTC" })
    .format(new Date(ym + "-01T00:00:00Z"));
  const today = () => new Date().toISOString().slice(0, 10);

  /// A data table: caption, column headers (`scope="col"`), the first cell of each row a
  /// row header (`scope="row"`); `numeric`: the other columns are figures, set right.
  function table(caption, columns, rows, numeric) {
    const cls = (i) => numeric && i > 0 ? "num" : null;
    return h("table", {},
      h("caption", { text: caption }),
      h("thead", {}, h("tr", {}, columns.map((c, i) => h("th", { scope: "col", class: cls(i), text: c })))),
      h("tbody", {}, rows.map(r => h("tr", {}, r.map((c, i) => i === 0
        ? h("th", { scope: "row", text: c }) : h("td", { class: cls(i), text: c }))))));
  }

  /// A chart with its table: the table is always there for screen readers (visually hidden
  /// while the chart shows); the button swaps which one is seen.
  function chartWithTable(box, chart, tableEl) {
    box.textContent = "";
    const tableBox = h("div", { class: "visually-hidden" }, tableEl);
    let showingTable = false;
    const button = h("button", { type: "button", class: "view-switch", "aria-expanded": "false" });
    const render = () => {
      button.textContent = text(showingTable ? "common.showChart" : "common.showTable");
      button.setAttribute("aria-expanded", String(showingTable));
      tableBox.className = showingTable ? "table-view" : "visually-hidden";
      chart.classList.toggle("hidden", showingTable);
    };
    button.addEventListener("click", () => { showingTable = !showingTable; render(); });
    chart.setAttribute("aria-hidden", "true");
    render();
    box.append(button, chart, tableBox);
  }

  /// The sign-in bar. `opts.menu` picks the demo roles offered (`reports` or `meetings`);
  /// `opts.load` runs once signed in and again on a change of language. `fragment` is the
  /// page's URL fragment: `token` signs in at once, `lang` picks the language.
  function signIn(opts, fragment) {
    $("sign-in-bar").replaceWith(
      h("div", { class: "langs", role: "group", "aria-label": "Kieli / Språk / Language" },
        [["fi", "suomi"], ["sv", "svenska"], ["en", "English"]].map(([l, name]) =>
          h("button", { type: "button", "data-lang": l, lang: l, text: name }))),
      h("select", { id: "logins", hidden: true }, h("option", { value: "" })),
      h("input", { id: "token", autocomplete: "off" }),
      h("button", { type: "button", id: "sign-in" }));
    const saved = (() => { try { return localStorage.getItem("typgraph.lang"); } catch (e) { return null; } })();
    state.lang = [fragment.get("lang"), saved, "fi"].find(l => l && LOCALES[l]);
    const tokenInput = $("token"), logins = $("logins"), status = $("status");
    const before = () => {
      const t = BEFORE_SIGN_IN[state.lang];
      tokenInput.placeholder = t.token;
      tokenInput.setAttribute("aria-label", t.token);
      logins.setAttribute("aria-label", t.demo);
      logins.options[0].textContent = t.demo;
      $("sign-in").textContent = t.signIn;
      for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang));
      document.documentElement.lang = state.lang;
    };
    const run = async () => {
      state.token = tokenInput.value.trim();
      if (!state.token) return;
      status.textContent = text("common.loading");
      if (!await loadLabels()) { status.textContent = text("common.refused"); return; }
      applyTexts();
      try { await opts.load(); } catch (e) { status.textContent = text("common.failed") + ": " + e; }
    };
    for (const b of document.querySelectorAll("[data-lang]")) {
      b.addEventListener("click", () => {
        state.lang = b.dataset.lang;
        try { localStorage.setItem("typgraph.lang", state.lang); } catch (e) { /* private mode */ }
        before();
        run();
      });
    }
    $("sign-in").addEventListener("click", run);
    tokenInput.addEventListener("keydown", (e) => { if (e.key === "Enter") run(); });
    before();
    fetch("/dashboard/demo-logins").then(r => r.ok ? r.json() : []).then(list => {
      const offered = list.filter(l => l[opts.menu]);
      if (!offered.length) return;
      for (const l of offered) logins.append(h("option", { value: l.token, "data-role": l.role, text: label("Role", l.role) }));
      logins.hidden = false;
      logins.addEventListener("change", () => { tokenInput.value = logins.value; if (logins.value) run(); });
    }).catch(() => {});
    if (fragment.get("token")) { tokenInput.value = fragment.get("token"); run(); }
  }

  /// The errors of a response by path (`a.0.b`), for parts the server withheld.
  function errorsByPath(body) {
    const out = {};
    for (const e of body.errors || []) if (e.path) out[e.path.join(".")] = e;
    return out;
  }

  return { state, $, h, gql, label, text, applyTexts, number, euros, date, dateTime, month, today,
           table, chartWithTable, signIn, errorsByPath };
})();
