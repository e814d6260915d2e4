{#- The root chooser's decision, inline at the top of its <head> so it runs before any file is
    fetched (one round trip sooner than from site.js): the script the reader chose before
    (site.js remembers it under the same key), else the browser's language, else the site
    default. A <meta http-equiv="refresh"> could not read the remembered choice.
    zh-TW, zh-HK, zh-MO and zh-Hant-* read Traditional; zh-CN, zh-SG, zh-MY and zh-Hans-*
    Simplified; plain "zh" says neither. -#}
(function (targets, fallback) {
  var choice = null;
  try { choice = window.localStorage.getItem("newsarchive.script"); } catch (e) { /* storage off */ }
  var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  for (var i = 0; i < langs.length && !targets[choice]; i++) {
    var t = String(langs[i] || "").toLowerCase();
    if (t.indexOf("zh") !== 0) continue;
    if (/(^|-)hant(-|$)/.test(t) || /-(tw|hk|mo)(-|$)/.test(t)) choice = "hant";
    else if (/(^|-)hans(-|$)/.test(t) || /-(cn|sg|my)(-|$)/.test(t)) choice = "hans";
  }
  window.location.replace(targets[choice] || targets[fallback]);
})({{ root_targets|tojson }}, {{ script|tojson }});
