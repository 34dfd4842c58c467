/*
 * mobility-directory widget: open calls from any search of the directory, on any page.
 *
 *   <div data-mobility-directory data-query="discipline=dance&eligible_country=SI" data-limit="5"></div>
 *   <script src="https://DIRECTORY/widget.js" async></script>
 *
 * data-query: the filters of GET /api/v1/opportunities; data-limit: how many (1-20,
 * default 5); data-lang: sl or en (default: the page's language). No framework, no
 * cookies; text goes in as text, never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? new URL(script.src, document.baseURI).origin : "";
  var WORDS = {
    en: {
      label: "Open calls",
      loading: "Loading open calls\u2026",
      empty: "No open calls match this search at the moment.",
      failed: "The open calls could not be loaded.",
      reason: "The directory says:",
      by: "by",
      deadline: "Deadline",
      rolling: "Rolling: apply any time",
      source: "From the international mobility directory"
    },
    sl: {
      label: "Odprti razpisi",
      loading: "Nalagam odprte razpise \u2026",
      empty: "Trenutno ni razpisov, ki bi ustrezali iskanju.",
      failed: "Razpisov ni bilo mogo\u010de nalo\u017eiti.",
      reason: "Imenik sporo\u010da:",
      by: "organizator",
      deadline: "Rok",
      rolling: "Sprotno: prijave kadar koli",
      source: "Iz imenika mednarodne mobilnosti"
    }
  };
  var STYLE =
    ".mdw{font:inherit;color:inherit}" +
    ".mdw-list{list-style:none;margin:0;padding:0}" +
    ".mdw-item{padding:.6em 0;border-bottom:1px solid rgba(127,127,127,.35)}" +
    ".mdw-title{font-weight:600}" +
    ".mdw-meta{display:block;font-size:.9em;margin-top:.2em}" +
    ".mdw-type{display:inline-block;font-size:.8em;padding:0 .4em;margin-right:.4em;border:1px solid currentColor;border-radius:.3em}" +
    ".mdw-source{font-size:.8em;margin-top:.5em}";

  function language(el) {
    var asked = el.getAttribute("data-lang");
    var holder = el.closest("[lang]");
    var lang = (asked || (holder && holder.getAttribute("lang")) || navigator.language || "en").toLowerCase();
    return lang.indexOf("sl") === 0 ? "sl" : "en";
  }

  function node(tag, className, text) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  }

  function addStyle() {
    if (document.getElementById("mdw-style")) return;
    var style = node("style");
    style.id = "mdw-style";
    style.textContent = STYLE;
    document.head.appendChild(style);
  }

  function item(call, lang, words) {
    var li = node("li", "mdw-item");
    var link = node("a", "mdw-title", call.title && call.title.text ? call.title.text : call.slug);
    link.href = call.application_url || base + "/api/v1/opportunities/" + encodeURIComponent(call.slug);
    li.appendChild(link);
    var meta = node("span", "mdw-meta");
    var type = node("span", "mdw-type", call.names && call.names.type ? call.names.type : call.type);
    meta.appendChild(type);
    meta.appendChild(document.createTextNode(words.by + " " + call.organization.name + " \u00b7 "));
    if (call.deadline) {
      meta.appendChild(document.createTextNode(words.deadline + ": "));
      var when = node("time", null,
        new Intl.DateTimeFormat(lang === "sl" ? "sl-SI" : "en-GB", {
          dateStyle: "long",
          timeStyle: "short"
        }).format(new Date(call.deadline)));
      when.setAttribute("datetime", call.deadline);
      meta.appendChild(when);
    } else {
      meta.appendChild(document.createTextNode(words.rolling));
    }
    li.appendChild(meta);
    return li;
  }

  function render(el) {
    if (el.getAttribute("data-mdw-done")) return;
    el.setAttribute("data-mdw-done", "1");
    var lang = language(el);
    var words = WORDS[lang];
    var limit = Math.max(1, Math.min(20, parseInt(el.getAttribute("data-limit") || "5", 10) || 5));
    var query = new URLSearchParams(el.getAttribute("data-query") || "");
    query.set("limit", String(limit));
    query.set("lang", lang);
    var section = node("section", "mdw");
    section.setAttribute("aria-label", el.getAttribute("data-label") || words.label);
    var status = node("p", "mdw-status", words.loading);
    status.setAttribute("role", "status");
    section.appendChild(status);
    el.textContent = "";
    el.appendChild(section);
    fetch(base + "/api/v1/opportunities?" + query.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.ok) return r.json();
        // The service says what is wrong (a problem document): show it to whoever
        // set the widget up.
        return r.json().then(
          function (problem) {
            var said = new Error(problem.detail || problem.title || String(r.status));
            said.fromDirectory = true;
            throw said;
          },
          function () { throw new Error(String(r.status)); }
        );
      })
      .then(function (page) {
        if (!page.items.length) {
          status.textContent = words.empty;
          return;
        }
        var list = node("ul", "mdw-list");
        page.items.forEach(function (call) {
          list.appendChild(item(call, lang, words));
        });
        section.replaceChild(list, status);
        var source = node("p", "mdw-source", words.source);
        section.appendChild(source);
      })
      .catch(function (e) {
        status.textContent = e.fromDirectory
          ? words.failed + " " + words.reason + " " + e.message
          : words.failed;
      });
  }

  function start() {
    addStyle();
    var all = document.querySelectorAll("[data-mobility-directory]");
    for (var i = 0; i < all.length; i++) render(all[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
