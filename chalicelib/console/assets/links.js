/* A resource's links, as the share dialog shows them and the console's resource screen reuses:
   create behind the warning, the new link with Copy and its QR code, the list with status, views,
   last opened and expiry, and each link's actions (copy again, edit, pause or resume, access log,
   revoke after "Revoke?"). Every action is one API call. */
KH.links = (function () {
  "use strict";
  var h = KH.h;
  var STATUS = {active: "Active", paused: "Paused", revoked: "Revoked", expired: "Expired", exhausted: "Used up"};
  var PRESETS = [["1h", "1 hour"], ["24h", "1 day"], ["7d", "7 days"], ["30d", "30 days"], ["never", "Never"]];
  var UNITS = {m: 60, h: 3600, d: 86400};

  function seconds(duration) {
    if (duration === "never") { return Infinity; }
    var match = /^([0-9]+)([mhd])$/.exec(duration || "");
    return match ? Number(match[1]) * UNITS[match[2]] : Infinity;
  }
  function presets(settings) {
    var most = seconds(settings.max_expires_in);
    var list = PRESETS.filter(function (preset) { return seconds(preset[0]) <= most; });
    var fallback = settings.default_expires_in;
    if (!list.some(function (preset) { return preset[0] === fallback; })) { list.unshift([fallback, fallback + " (default)"]); }
    return list;
  }
  function badge(status) { return h("span", {"class": "badge " + status, text: STATUS[status] || status}); }
  function title(link) { return link.label || "Untitled link"; }
  function canChange(link) { return KH.can("operator") && (link.status === "active" || link.status === "paused"); }
  function summary(link) {
    return {id: link.id, resource_id: link.resource_id, label: link.label, status: link.status, expires_at: link.expires_at};
  }

  // The new link (or one copied again): its URL, Copy, the QR code.
  function shareBox(url, heading) {
    var input = h("input", {type: "text", readonly: true, value: url, "aria-label": "Link URL"});
    var status = h("span", {"class": "muted small", role: "status"});
    var copyButton = h("button", {type: "button", "class": "primary", text: "Copy link", onclick: function () {
      KH.copy(url, input).then(function (done) {
        status.textContent = done ? "Copied" : "Select the link and copy it (Ctrl+C or \u2318C)";
        KH.announce(status.textContent);
        if (done) { KH.notify("link.copied", {}); }
      });
    }});
    return h("section", {"class": "card newlink", "aria-label": heading},
      h("div", null, h("h2", {text: heading}),
        h("p", {"class": "muted small", text: "Anyone with this link can open it. Send it only to who should see it."}),
        h("div", {"class": "urlbox"}, input, copyButton), status),
      KH.qr(url, "QR code of the link"));
  }

  // The create form, behind "Anyone with the link can view this ... without signing in".
  function createForm(resource, done, cancel) {
    var settings = KH.state.tenant.settings;
    var kind = resource.type || "resource";
    var fields = {};
    var label = h("input", {type: "text", maxlength: 100, autocomplete: "off"});
    var expiry = KH.select(presets(settings), settings.default_expires_in);
    var password = h("input", {type: "password", autocomplete: "new-password", minlength: 8, maxlength: 256});
    var views = h("input", {type: "number", min: 1, max: 1000000, inputmode: "numeric"});
    fields.label = KH.field("Label", label, {hint: "Who or what it is for (optional)"});
    fields.expires_in = KH.field("Expires", expiry);
    fields.password = KH.field(settings.require_password ? "Password" : "Password (optional)", password,
      {hint: settings.require_password ? "Required for every link of this workspace" : "Viewers type it before they see anything"});
    fields.max_views = KH.field("View limit (optional)", views, {hint: "The link stops working after this many views"});
    var extra = [];
    var scope = null;
    if (resource.scopes && resource.scopes.length) {
      scope = KH.select([["", "Everything"]].concat(resource.scopes.map(function (name) { return [name, name]; })), "");
      fields.scope = KH.field("What it shows", scope);
      extra.push(fields.scope);
    }
    var pathBoxes = [], methodBoxes = [];
    if (resource.kind === "origin") {
      pathBoxes = (resource.allowed_paths || []).map(function (path) { return h("input", {type: "checkbox", checked: true, value: path}); });
      methodBoxes = (resource.allowed_methods || []).map(function (method) { return h("input", {type: "checkbox", checked: true, value: method}); });
      fields.allowed_paths = h("fieldset", null, h("legend", {text: "Paths this link opens"}),
        h("div", {"class": "inline-checks"}, pathBoxes.map(function (box) { return h("label", {"class": "check"}, box, h("code", {text: box.value})); })));
      fields.allowed_paths.showError = function () {};
      fields.allowed_methods = h("fieldset", null, h("legend", {text: "Methods"}),
        h("div", {"class": "inline-checks"}, methodBoxes.map(function (box) { return h("label", {"class": "check"}, box, box.value); })));
      fields.allowed_methods.showError = function () {};
      extra.push(fields.allowed_paths, fields.allowed_methods);
    }
    var embeddable = null;
    if (resource.kind !== "origin" && (settings.embed_origins || []).length) {
      embeddable = h("input", {type: "checkbox"});
      extra.push(h("div", {"class": "field"}, h("label", {"class": "check"}, embeddable,
        h("span", null, "Can be shown inside your site ", h("span", {"class": "muted small", text: "(" + settings.embed_origins.join(", ") + ")"})))));
    }
    var understood = h("input", {type: "checkbox", id: KH.uid("ack")});
    var submit = h("button", {type: "submit", "class": "primary", text: "Create link", disabled: true});
    understood.addEventListener("change", function () { submit.disabled = !understood.checked; });
    var problem = KH.banner();
    var form = h("form", {"class": "card stack", novalidate: true, "aria-label": "Create a link"},
      h("div", {"class": "notice warn", id: KH.uid("warn")},
        h("strong", {text: "Anyone with the link can view this " + kind + " without signing in."}),
        " Treat it like a password: share it only with people who should see it."),
      h("label", {"class": "check", "for": understood.id}, understood, h("span", {text: "I understand: anyone with the link can view it"})),
      h("div", {"class": "row two"}, fields.label, fields.expires_in),
      h("div", {"class": "row two"}, fields.password, fields.max_views),
      extra, problem,
      h("div", {"class": "actions"}, submit, h("button", {type: "button", text: "Cancel", onclick: cancel})));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!understood.checked) { return; }
      var body = {expires_in: expiry.value};
      if (label.value.trim()) { body.label = label.value.trim(); }
      if (password.value) { body.password = password.value; }
      if (views.value) { body.max_views = Number(views.value); }
      if (scope && scope.value) { body.scope = scope.value; }
      if (embeddable && embeddable.checked) { body.embeddable = true; }
      if (pathBoxes.length) {
        var paths = pathBoxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
        var methods = methodBoxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
        if (paths.length !== pathBoxes.length) { body.allowed_paths = paths; }
        if (methods.length !== methodBoxes.length) { body.allowed_methods = methods; }
      }
      submit.disabled = true;
      problem.hidden = true;
      KH.api("POST", "/v1/resources/" + encodeURIComponent(resource.id) + "/links", body).then(done, function (error) {
        submit.disabled = !understood.checked;
        if (error.code === "limit_reached") { done(null, error); return; }
        KH.showErrors(error, fields, problem);
      });
    });
    setTimeout(function () { understood.focus(); }, 0);
    return form;
  }

  // Edit: label, expiry, password (keep, set a new one, or remove).
  function editForm(link, saved, cancel) {
    var settings = KH.state.tenant.settings;
    var fields = {};
    var label = h("input", {type: "text", maxlength: 100, value: link.label || ""});
    var expiry = KH.select([["", "Keep (" + (link.expires_at ? KH.relative(link.expires_at) : "never") + ")"]].concat(presets(settings)), "");
    var choice = KH.uid("pw");
    var keep = h("input", {type: "radio", name: choice, value: "keep", checked: true});
    var change = h("input", {type: "radio", name: choice, value: "set"});
    var remove = link.has_password && !settings.require_password ? h("input", {type: "radio", name: choice, value: "clear"}) : null;
    var password = h("input", {type: "password", autocomplete: "new-password", minlength: 8, maxlength: 256, "aria-label": "New password"});
    fields.label = KH.field("Label", label);
    fields.expires_in = KH.field("Expires", expiry);
    fields.password = h("fieldset", null, h("legend", {text: "Password"}),
      h("label", {"class": "check"}, keep, link.has_password ? "Keep the current password" : "No password"),
      h("label", {"class": "check"}, change, link.has_password ? "Set a new one (viewers unlock again)" : "Set a password"),
      remove ? h("label", {"class": "check"}, remove, "Remove the password") : null, password);
    var pwError = h("div", {"class": "error-text", hidden: true});
    fields.password.appendChild(pwError);
    fields.password.showError = function (message) { pwError.textContent = message || ""; pwError.hidden = !message; };
    var problem = KH.banner();
    var form = h("form", {"class": "panel stack", novalidate: true, "aria-label": "Edit " + title(link)},
      fields.label, fields.expires_in, fields.password, problem,
      h("div", {"class": "actions"}, h("button", {type: "submit", "class": "primary", text: "Save"}),
        h("button", {type: "button", text: "Cancel", onclick: cancel})));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {};
      var newLabel = label.value.trim() || null;
      if (newLabel !== (link.label || null)) { body.label = newLabel; }
      if (expiry.value) { body.expires_in = expiry.value; }
      if (change.checked) { body.password = password.value; }
      if (remove && remove.checked) { body.password = null; }
      if (!Object.keys(body).length) { cancel(); return; }
      KH.api("PATCH", "/v1/links/" + link.id, body).then(saved, function (error) { KH.showErrors(error, fields, problem); });
    });
    setTimeout(function () { label.focus(); }, 0);
    return form;
  }

  function accessLog(link) {
    var body = h("tbody");
    var more = h("button", {type: "button", text: "Show more", hidden: true});
    var note = h("p", {"class": "muted small", text: "Loading\u2026"});
    var cursor = null;
    function load() {
      KH.api("GET", "/v1/links/" + link.id + "/access-logs" + KH.query({limit: 20, cursor: cursor})).then(function (page) {
        page.items.forEach(function (entry) {
          body.appendChild(h("tr", null,
            h("td", {"data-label": "When", text: KH.when(entry.at)}),
            h("td", {"data-label": "Address", "class": "wrap", text: entry.ip}),
            h("td", {"data-label": "Request", "class": "wrap", text: entry.method + " " + entry.status + (entry.outcome ? " (" + entry.outcome + ")" : "")}),
            h("td", {"data-label": "Browser", "class": "wrap", text: entry.user_agent || "\u2014"})));
        });
        cursor = page.next_cursor;
        more.hidden = !cursor;
        note.textContent = body.childNodes.length ? "" : "Nobody has opened this link yet.";
      }, function (error) { note.textContent = KH.errorMessage(error); });
    }
    more.addEventListener("click", load);
    load();
    return h("div", {"class": "panel"}, h("h3", {text: "Access log"}), note,
      h("div", {"class": "table-scroll"}, h("table", {"class": "stackable"},
        h("thead", null, h("tr", null, h("th", {text: "When"}), h("th", {text: "Address"}), h("th", {text: "Request"}), h("th", {text: "Browser"}))),
        body)), more);
  }

  // One link: what it is, and what may be done with it.
  function row(link, hooks) {
    var item = h("li", {"data-link": link.id});
    var panel = h("div");
    function redraw(updated, flash) {
      if (updated) { link = updated; }
      KH.clear(item);
      item.appendChild(h("div", {"class": "linkhead"}, h("span", {"class": "title", text: title(link)}), badge(link.status),
        h("span", {"class": "muted small mono", text: "\u2026" + link.token_preview})));
      var facts = [
        link.view_count + (link.view_count === 1 ? " view" : " views") + (link.max_views ? " of " + link.max_views : ""),
        "last opened " + KH.relative(link.last_accessed_at, "never"),
        link.status === "revoked" ? "revoked " + KH.relative(link.revoked_at) : (link.expires_at ? (link.status === "expired" ? "expired " : "expires ") + KH.relative(link.expires_at) : "never expires")
      ];
      if (link.has_password) { facts.push("password"); }
      if (link.embeddable) { facts.push("embeddable"); }
      if (link.created_by && link.created_by.actor) { facts.push("by " + link.created_by.actor); }
      item.appendChild(h("ul", {"class": "facts"}, facts.map(function (fact) { return h("li", {text: fact}); })));
      item.appendChild(actions());
      item.appendChild(panel);
      if (flash) { item.classList.add("flash"); }
    }
    function show(node) { KH.clear(panel); if (node) { panel.appendChild(node); } }
    function changed(updated, event) {
      var before = link.status;
      redraw(updated, true);
      if (hooks && hooks.changed) { hooks.changed(link, before); }
      KH.notify(event, {link: summary(link)});
    }
    function actions() {
      var bar = h("div", {"class": "actions"});
      var name = title(link);
      if (canChange(link) && KH.state.tenant.settings.token_display !== "once") {
        bar.appendChild(h("button", {type: "button", "class": "link", text: "Copy", "aria-label": "Copy " + name, onclick: function () {
          KH.api("POST", "/v1/links/" + link.id + "/reveal").then(function (revealed) {
            show(shareBox(revealed.url, "Link: " + name));
            var input = panel.querySelector("input");
            KH.copy(revealed.url, input).then(function (done) {
              KH.announce(done ? "Link copied" : "Select the link and copy it");
              if (done) { KH.notify("link.copied", {link: summary(link)}); }
            });
          }, function (error) { show(h("p", {"class": "notice error", role: "alert", text: KH.errorMessage(error)})); });
        }}));
      }
      if (canChange(link)) {
        bar.appendChild(h("button", {type: "button", "class": "link", text: "Edit", "aria-label": "Edit " + name, onclick: function () {
          show(editForm(link, function (updated) { show(null); changed(updated, "link.updated"); KH.announce("Saved"); }, function () { show(null); }));
        }}));
        var pausing = link.status === "active";
        bar.appendChild(h("button", {type: "button", "class": "link", text: pausing ? "Pause" : "Resume",
          "aria-label": (pausing ? "Pause " : "Resume ") + name, onclick: function () {
            KH.api("PATCH", "/v1/links/" + link.id, {paused: pausing}).then(function (updated) {
              changed(updated, pausing ? "link.paused" : "link.resumed");
              KH.announce(pausing ? "Paused: the link answers not found until resumed" : "Resumed: the same link works again");
            }, function (error) { show(h("p", {"class": "notice error", role: "alert", text: KH.errorMessage(error)})); });
          }}));
      }
      bar.appendChild(h("button", {type: "button", "class": "link", text: "Access log", "aria-label": "Access log of " + name,
        onclick: function () { show(panel.firstChild && panel.firstChild.querySelector && panel.firstChild.querySelector("h3") ? null : accessLog(link)); }}));
      if (canChange(link)) {
        bar.appendChild(KH.confirmButton("Revoke", "Revoke?", function () {
          return KH.api("DELETE", "/v1/links/" + link.id).then(function () {
            // One call: the record is known to read as revoked now (no second request to learn it).
            var updated = Object.assign({}, link, {status: "revoked", revoked_at: new Date().toISOString()});
            changed(updated, "link.revoked");
            KH.announce("Revoked: the link no longer opens");
          }, function (error) {
            show(h("p", {"class": "notice error", role: "alert", text: KH.errorMessage(error)}));
            throw error;
          });
        }, {className: "link", ariaLabel: "Revoke " + name, confirmLabel: "Revoke " + name + "? This cannot be undone"}));
      }
      return bar;
    }
    redraw();
    return item;
  }

  return {row: row, createForm: createForm, shareBox: shareBox, badge: badge, title: title, summary: summary, STATUS: STATUS};
})();
