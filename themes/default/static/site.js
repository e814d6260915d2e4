/* newsarchive default theme: remember the reader's script, and let the root page follow it.
   No dependencies; loaded with `defer`. Every link works without this file. */
(function () {
  "use strict";

  var KEY = "newsarchive.script";
  var SCRIPTS = ["hant", "hans"];

  /* localStorage throws when storage is disabled (private modes, strict privacy settings). */
  function remembered() {
    try {
      var value = window.localStorage.getItem(KEY);
      return SCRIPTS.indexOf(value) >= 0 ? value : null;
    } catch (e) {
      return null;
    }
  }

  function remember(script) {
    if (SCRIPTS.indexOf(script) < 0) return;
    try {
      window.localStorage.setItem(KEY, script);
    } catch (e) {
      /* Nothing to keep: the link still navigates. */
    }
  }

  /* zh-TW, zh-HK, zh-MO and zh-Hant-* read Traditional; zh-CN, zh-SG, zh-MY and zh-Hans-* Simplified. */
  function scriptOfLanguage(tag) {
    var t = String(tag || "").toLowerCase();
    if (t.indexOf("zh") !== 0) return null;
    if (/(^|-)hant(-|$)/.test(t) || /-(tw|hk|mo)(-|$)/.test(t)) return "hant";
    if (/(^|-)hans(-|$)/.test(t) || /-(cn|sg|my)(-|$)/.test(t)) return "hans";
    return null;
  }

  function browserScript() {
    var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < langs.length; i++) {
      var s = scriptOfLanguage(langs[i]);
      if (s) return s;
    }
    return null;
  }

  /* Root page: go to the remembered script, else the browser's, else the site default. */
  function chooseFromRoot(body) {
    var targets = {};
    var links = document.querySelectorAll("a[data-script]");
    for (var i = 0; i < links.length; i++) {
      targets[links[i].getAttribute("data-script")] = links[i].href;
    }
    var choice = remembered() || browserScript() || body.getAttribute("data-root-default");
    if (targets[choice]) window.location.replace(targets[choice]);
  }

  /* A click on any script link (the toggle, the root chooser) is the reader's choice. */
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[data-script]") : null;
    if (link) remember(link.getAttribute("data-script"));
  });

  var body = document.body;
  if (body && body.hasAttribute("data-root-default")) chooseFromRoot(body);
})();
