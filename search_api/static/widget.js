/*
 * WhoKnows intranet widget: "who knows about X?" in any page.
 *
 *   <div data-whoknows></div>
 *   <script src="https://whoknows.example.com/widget.js"></script>
 *
 * Optional attributes on the element:
 *   data-key="..."               sent as "Authorization: Bearer ..."
 *   data-profile-url="...{id}"   where a person's card leads (default: the WhoKnows profile page)
 *   data-limit="5"               people and documents per answer (1-20)
 *   data-placeholder="..."       the search box's placeholder
 *   data-autofocus               focus the search box on load
 *
 * The element fires a cancelable "whoknows:person" event (detail: {id, href}) before it opens a
 * person. No dependencies, no build step; every piece of data is written with textContent.
 */
(function () {
  "use strict";

  if (window.WhoKnows && window.WhoKnows.mountAll) {
    window.WhoKnows.mountAll();
    return;
  }

  var script = document.currentScript;
  var API = new URL(script && script.src ? script.src : "/", window.location.href).origin;
  var DEBOUNCE_MS = 250;
  var MIN_CHARS = 2;
  var STYLE_ID = "wk-styles";
  var ROLE_LABELS = {
    accepted_answerer: "accepted answer",
    author: "author",
    answerer: "answer",
    editor: "editor",
    asker: "question",
    commenter: "comment",
    self_declared: "bio"
  };
  var KIND_LABELS = { wiki: "Wiki page", qa: "Q&A thread", bio: "Bio" };
  var instances = 0;

  var CSS = [
    ".wk-widget,.wk-profile{--wk-accent:#1a56b8;--wk-text:#1d2330;--wk-muted:#586074;",
    "--wk-line:#d5dae3;--wk-soft:#eef3fc;--wk-bg:#fff;--wk-error:#a4262c;",
    "color:var(--wk-text);font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;",
    "box-sizing:border-box;text-align:left}",
    ".wk-widget *,.wk-profile *{box-sizing:border-box}",
    ".wk-widget{max-width:44rem}",
    ".wk-label{display:block;font-weight:600;margin:0 0 .35rem}",
    ".wk-box{position:relative}",
    ".wk-input{width:100%;font:inherit;font-size:1.05rem;padding:.6rem .8rem;color:var(--wk-text);",
    "background:var(--wk-bg);border:2px solid var(--wk-line);border-radius:.5rem;outline:none}",
    ".wk-input:focus{border-color:var(--wk-accent);box-shadow:0 0 0 3px rgba(26,86,184,.2)}",
    ".wk-box.wk-loading::after{content:'';position:absolute;left:.5rem;right:.5rem;bottom:3px;",
    "height:2px;background:linear-gradient(90deg,transparent,var(--wk-accent),transparent);",
    "background-size:50% 100%;background-repeat:no-repeat;animation:wk-slide 1s linear infinite}",
    "@keyframes wk-slide{from{background-position:-50% 0}to{background-position:150% 0}}",
    ".wk-status{min-height:1.3em;margin:.35rem .1rem;font-size:.85rem;color:var(--wk-muted)}",
    ".wk-status.wk-error{color:var(--wk-error);font-weight:600}",
    ".wk-results{border:1px solid var(--wk-line);border-radius:.5rem;background:var(--wk-bg);",
    "max-height:32rem;overflow-y:auto;padding:.25rem 0}",
    ".wk-results[hidden]{display:none}",
    ".wk-group-label{font-size:.75rem;font-weight:700;letter-spacing:.06em;text-transform:uppercase;",
    "color:var(--wk-muted);padding:.5rem .9rem .25rem}",
    ".wk-option{padding:.55rem .9rem;border-left:3px solid transparent;cursor:pointer}",
    ".wk-option+.wk-option{border-top:1px solid #edf0f5}",
    ".wk-option:hover{background:#f6f8fc}",
    ".wk-option.wk-active{background:var(--wk-soft);border-left-color:var(--wk-accent)}",
    ".wk-main{color:var(--wk-accent);font-weight:600;text-decoration:none}",
    ".wk-main:hover{text-decoration:underline}",
    ".wk-meta{color:var(--wk-muted);font-size:.88rem}",
    ".wk-person .wk-meta{margin-left:.4rem}",
    ".wk-why{margin-top:.15rem;font-size:.9rem}",
    ".wk-why-text{margin-top:.15rem;font-size:.85rem;opacity:.85}",
    ".wk-why-role{font-weight:600}",
    ".wk-why a{color:inherit}",
    ".wk-contacts{list-style:none;margin:0;padding:0}",
    ".wk-contacts li{margin:.3rem 0}",
    ".wk-links{display:flex;flex-wrap:wrap;gap:.2rem .9rem;margin:.25rem 0 0;padding:0;",
    "list-style:none;font-size:.85rem}",
    ".wk-links a{color:var(--wk-accent)}",
    ".wk-contact{font-weight:600}",
    ".wk-kind{display:inline-block;margin-left:.4rem;padding:0 .4rem;border-radius:.25rem;",
    "background:#eef0f4;color:var(--wk-muted);font-size:.75rem;vertical-align:1px}",
    ".wk-snippet{color:var(--wk-muted);font-size:.86rem;margin-top:.1rem;",
    "overflow:hidden;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical}",
    ".wk-profile{max-width:48rem}",
    ".wk-back{display:inline-block;margin-bottom:1rem;color:var(--wk-accent)}",
    ".wk-profile h1{font-size:1.9rem;line-height:1.2;margin:0 0 .25rem}",
    ".wk-profile h1:focus{outline:none}",
    ".wk-profile h2{font-size:1rem;margin:1.5rem 0 .5rem;padding-bottom:.25rem;",
    "border-bottom:1px solid var(--wk-line)}",
    ".wk-profile .wk-meta{font-size:1rem}",
    ".wk-badge{display:inline-block;margin-left:.5rem;padding:.05rem .5rem;border-radius:1rem;",
    "background:#fdf0e6;color:#8a4b10;font-size:.8rem;font-weight:600}",
    ".wk-bio{font-size:1.05rem;margin:.9rem 0 0}",
    ".wk-chips{display:flex;flex-wrap:wrap;gap:.4rem;margin:0;padding:0;list-style:none}",
    ".wk-chips li{padding:.15rem .65rem;border-radius:1rem;background:var(--wk-soft);",
    "color:#163f85;font-size:.88rem}",
    ".wk-evidence{margin:0;padding-left:1.4rem}",
    ".wk-evidence li{margin:.3rem 0}",
    ".wk-evidence a{color:var(--wk-accent)}",
    ".wk-role{display:inline-block;min-width:7.5rem;color:var(--wk-muted);font-size:.85rem}",
    ".wk-empty{color:var(--wk-muted)}"
  ].join("\n");

  function injectStyles() {
    if (document.getElementById(STYLE_ID)) return;
    var style = document.createElement("style");
    style.id = STYLE_ID;
    style.textContent = CSS;
    (document.head || document.documentElement).appendChild(style);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** An absolute http(s)/mailto URL, or null: data never reaches an href unchecked. */
  function safeUrl(url) {
    if (!url) return null;
    try {
      var parsed = new URL(url, window.location.href);
      if (parsed.protocol === "http:" || parsed.protocol === "https:" ||
          parsed.protocol === "mailto:") {
        return parsed.href;
      }
    } catch (e) {
      return null;
    }
    return null;
  }

  function link(text, url, className) {
    var href = safeUrl(url);
    var node = el(href ? "a" : "span", className, text);
    if (href) node.href = href;
    return node;
  }

  function roleLabel(role) {
    return ROLE_LABELS[role] || String(role).replace(/_/g, " ");
  }

  /** A person's first contact link: mail from an email: alias, else GitHub. */
  function contactOf(aliases) {
    var email = null;
    var github = null;
    (aliases || []).forEach(function (alias) {
      var at = alias.indexOf(":");
      var prefix = alias.slice(0, at);
      var value = alias.slice(at + 1);
      if (!value) return;
      if (prefix === "email" && !email) email = value;
      if (prefix === "github" && !github) github = value;
    });
    if (email) return { label: "Email " + email, url: "mailto:" + email };
    if (github) {
      return { label: "GitHub @" + github, url: "https://github.com/" + encodeURIComponent(github) };
    }
    return null;
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  /** GET API + path; resolves to JSON, rejects with an Error whose message is for people. */
  function request(path, params, options) {
    options = options || {};
    var url = API + path + (params ? "?" + new URLSearchParams(params).toString() : "");
    var headers = { Accept: "application/json" };
    if (options.key) headers.Authorization = "Bearer " + options.key;
    return fetch(url, { headers: headers, signal: options.signal, credentials: "omit" }).then(
      function (response) {
        if (response.ok) return response.json();
        return response.json().catch(function () { return {}; }).then(function (body) {
          throw new Error(problemText(response.status, body && body.detail));
        });
      },
      function (error) {
        if (error && error.name === "AbortError") throw error;
        throw new Error("Could not reach WhoKnows at " + API + ". Check your connection, " +
          "or ask the WhoKnows admins to allow this site (cors_origins).");
      }
    );
  }

  function problemText(status, detail) {
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail) && detail.length && detail[0].msg) {
      return "The search was not accepted: " + detail[0].msg;
    }
    if (status >= 500) return "WhoKnows had a problem answering (HTTP " + status + "). Try again.";
    return "WhoKnows answered HTTP " + status + ".";
  }

  function fetchProfile(personId, options) {
    return request("/v1/people/" + encodeURIComponent(personId), null, options);
  }

  function Widget(root) {
    this.root = root;
    this.id = "wk" + (++instances);
    this.key = root.getAttribute("data-key") || "";
    this.profileTemplate = root.getAttribute("data-profile-url");
    var limit = parseInt(root.getAttribute("data-limit") || "5", 10);
    this.limit = limit >= 1 && limit <= 20 ? limit : 5;
    this.timer = null;
    this.controller = null;
    this.sequence = 0;
    this.options = [];
    this.active = -1;
    this.lastQuery = "";
    this.build(root.getAttribute("data-placeholder") || "Who knows about\u2026? e.g. helm rollback");
    if (root.hasAttribute("data-autofocus")) this.input.focus();
  }

  Widget.prototype.build = function (placeholder) {
    var self = this;
    var wrapper = el("div", "wk-widget");
    var label = el("label", "wk-label", "Who knows about\u2026?");
    label.htmlFor = this.id + "-input";
    var box = el("div", "wk-box");
    var input = el("input", "wk-input");
    input.type = "search";
    input.id = this.id + "-input";
    input.placeholder = placeholder;
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.id + "-results");
    input.setAttribute("aria-describedby", this.id + "-status");
    var status = el("div", "wk-status");
    status.id = this.id + "-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var results = el("div", "wk-results");
    results.id = this.id + "-results";
    results.setAttribute("role", "listbox");
    results.setAttribute("aria-label", "People and documents");
    results.hidden = true;
    box.appendChild(input);
    wrapper.appendChild(label);
    wrapper.appendChild(box);
    wrapper.appendChild(status);
    wrapper.appendChild(results);
    this.root.textContent = "";
    this.root.appendChild(wrapper);
    this.box = box;
    this.input = input;
    this.status = status;
    this.results = results;

    input.addEventListener("input", function () { self.schedule(); });
    input.addEventListener("keydown", function (event) { self.onKey(event); });
    results.addEventListener("mousedown", function (event) {
      if (!event.target.closest("a")) event.preventDefault();  // keep focus in the box
    });
    results.addEventListener("click", function (event) {
      var option = event.target.closest(".wk-option");
      if (!option || event.target.closest("a")) return;
      self.open(self.options.indexOf(option));
    });
    results.addEventListener("click", function (event) {
      var main = event.target.closest("a.wk-person-link");
      if (main && !self.announcePerson(main)) event.preventDefault();
    }, true);
  };

  Widget.prototype.schedule = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.search(self.input.value); }, DEBOUNCE_MS);
  };

  Widget.prototype.search = function (text) {
    var self = this;
    var query = text.trim();
    clearTimeout(this.timer);
    if (query === this.lastQuery && this.options.length) return;
    if (this.controller) this.controller.abort();
    this.controller = null;
    if (query.length < MIN_CHARS) {
      this.lastQuery = "";
      this.sequence += 1;
      this.clearResults(query ? "Type at least " + MIN_CHARS + " characters." : "");
      return;
    }
    this.lastQuery = query;
    var sequence = ++this.sequence;
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    this.controller = controller;
    this.box.classList.add("wk-loading");
    this.results.setAttribute("aria-busy", "true");
    request("/v1/search", { q: query, limit: String(this.limit) }, {
      key: this.key,
      signal: controller ? controller.signal : undefined
    }).then(function (answer) {
      if (sequence !== self.sequence) return;  // a newer query is on its way
      self.render(answer);
    }, function (error) {
      if (sequence !== self.sequence || (error && error.name === "AbortError")) return;
      self.clearResults(error.message, true);
    }).then(function () {
      if (sequence !== self.sequence) return;
      self.box.classList.remove("wk-loading");
      self.results.removeAttribute("aria-busy");
    });
  };

  Widget.prototype.clearResults = function (message, isError) {
    this.box.classList.remove("wk-loading");
    this.results.removeAttribute("aria-busy");
    this.results.textContent = "";
    this.results.hidden = true;
    this.options = [];
    this.setActive(-1);
    this.input.setAttribute("aria-expanded", "false");
    this.setStatus(message || "", isError);
  };

  Widget.prototype.setStatus = function (message, isError) {
    this.status.textContent = message;
    this.status.classList.toggle("wk-error", Boolean(isError));
  };

  Widget.prototype.render = function (answer) {
    var people = answer.people || [];
    var documents = answer.documents || [];
    this.results.textContent = "";
    this.options = [];
    this.active = -1;
    if (!people.length && !documents.length) {
      this.clearResults("Nobody and nothing found for \u201c" + answer.query +
        "\u201d. Try other words.");
      return;
    }
    if (people.length) this.results.appendChild(this.group("People", people, this.personOption));
    if (documents.length) {
      this.results.appendChild(this.group("Documents", documents, this.documentOption));
    }
    this.results.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.setActive(-1);
    this.setStatus(plural(people.length, "person", "people") + " and " +
      plural(documents.length, "document", "documents") + " for \u201c" + answer.query + "\u201d.");
  };

  Widget.prototype.group = function (title, items, makeOption) {
    var group = el("div", "wk-group");
    var heading = el("div", "wk-group-label", title);
    heading.id = this.id + "-" + title.toLowerCase();
    heading.setAttribute("role", "presentation");
    group.setAttribute("role", "group");
    group.setAttribute("aria-labelledby", heading.id);
    group.appendChild(heading);
    for (var i = 0; i < items.length; i++) {
      var option = makeOption.call(this, items[i]);
      option.id = this.id + "-option-" + this.options.length;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      this.options.push(option);
      group.appendChild(option);
    }
    return group;
  };

  Widget.prototype.profileHref = function (personId) {
    var id = encodeURIComponent(personId);
    if (this.profileTemplate) return this.profileTemplate.split("{id}").join(id);
    return API + "/#/people/" + id;
  };

  Widget.prototype.personOption = function (person) {
    var option = el("div", "wk-option wk-person");
    option.setAttribute("data-person-id", person.id);
    var head = el("div");
    var name = link(person.name, this.profileHref(person.id), "wk-main wk-person-link");
    name.setAttribute("data-person-id", person.id);
    name.tabIndex = -1;
    head.appendChild(name);
    var meta = [person.title, person.team].filter(Boolean).join(" \u00b7 ");
    if (meta) head.appendChild(el("span", "wk-meta", meta));
    option.appendChild(head);

    var evidence = person.evidence || [];
    var top = evidence.filter(function (e) { return e.role !== "self_declared"; })[0] || evidence[0];
    if (person.why) option.appendChild(el("div", "wk-why-text", person.why));
    if (top) {
      var why = el("div", "wk-why");
      why.appendChild(el("span", "wk-why-role", roleLabel(top.role) + ": "));
      var whyLink = link(top.title, top.url);
      whyLink.tabIndex = -1;
      why.appendChild(whyLink);
      option.appendChild(why);
    }
    var links = el("ul", "wk-links");
    var more = evidence.filter(function (e) { return e !== top && safeUrl(e.url); });
    more.slice(0, 2).forEach(function (e) {
      var item = el("li");
      var a = link(e.title, e.url);
      a.tabIndex = -1;
      item.appendChild(a);
      links.appendChild(item);
    });
    var contact = contactOf(person.aliases);
    if (contact) {
      var item = el("li");
      var a = link(contact.label, contact.url, "wk-contact");
      a.tabIndex = -1;
      item.appendChild(a);
      links.appendChild(item);
    }
    if (links.childNodes.length) option.appendChild(links);
    return option;
  };

  Widget.prototype.documentOption = function (doc) {
    var option = el("div", "wk-option wk-document");
    var head = el("div");
    var title = link(doc.title, doc.url, "wk-main");
    title.tabIndex = -1;
    head.appendChild(title);
    head.appendChild(el("span", "wk-kind", KIND_LABELS[doc.kind] || doc.kind));
    option.appendChild(head);
    if (doc.snippet) option.appendChild(el("div", "wk-snippet", doc.snippet));
    return option;
  };

  Widget.prototype.setActive = function (index) {
    if (this.active >= 0 && this.options[this.active]) {
      this.options[this.active].classList.remove("wk-active");
      this.options[this.active].setAttribute("aria-selected", "false");
    }
    this.active = index;
    var option = this.options[index];
    if (option) {
      option.classList.add("wk-active");
      option.setAttribute("aria-selected", "true");
      this.input.setAttribute("aria-activedescendant", option.id);
      if (option.scrollIntoView) option.scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Widget.prototype.onKey = function (event) {
    var count = this.options.length;
    switch (event.key) {
      case "ArrowDown":
        if (!count) return;
        event.preventDefault();
        this.setActive(this.active + 1 >= count ? 0 : this.active + 1);
        break;
      case "ArrowUp":
        if (!count) return;
        event.preventDefault();
        this.setActive(this.active <= 0 ? count - 1 : this.active - 1);
        break;
      case "Enter":
        event.preventDefault();
        if (this.active >= 0) this.open(this.active);
        else this.search(this.input.value);
        break;
      case "Escape":
        if (!this.input.value && !count) return;
        event.preventDefault();
        if (this.controller) this.controller.abort();
        this.sequence += 1;
        this.input.value = "";
        this.lastQuery = "";
        this.clearResults("");
        break;
      default:
    }
  };

  /** Fire the cancelable whoknows:person event; false when the host page took over. */
  Widget.prototype.announcePerson = function (anchor) {
    var detail = { id: anchor.getAttribute("data-person-id"), href: anchor.href };
    var event = new CustomEvent("whoknows:person", { bubbles: true, cancelable: true, detail: detail });
    return this.root.dispatchEvent(event);
  };

  Widget.prototype.open = function (index) {
    var option = this.options[index];
    var main = option && option.querySelector("a.wk-main");
    if (main) main.click();
  };

  function renderProfile(container, profile, options) {
    options = options || {};
    injectStyles();
    container.textContent = "";
    var article = el("article", "wk-profile");
    if (options.backHref) article.appendChild(link("\u2190 Back to search", options.backHref, "wk-back"));
    var heading = el("h1", "", profile.name);
    heading.tabIndex = -1;
    article.appendChild(heading);
    var meta = el("p", "wk-meta", [profile.title, profile.team, profile.location]
      .filter(Boolean).join(" \u00b7 "));
    if (!profile.active) meta.appendChild(el("span", "wk-badge", "No longer here"));
    article.appendChild(meta);
    if (profile.bio) article.appendChild(el("p", "wk-bio", profile.bio));

    section(article, "Contact", profile.contacts, function (list, contact) {
      var item = el("li");
      item.appendChild(el("span", "wk-role", contact.kind === "email" ? "Email" :
        contact.kind === "github" ? "GitHub" : "Profile"));
      item.appendChild(link(contact.label, contact.url));
      list.appendChild(item);
    }, "ul", "wk-contacts");
    section(article, "Skills", profile.skills, chip, "ul", "wk-chips");
    section(article, "Top topics", profile.topics, chip, "ul", "wk-chips");
    section(article, "Evidence", profile.evidence, function (list, e) {
      var item = el("li");
      item.appendChild(el("span", "wk-role", roleLabel(e.role)));
      item.appendChild(link(e.title, e.url));
      item.appendChild(el("span", "wk-kind", KIND_LABELS[e.kind] || e.kind));
      list.appendChild(item);
    }, "ol", "wk-evidence");
    if (profile.sources && profile.sources.length) {
      article.appendChild(el("h2", "", "Sources"));
      article.appendChild(el("p", "wk-meta", "Found in " + profile.sources.map(function (s) {
        return s.name + " (" + s.kind + ")";
      }).join(", ") + "."));
    }
    container.appendChild(article);
    if (options.focus !== false) heading.focus();
    return article;
  }

  function chip(list, text) {
    list.appendChild(el("li", "", text));
  }

  function section(parent, title, items, add, listTag, listClass) {
    parent.appendChild(el("h2", "", title));
    if (!items || !items.length) {
      parent.appendChild(el("p", "wk-empty", "None known."));
      return;
    }
    var list = el(listTag, listClass);
    items.forEach(function (item) { add(list, item); });
    parent.appendChild(list);
  }

  function mount(root) {
    if (!root || root.whoknows) return root && root.whoknows;
    injectStyles();
    root.whoknows = new Widget(root);
    return root.whoknows;
  }

  function mountAll() {
    var roots = document.querySelectorAll("[data-whoknows]");
    for (var i = 0; i < roots.length; i++) mount(roots[i]);
  }

  window.WhoKnows = {
    api: API,
    mount: mount,
    mountAll: mountAll,
    fetchProfile: fetchProfile,
    renderProfile: renderProfile
  };

  mountAll();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
})();
