/* The share dialog: one resource, embedded in the product's page. */
(function () {
  "use strict";
  var h = KH.h;

  KH.resourcePanel = function (resource, options) {
    options = options || {};
    var tenant = KH.state.tenant;
    var list = h("ul", {"class": "links", "aria-label": "Links to " + resource.name});
    var more = h("button", {type: "button", text: "Show more links", hidden: true});
    var empty = h("p", {"class": "muted", text: "Loading links\u2026"});
    var creator = h("div");
    var created = h("div");
    var cursor = null;

    // A slot is held by every active or paused link; the plan caps them per resource and caps
    // the resources that have one.
    function limitReached() {
      var perResource = tenant.limits.links_per_resource;
      if (perResource !== null && resource.active_links >= perResource) { return ["links_per_resource", perResource]; }
      var shared = tenant.limits.shared_resources;
      if (shared !== null && resource.active_links === 0 && tenant.usage.shared_resources >= shared) { return ["shared_resources", shared]; }
      return null;
    }
    function drawCreator(error) {
      KH.clear(creator);
      if (!KH.can("operator")) { return; }
      var limit = limitReached();
      if (error && error.limit) { limit = [error.limit, error.limitValue]; }
      if (limit) {
        var reason = KH.uid("limit");
        creator.appendChild(h("div", {"class": "actions"},
          h("button", {type: "button", "class": "limit", disabled: true, "aria-describedby": reason, text: "Limit reached (" + limit[1] + ")"})));
        creator.appendChild(h("p", {"class": "muted small", id: reason,
          text: (limit[0] === "links_per_resource"
            ? "Your plan allows " + limit[1] + " active links on one resource (paused links count too). To share again, "
            : "Your plan allows " + limit[1] + " shared resources. To share this one, ") + (KH.state.howToFree[limit[0]] || "revoke a link") + "."}));
        return;
      }
      creator.appendChild(h("div", {"class": "actions"}, h("button", {type: "button", "class": "primary", text: "Create link", onclick: openForm})));
    }
    function openForm() {
      KH.clear(creator);
      KH.clear(created);
      creator.appendChild(KH.links.createForm(resource, function (link, error) {
        if (!link) { drawCreator(error); KH.announce("Limit reached"); return; }
        if (resource.active_links === 0) { tenant.usage.shared_resources += 1; }
        resource.active_links += 1;
        drawCreator();
        KH.clear(created).appendChild(KH.links.shareBox(link.url, "Your new link"));
        var copyButton = created.querySelector("button");
        if (copyButton) { copyButton.focus(); }
        delete link.token;
        delete link.url;
        list.insertBefore(KH.links.row(link, {changed: changed}), list.firstChild);
        empty.hidden = true;
        KH.announce("Link created");
        KH.notify("link.created", {link: KH.links.summary(link)});
      }, function () { drawCreator(); }));
    }
    function changed(link, before) {
      var held = function (status) { return status === "active" || status === "paused"; };
      if (held(before) && !held(link.status)) {
        resource.active_links = Math.max(0, resource.active_links - 1);
        if (resource.active_links === 0) { tenant.usage.shared_resources = Math.max(0, tenant.usage.shared_resources - 1); }
        drawCreator();
      }
    }
    function load() {
      more.disabled = true;
      KH.api("GET", "/v1/resources/" + encodeURIComponent(resource.id) + "/links" + KH.query({status: "all", limit: 25, cursor: cursor}))
        .then(function (page) {
          page.items.forEach(function (link) { list.appendChild(KH.links.row(link, {changed: changed})); });
          cursor = page.next_cursor;
          more.hidden = !cursor;
          more.disabled = false;
          empty.textContent = list.childNodes.length ? "" : "No links yet.";
          empty.hidden = list.childNodes.length > 0;
        }, function (error) { empty.textContent = KH.errorMessage(error); more.disabled = false; });
    }
    more.addEventListener("click", load);
    drawCreator();
    load();
    return h("div", {"class": "stack"}, creator, created,
      h("section", {"aria-labelledby": "links-heading"}, h("h2", {id: "links-heading", text: "Links"}), empty, list, more));
  };

  if (document.getElementById("app").getAttribute("data-page") !== "dialog") { return; }

  KH.start(function (state) {
    var resource = state.resource;
    if (!resource) {
      KH.mount(h("main", {"class": "boot"}, h("h1", {text: "This link opens the console"}),
        h("p", {text: "It was made for the whole workspace, not for one resource: open it as the console instead."})));
      return;
    }
    var who = state.session.actor ? " \u00b7 " + state.session.actor : "";
    var close = window.parent !== window
      ? h("button", {type: "button", text: "Close", onclick: function () { KH.notify("close"); }}) : null;
    KH.mount(h("main", {"class": "dialog"},
      h("header", null,
        h("div", null, h("p", {"class": "kind", text: resource.type}),
          h("h1", null, "Share \u201c", resource.name, "\u201d"),
          h("p", {"class": "muted small", text: (state.tenant.settings.display_name || state.tenant.name) + who})),
        close),
      KH.resourcePanel(resource)));
  });
})();
