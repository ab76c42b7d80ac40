/*
 * The search page's API key (no inline script: the page's Content-Security-Policy allows
 * scripts from this server only). Runs before widget.js; page.js runs after it.
 */
// An API key for this tab: data-key on the search element, or /#key=<key> (a fragment never
// reaches the server or its logs). A key from the address is used only once the user says
// yes: a link from someone else must not switch the tab to their key unnoticed. A kept key
// stays in sessionStorage; the address loses it either way.
(function () {
  "use strict";
  var root = document.querySelector("#search-view [data-whoknows]");
  var match = /^#key=(.+)$/.exec(window.location.hash);
  var key = "";
  if (match) {
    try {
      key = decodeURIComponent(match[1]).trim();
    } catch (e) {
      key = "";
    }
    var address = window.location.pathname + window.location.search + "#/";
    window.history.replaceState(null, "", address);
    var shown = key.length > 12 ? key.slice(0, 12) + "\u2026" : key;
    if (key && !window.confirm("This link asks WhoKnows to search with the API key " + shown +
        " in this tab. Searches then show what that key may see, and are counted for it." +
        "\n\nUse this key only if you asked for the link. Use it?")) {
      key = "";
    }
    try {
      if (key) window.sessionStorage.setItem("whoknows-key", key);
    } catch (e) { /* storage off: the key lasts until the page is left */ }
  } else if (!root.getAttribute("data-key")) {
    try {
      key = window.sessionStorage.getItem("whoknows-key") || "";
    } catch (e) {
      key = "";
    }
  }
  if (key) root.setAttribute("data-key", key);
})();
