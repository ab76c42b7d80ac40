/*
 * The search page's views: search, and a person's profile at #/people/<id> (no inline
 * script: the page's Content-Security-Policy allows scripts from this server only).
 */
(function () {
  "use strict";
  var searchView = document.getElementById("search-view");
  var profileView = document.getElementById("profile-view");
  var searchRoot = searchView.querySelector("[data-whoknows]");
  var current = 0;

  function showSearch() {
    current += 1;
    profileView.hidden = true;
    profileView.textContent = "";
    searchView.hidden = false;
    document.title = "WhoKnows";
    var widget = searchRoot.whoknows;
    if (widget) widget.input.focus();
  }

  function showMessage(text) {
    searchView.hidden = true;
    profileView.hidden = false;
    profileView.textContent = "";
    var back = document.createElement("a");
    back.href = "#/";
    back.textContent = "\u2190 Back to search";
    var message = document.createElement("p");
    message.className = "message";
    message.textContent = text;
    profileView.appendChild(back);
    profileView.appendChild(message);
  }

  function showProfile(personId) {
    var request = ++current;
    searchView.hidden = true;
    profileView.hidden = false;
    profileView.textContent = "Loading\u2026";
    var widget = searchRoot.whoknows;
    var key = widget ? widget.key : searchRoot.getAttribute("data-key") || "";
    WhoKnows.fetchProfile(personId, { key: key }).then(function (profile) {
      if (request !== current) return;
      document.title = profile.name + " \u2013 WhoKnows";
      WhoKnows.renderProfile(profileView, profile, { backHref: "#/" });
    }, function (error) {
      if (request !== current) return;
      showMessage(error.message);
    });
  }

  function route() {
    if (/^#key=/.test(window.location.hash)) {
      window.location.reload();  // a new key: the script above reads it on load
      return;
    }
    var match = /^#\/people\/(.*)$/.exec(window.location.hash);
    if (!match) {
      showSearch();
      return;
    }
    var personId = null;
    try {
      personId = decodeURIComponent(match[1]);
    } catch (e) {
      personId = null;
    }
    if (personId) {
      showProfile(personId);
      return;
    }
    current += 1;
    document.title = "WhoKnows";
    showMessage("This is not a valid profile link: it should read #/people/<id>. " +
      "Search for the person instead.");
  }

  window.addEventListener("hashchange", route);
  route();
})();
