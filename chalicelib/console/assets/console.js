/* The console: a tenant's staff. Each screen shows only what the session's role may see. */
(function () {
  "use strict";
  if (document.getElementById("app").getAttribute("data-page") !== "console") { return; }
  var h = KH.h;
  var EVENTS = ["share.created", "share.revoked", "share.expired", "share.exhausted", "share.accessed"];
  var content = null;
  var tabs = {};

  var SCREENS = [
    ["resources", "Resources", "viewer", resourcesScreen],
    ["links", "Links", "viewer", linksScreen],
    ["audit", "Audit", "admin", auditScreen],
    ["webhooks", "Webhooks", "admin", webhooksScreen],
    ["keys", "API keys", "admin", keysScreen],
    ["settings", "Settings", "admin", settingsScreen]
  ];

  function go(name) {
    SCREENS.forEach(function (screen) {
      if (tabs[screen[0]]) { tabs[screen[0]].setAttribute("aria-current", screen[0] === name ? "page" : "false"); }
    });
    var screen = SCREENS.filter(function (entry) { return entry[0] === name; })[0];
    KH.clear(content);
    var heading = h("h1", {tabindex: "-1", text: screen[1]});
    content.appendChild(heading);
    screen[3](content);
    heading.focus();
  }

  // A paginated table: `columns` are [heading, cell(item)]; "Load more" follows next_cursor.
  function pagedTable(path, params, columns, options) {
    options = options || {};
    var body = h("tbody");
    var note = h("p", {"class": "muted", text: "Loading\u2026"});
    var more = h("button", {type: "button", text: "Load more", hidden: true});
    var cursor = null;
    var items = [];
    function load() {
      more.disabled = true;
      KH.api("GET", path + KH.query(Object.assign({}, params, {cursor: cursor, limit: 50}))).then(function (page) {
        page.items.forEach(function (item) {
          items.push(item);
          body.appendChild(h("tr", {"data-id": item.id || ""}, columns.map(function (column) {
            var value = column[1](item);
            return h("td", {"data-label": column[0], "class": "wrap"}, value);
          })));
        });
        cursor = page.next_cursor;
        more.hidden = !cursor;
        more.disabled = false;
        note.textContent = items.length ? "" : (options.empty || "Nothing here yet.");
        note.hidden = items.length > 0;
        if (options.loaded) { options.loaded(items); }
      }, function (error) { note.textContent = KH.errorMessage(error); note.hidden = false; more.disabled = false; });
    }
    more.addEventListener("click", load);
    load();
    var table = h("table", {"class": "stackable"}, h("thead", null, h("tr", null, columns.map(function (column) {
      return h("th", {scope: "col"}, column[2] || column[0]);
    }))), body);
    var wrap = h("div", null, note, h("div", {"class": "table-scroll"}, table), more);
    wrap.items = items;
    wrap.body = body;
    return wrap;
  }

  // ---- resources ----------------------------------------------------------------------------
  function resourcesScreen(root) {
    var search = h("input", {type: "search", placeholder: "Name, id or type", autocomplete: "off"});
    var open = h("button", {type: "button", text: "Open by id", hidden: true});
    var table = pagedTable("/v1/resources", {}, [
      ["Name", function (item) { return h("button", {type: "button", "class": "link", text: item.name, "aria-label": "Open " + item.name, onclick: function () { openResource(root, item.id); }}); }],
      ["Id", function (item) { return h("code", {text: item.id}); }],
      ["Type", function (item) { return item.type; }],
      ["Active links", function (item) { return String(item.active_links); }],
      ["Updated", function (item) { return KH.relative(item.updated_at); }]
    ], {empty: "No resources yet: your product creates them with PUT /v1/resources/{id}.", loaded: filter});
    function filter() {
      var text = search.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(table.body.rows, function (row, index) {
        var item = table.items[index];
        var match = !text || [item.name, item.id, item.type].join(" ").toLowerCase().indexOf(text) >= 0;
        row.hidden = !match;
        shown += match ? 1 : 0;
      });
      open.hidden = !text || shown > 0;
      open.textContent = "Open \u201c" + search.value.trim() + "\u201d";
    }
    search.addEventListener("input", filter);
    open.addEventListener("click", function () { openResource(root, search.value.trim()); });
    root.appendChild(h("div", {"class": "toolbar"}, KH.field("Search resources", search), open));
    root.appendChild(table);
  }

  function openResource(root, id) {
    KH.clear(root);
    var back = h("button", {type: "button", text: "\u2190 Resources", onclick: function () { go("resources"); }});
    root.appendChild(h("div", {"class": "actions"}, back));
    var holder = h("div", {"class": "stack"}, h("p", {"class": "muted", text: "Loading\u2026"}));
    root.appendChild(holder);
    KH.api("GET", "/v1/resources/" + encodeURIComponent(id)).then(function (full) {
      var resource = {
        id: full.id, type: full.type, name: full.name, kind: full.kind, active_links: full.active_links,
        scopes: Object.keys(full.scopes || {}),
        allowed_paths: full.origin ? full.origin.allowed_paths : null,
        allowed_methods: full.origin ? full.origin.allowed_methods : null
      };
      KH.clear(holder);
      var heading = h("h2", {tabindex: "-1"}, full.name, " ", h("span", {"class": "muted small", text: full.type + " \u00b7 " + full.id}));
      holder.appendChild(heading);
      holder.appendChild(KH.resourcePanel(resource));
      heading.focus();
    }, function (error) {
      KH.clear(holder).appendChild(h("p", {"class": "notice error", role: "alert", text: error.status === 404 ? "No resource with the id \u201c" + id + "\u201d." : KH.errorMessage(error)}));
    });
  }

  // ---- links --------------------------------------------------------------------------------
  function linksScreen(root) {
    var status = KH.select([["active", "Active"], ["paused", "Paused"], ["expired", "Expired"], ["exhausted", "Used up"], ["revoked", "Revoked"], ["all", "All"]], "active");
    var actor = h("input", {type: "text", placeholder: "e.g. user:42", autocomplete: "off"});
    var apply = h("button", {type: "button", text: "Show"});
    var holder = h("div");
    var selected = {};
    var revokeBar = h("div", {"class": "actions"});
    var result = h("div", {role: "status"});
    function count() { return Object.keys(selected).length; }
    function drawBar() {
      KH.clear(revokeBar);
      if (!KH.can("operator")) { return; }
      var n = count();
      if (!n) { revokeBar.appendChild(h("button", {type: "button", disabled: true, text: "Revoke selected"})); return; }
      revokeBar.appendChild(KH.confirmButton("Revoke selected (" + n + ")", "Revoke " + n + (n === 1 ? " link?" : " links?"), function () {
        return KH.api("POST", "/v1/links/revoke", {link_ids: Object.keys(selected)}).then(function (answer) {
          KH.clear(result).appendChild(h("p", {"class": "notice ok", text: answer.revoked + (answer.revoked === 1 ? " link" : " links") + " revoked."}));
          answer.results.forEach(function (entry) {
            if (entry.status !== "revoked") { return; }  // already revoked, or gone: nothing happened now
            KH.notify("link.revoked", {link: {id: entry.link_id, resource_id: entry.resource_id, status: "revoked"}});
          });
          KH.announce(answer.revoked + " links revoked");
          load();
        }, function (error) { KH.clear(result).appendChild(h("p", {"class": "notice error", role: "alert", text: KH.errorMessage(error)})); throw error; });
      }, {className: "danger"}));
    }
    function load() {
      selected = {};
      drawBar();
      var columns = [];
      if (KH.can("operator")) {
        columns.push(["Select", function (link) {
          var selectable = link.status === "active" || link.status === "paused";
          return h("input", {type: "checkbox", disabled: !selectable, "aria-label": "Select " + KH.links.title(link), onchange: function (event) {
            if (event.target.checked) { selected[link.id] = true; } else { delete selected[link.id]; }
            drawBar();
          }});
        }, h("span", {"class": "visually-hidden", text: "Select"})]);
      }
      columns.push(
        ["Link", function (link) { return h("button", {type: "button", "class": "link", text: KH.links.title(link), "aria-label": "Open " + KH.links.title(link), onclick: function () { openLink(link); }}); }],
        ["Status", function (link) { return KH.links.badge(link.status); }],
        ["Resource", function (link) { return h("code", {text: link.resource_id}); }],
        ["Views", function (link) { return String(link.view_count); }],
        ["Last opened", function (link) { return KH.relative(link.last_accessed_at, "never"); }],
        ["Expires", function (link) { return link.expires_at ? KH.relative(link.expires_at) : "never"; }],
        ["Created by", function (link) { return (link.created_by && (link.created_by.actor || link.created_by.key_id)) || "\u2014"; }]);
      KH.clear(holder).appendChild(pagedTable("/v1/links", {status: status.value, actor: actor.value.trim()}, columns, {empty: "No links match."}));
    }
    function openLink(link) {
      KH.clear(holder);
      holder.appendChild(h("div", {"class": "actions"}, h("button", {type: "button", text: "\u2190 All links", onclick: load})));
      var list = h("ul", {"class": "links"}, KH.links.row(link, {}));
      holder.appendChild(h("div", {"class": "card"}, list));
      var focus = list.querySelector("button");
      if (focus) { focus.focus(); }
    }
    apply.addEventListener("click", load);
    root.appendChild(h("div", {"class": "toolbar"}, KH.field("Status", status), KH.field("Created by (actor)", actor), apply));
    root.appendChild(revokeBar);
    root.appendChild(result);
    root.appendChild(holder);
    load();
  }

  // ---- audit --------------------------------------------------------------------------------
  function actorText(actor) {
    if (!actor) { return "\u2014"; }
    var text = (actor.type === "console_session" ? "console" : actor.type) + ": " + (actor.name || actor.id || "");
    return actor.actor ? actor.actor + " (" + text + ")" : text;
  }
  function auditScreen(root) {
    root.appendChild(pagedTable("/v1/audit", {}, [
      ["When", function (event) { return KH.when(event.at); }],
      ["Who", function (event) { return actorText(event.actor); }],
      ["Action", function (event) { return h("code", {text: event.action}); }],
      ["Target", function (event) { return event.target_id ? h("code", {text: event.target_id}) : "\u2014"; }],
      ["Details", function (event) { return h("span", {"class": "small mono", text: JSON.stringify(event.details || {})}); }]
    ], {empty: "No events yet."}));
  }

  // ---- webhooks -------------------------------------------------------------------------------
  function webhooksScreen(root) {
    var url = h("input", {type: "url", placeholder: "https://example.com/keyhole-events"});
    var boxes = EVENTS.map(function (name) { return h("input", {type: "checkbox", value: name, checked: true}); });
    var fields = {url: KH.field("Endpoint URL", url), events: h("fieldset", null, h("legend", {text: "Events"}),
      h("div", {"class": "inline-checks"}, boxes.map(function (box) { return h("label", {"class": "check"}, box, h("code", {text: box.value})); })))};
    fields.events.showError = function () {};
    var problem = KH.banner();
    var secret = h("div");
    var list = h("div");
    var form = h("form", {"class": "card stack", novalidate: true, "aria-label": "Add a webhook endpoint"}, h("h2", {text: "Add an endpoint"}),
      fields.url, fields.events, problem, h("button", {type: "submit", "class": "primary", text: "Add endpoint"}));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var events = boxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
      KH.api("POST", "/v1/webhooks", {url: url.value.trim(), events: events}).then(function (made) {
        KH.clear(secret).appendChild(h("div", {"class": "secret", role: "status"}, h("strong", {text: "Signing secret (shown once): "}), h("code", {text: made.secret})));
        url.value = "";
        problem.hidden = true;
        draw();
      }, function (error) { KH.showErrors(error, fields, problem); });
    });
    function draw() {
      KH.clear(list).appendChild(pagedTable("/v1/webhooks", {}, [
        ["URL", function (endpoint) { return h("code", {text: endpoint.url}); }],
        ["Events", function (endpoint) { return (endpoint.events || []).join(", "); }],
        ["Created", function (endpoint) { return KH.when(endpoint.created_at); }],
        ["", function (endpoint) {
          return h("span", {"class": "actions"},
            h("button", {type: "button", "class": "link", text: "Deliveries", "aria-label": "Deliveries of " + endpoint.url, onclick: function () { deliveries(endpoint); }}),
            KH.confirmButton("Delete", "Delete?", function () {
              return KH.api("DELETE", "/v1/webhooks/" + endpoint.id).then(draw);
            }, {className: "link", ariaLabel: "Delete " + endpoint.url}));
        }, h("span", {"class": "visually-hidden", text: "Actions"})]
      ], {empty: "No endpoints yet."}));
    }
    function deliveries(endpoint) {
      KH.clear(list);
      list.appendChild(h("div", {"class": "actions"}, h("button", {type: "button", text: "\u2190 Endpoints", onclick: draw})));
      list.appendChild(h("h2", {text: "Deliveries to " + endpoint.url}));
      list.appendChild(pagedTable("/v1/webhooks/" + endpoint.id + "/deliveries", {}, [
        ["Event", function (delivery) { return h("code", {text: delivery.event_type || delivery.event || ""}); }],
        ["Status", function (delivery) { return delivery.status; }],
        ["Attempts", function (delivery) { return String(delivery.attempts); }],
        ["Last answer", function (delivery) { return delivery.response_status ? String(delivery.response_status) : (delivery.error || "\u2014"); }],
        ["Next retry", function (delivery) { return delivery.next_attempt_at ? KH.relative(delivery.next_attempt_at) : "\u2014"; }]
      ], {empty: "Nothing delivered yet."}));
    }
    root.appendChild(form);
    root.appendChild(secret);
    root.appendChild(h("h2", {text: "Endpoints"}));
    root.appendChild(list);
    draw();
  }

  // ---- API keys -------------------------------------------------------------------------------
  function keysScreen(root) {
    var name = h("input", {type: "text", maxlength: 100, autocomplete: "off"});
    var role = KH.select([["viewer", "viewer"], ["operator", "operator"], ["admin", "admin"], ["introspect", "introspect"]], "operator");
    var fields = {name: KH.field("Name", name, {hint: "What uses it, e.g. billing-app"}), role: KH.field("Role", role)};
    var problem = KH.banner();
    var shown = h("div");
    var list = h("div");
    var form = h("form", {"class": "card stack", novalidate: true, "aria-label": "Create an API key"}, h("h2", {text: "Create a key"}),
      h("div", {"class": "row two"}, fields.name, fields.role), problem, h("button", {type: "submit", "class": "primary", text: "Create key"}));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      KH.api("POST", "/v1/api-keys", {name: name.value.trim(), role: role.value}).then(function (made) {
        var input = h("input", {type: "text", readonly: true, value: made.key, "aria-label": "The new key"});
        KH.clear(shown).appendChild(h("div", {"class": "secret stack", role: "status"}, h("strong", {text: "The key is shown once: copy it now."}),
          h("div", {"class": "urlbox"}, input, h("button", {type: "button", text: "Copy key", onclick: function () {
            KH.copy(made.key, input).then(function (done) { KH.announce(done ? "Key copied" : "Select the key and copy it"); });
          }}))));
        name.value = "";
        problem.hidden = true;
        draw();
      }, function (error) { KH.showErrors(error, fields, problem); });
    });
    function draw() {
      KH.clear(list).appendChild(pagedTable("/v1/api-keys", {}, [
        ["Name", function (key) { return key.name; }],
        ["Role", function (key) { return key.role; }],
        ["Key", function (key) { return h("code", {text: key.prefix}); }],
        ["Created", function (key) { return KH.when(key.created_at); }],
        ["", function (key) {
          return KH.confirmButton("Delete", "Delete?", function () {
            return KH.api("DELETE", "/v1/api-keys/" + key.id).then(draw, function (error) {
              KH.clear(shown).appendChild(h("p", {"class": "notice error", role: "alert", text: KH.errorMessage(error)}));
              throw error;
            });
          }, {className: "link", ariaLabel: "Delete the key " + key.name});
        }, h("span", {"class": "visually-hidden", text: "Actions"})]
      ], {empty: "No keys."}));
    }
    root.appendChild(form);
    root.appendChild(shown);
    root.appendChild(h("h2", {text: "Keys"}));
    root.appendChild(list);
    draw();
  }

  // ---- settings and branding ------------------------------------------------------------------
  function settingsScreen(root) {
    var tenant = KH.state.tenant;
    var s = tenant.settings;
    var inputs = {
      default_expires_in: h("input", {type: "text", value: s.default_expires_in}),
      max_expires_in: h("input", {type: "text", value: s.max_expires_in}),
      token_display: KH.select([["recopyable", "Links can be copied again"], ["once", "Shown once, at creation"]], s.token_display),
      access_log_retention_days: h("input", {type: "number", min: 1, max: 365, value: s.access_log_retention_days}),
      embed_origins: h("textarea", {rows: 3, text: (s.embed_origins || []).join("\n"), spellcheck: "false"}),
      display_name: h("input", {type: "text", maxlength: 100, value: s.display_name || ""}),
      accent_color: h("input", {type: "text", maxlength: 7, value: s.accent_color || "", placeholder: "#3b5bdb"})
    };
    var requirePassword = h("input", {type: "checkbox", checked: !!s.require_password});
    var defaultRedact = h("input", {type: "checkbox", checked: s.default_redact !== false});
    var logoFile = h("input", {type: "file", accept: "image/png,image/jpeg,image/webp"});
    var removeLogo = h("input", {type: "checkbox"});
    var logo = s.logo || null;
    var fields = {
      default_expires_in: KH.field("Default expiry", inputs.default_expires_in, {hint: "e.g. 7d, 24h, 30d or never"}),
      max_expires_in: KH.field("Longest expiry", inputs.max_expires_in, {hint: "e.g. 30d, or never"}),
      token_display: KH.field("Copying links again", inputs.token_display),
      access_log_retention_days: KH.field("Access logs kept (days)", inputs.access_log_retention_days),
      embed_origins: KH.field("Sites that may embed the dialog, the console and embeddable links", inputs.embed_origins,
        {hint: "One origin a line, e.g. https://app.example.com (up to 10)"}),
      display_name: KH.field("Display name", inputs.display_name, {hint: "Shown to viewers instead of the workspace name"}),
      accent_color: KH.field("Accent colour", inputs.accent_color, {hint: "A hex colour, e.g. #0f766e"}),
      logo: KH.field("Logo", logoFile, {hint: "PNG, JPEG or WebP, at most 2 KB"})
    };
    var preview = h("div", {"class": "preview", "aria-label": "Preview of the viewer page"});
    function drawPreview() {
      var color = /^#[0-9a-fA-F]{6}$/.test(inputs.accent_color.value.trim()) ? inputs.accent_color.value.trim() : "#3b5bdb";
      preview.style.setProperty("--preview-accent", color);
      var mark = logo && !removeLogo.checked ? h("img", {src: logo, alt: ""}) : h("span", {"class": "dot"});
      KH.clear(preview);
      preview.appendChild(h("div", {"class": "pbrand"}, mark, h("span", null, "Shared with you by ", h("strong", {text: inputs.display_name.value.trim() || tenant.name}))));
      preview.appendChild(h("div", {"class": "pbody"}, h("div", {"class": "pkind", text: "invoice"}), h("strong", {text: "Invoice #42"}),
        h("div", null, h("span", {"class": "pbadge", text: "Read-only"}))));
    }
    logoFile.addEventListener("change", function () {
      var file = logoFile.files && logoFile.files[0];
      if (!file) { return; }
      var reader = new FileReader();
      reader.onload = function () { logo = String(reader.result); removeLogo.checked = false; drawPreview(); };
      reader.readAsDataURL(file);
    });
    [inputs.display_name, inputs.accent_color, removeLogo].forEach(function (input) { input.addEventListener("input", drawPreview); });
    removeLogo.addEventListener("change", drawPreview);
    var problem = KH.banner();
    var saved = h("p", {role: "status", "class": "muted"});
    var form = h("form", {"class": "stack", novalidate: true, "aria-label": "Settings"},
      h("section", {"class": "card stack"}, h("h2", {text: "Links"}),
        h("div", {"class": "row two"}, fields.default_expires_in, fields.max_expires_in),
        h("div", {"class": "row two"}, fields.token_display, fields.access_log_retention_days),
        h("label", {"class": "check"}, requirePassword, "Every new link needs a password"),
        h("label", {"class": "check"}, defaultRedact, "Hide the usual secret fields (password, token, api_key, \u2026) from viewers")),
      h("section", {"class": "card stack"}, h("h2", {text: "Embedding"}), fields.embed_origins),
      h("section", {"class": "card stack"}, h("h2", {text: "Branding"}),
        h("div", {"class": "row two"}, h("div", null, fields.display_name, fields.accent_color, fields.logo,
          h("label", {"class": "check"}, removeLogo, "No logo")), h("div", null, h("p", {"class": "muted small", text: "Preview"}), preview))),
      problem, saved, h("button", {type: "submit", "class": "primary", text: "Save settings"}));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {
        default_expires_in: inputs.default_expires_in.value.trim(),
        max_expires_in: inputs.max_expires_in.value.trim(),
        token_display: inputs.token_display.value,
        access_log_retention_days: Number(inputs.access_log_retention_days.value),
        require_password: requirePassword.checked,
        default_redact: defaultRedact.checked,
        embed_origins: inputs.embed_origins.value.split(/\s+/).filter(Boolean),
        display_name: inputs.display_name.value.trim() || null,
        accent_color: inputs.accent_color.value.trim() || null,
        logo: removeLogo.checked ? null : logo
      };
      saved.textContent = "";
      KH.api("PATCH", "/v1/tenant", body).then(function (updated) {
        KH.state.tenant = updated;
        problem.hidden = true;
        KH.showErrors({details: []}, fields, null);
        saved.textContent = "Saved.";
      }, function (error) { KH.showErrors(error, fields, problem); });
    });
    drawPreview();
    root.appendChild(form);
  }

  KH.start(function (state) {
    var session = state.session;
    var nav = h("nav", {"class": "tabs", "aria-label": "Console"});
    SCREENS.forEach(function (screen) {
      if (!KH.can(screen[2]) || (state.resource && screen[2] === "admin")) { return; }
      tabs[screen[0]] = h("button", {type: "button", text: screen[1], onclick: function () { go(screen[0]); }});
      nav.appendChild(tabs[screen[0]]);
    });
    content = h("main", {"class": "content", id: "main"});
    var who = [session.role];
    if (session.actor) { who.unshift(session.actor); }
    KH.mount(h("div", {"class": "shell"},
      h("header", {"class": "topbar"},
        h("div", null, h("strong", {text: state.tenant.settings.display_name || state.tenant.name}), " ",
          h("span", {"class": "who", text: "\u00b7 " + who.join(" \u00b7 ")})),
        h("button", {type: "button", text: "Sign out", onclick: KH.signOut})),
      nav, content));
    if (state.resource) { openResource(content, state.resource.id); return; }
    go("resources");
  });
})();
