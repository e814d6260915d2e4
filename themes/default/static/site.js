/* newsarchive default theme: remember the reader's script (the root page's inline choice,
   templates/_root_choice.js, reads it under the same key).
   No dependencies; loaded with `defer`. Every link works without this file. */
(function () {
  "use strict";

  var KEY = "newsarchive.script";
  var SCRIPTS = ["hant", "hans"];

  /* localStorage throws when storage is disabled (private modes, strict privacy settings). */
  function remember(script) {
    if (SCRIPTS.indexOf(script) < 0) return;
    try {
      window.localStorage.setItem(KEY, script);
    } catch (e) {
      /* Nothing to keep: the link still navigates. */
    }
  }

  /* A click on any script link (the toggle, the root chooser) is the reader's choice. */
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[data-script]") : null;
    if (link) remember(link.getAttribute("data-script"));
  });
})();
