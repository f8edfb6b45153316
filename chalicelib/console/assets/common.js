/* What the share dialog and the console share: the session (its token in this closure only: no
   cookie, no storage, nothing in the URL once loaded), the admin API, the parent page's messages,
   and small DOM helpers (text only: nothing is ever parsed as HTML). */
var KH = (function () {
  "use strict";
  var token = "";
  var state = {session: null, tenant: null, resource: null, howToFree: {}, origins: [], ended: false};
  var app = document.getElementById("app");

  // ---- DOM ------------------------------------------------------------------------------------
  function h(tag, attrs) {
    var node = document.createElement(tag);
    var props = {value: 1, checked: 1, disabled: 1, hidden: 1, selected: 1, type: 1};
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; }
      else if (name === "class") { node.className = value; }
      else if (name.slice(0, 2) === "on") { node.addEventListener(name.slice(2), value); }
      else if (props[name]) { node[name] = value; }
      else { node.setAttribute(name, value === true ? "" : String(value)); }
    });
    for (var i = 2; i < arguments.length; i++) { append(node, arguments[i]); }
    return node;
  }
  function append(node, child) {
    if (child === null || child === undefined || child === false) { return; }
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }
  function mount(node) { clear(app).appendChild(node); }
  var ids = 0;
  function uid(prefix) { ids += 1; return (prefix || "kh") + "-" + ids; }

  // A labelled input; `options.hint` is read by screen readers with the field.
  function field(labelText, input, options) {
    options = options || {};
    if (!input.id) { input.id = uid("f"); }
    var label = h("label", {"for": input.id, text: labelText});
    var parts = [label];
    if (options.hint) {
      var hint = h("span", {"class": "hint", id: uid("h"), text: options.hint});
      input.setAttribute("aria-describedby", hint.id);
      label.appendChild(hint);
    }
    var error = h("div", {"class": "error-text", id: uid("e"), hidden: true});
    parts.push(input, error);
    var wrapper = h("div", {"class": "field"}, parts);
    wrapper.showError = function (message) {
      error.textContent = message || "";
      error.hidden = !message;
      if (message) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-errormessage", error.id); }
      else { input.removeAttribute("aria-invalid"); }
    };
    return wrapper;
  }
  function select(options, current) {
    return h("select", null, options.map(function (option) {
      return h("option", {value: option[0], text: option[1], selected: option[0] === current});
    }));
  }

  // ---- announcements and the parent page -------------------------------------------------------
  var live = null;
  function announce(message) {
    if (!live) { live = h("div", {"class": "visually-hidden", role: "status", "aria-live": "polite"}); document.body.appendChild(live); }
    live.textContent = "";
    setTimeout(function () { live.textContent = message; }, 30);
  }
  // To the embedding page only: each of the tenant's embed origins in turn (the browser delivers
  // a message only when the parent's origin is the one named), never "*".
  function notify(type, detail) {
    if (window.parent === window) { return; }
    var message = {type: "keyhole:" + type, detail: detail || {}};
    state.origins.forEach(function (origin) {
      try { window.parent.postMessage(message, origin); } catch (ignored) { /* a malformed origin */ }
    });
  }
  if (window.ResizeObserver) {
    var lastHeight = 0;
    new ResizeObserver(function () {
      var height = Math.ceil(document.documentElement.scrollHeight);
      if (height !== lastHeight && state.session) { lastHeight = height; notify("resize", {height: height}); }
    }).observe(document.body);
  }

  // ---- the API --------------------------------------------------------------------------------
  function ApiError(status, body) {
    var error = (body && body.error) || {};
    this.status = status;
    this.code = error.code || "error";
    this.message = error.message || "Something went wrong (HTTP " + status + ")";
    this.details = error.details || [];
    this.requestId = error.request_id || "";
    this.frees = error.how_to_free || "";
    this.limit = error.limit || "";
    this.limitValue = error.limit_value;
  }
  function api(method, path, body) {
    if (state.ended) { return Promise.reject(new ApiError(401, {})); }
    var headers = {"Authorization": "Bearer " + token};
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(path, {
      method: method, headers: headers, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) { return data; }
        if (response.status === 401) { ended(); }
        throw new ApiError(response.status, data);
      });
    }, function () {
      throw new ApiError(0, {error: {message: "Keyhole could not be reached. Check your connection, then try again."}});
    });
  }
  function errorMessage(error) {
    if (!error || error.status === undefined) { return String(error); }
    var text = error.message;
    if (error.status === 429) { text = "Too many requests just now: wait a moment, then try again."; }
    if (error.status >= 500) { text = error.message + (error.requestId ? " (request " + error.requestId + ")" : ""); }
    return text;
  }
  // Field errors (422) next to their fields; anything else in `banner`.
  function showErrors(error, fields, banner) {
    Object.keys(fields || {}).forEach(function (name) { fields[name].showError(""); });
    var rest = [];
    (error.details || []).forEach(function (detail) {
      var name = String(detail.field || "").split(/[.\[]/)[0];
      if (fields && fields[name]) { fields[name].showError(detail.message); } else { rest.push(detail.field + ": " + detail.message); }
    });
    if (banner) {
      var message = error.details && error.details.length && !rest.length ? "Check the fields marked above." : errorMessage(error);
      if (rest.length) { message += " " + rest.join("; "); }
      banner.textContent = message;
      banner.hidden = false;
    }
  }
  function banner() { return h("div", {"class": "notice error", role: "alert", hidden: true}); }

  // ---- the session ------------------------------------------------------------------------------
  function ended() {
    if (state.ended) { return; }
    state.ended = true;
    token = "";
    notify("session.ended");
    mount(h("main", {"class": "boot stack"},
      h("h1", {text: "This session has ended"}),
      h("p", {text: "Sessions end after 30 minutes without activity or 12 hours in all, when you sign out, or when " +
        "the key that opened them is deleted."}),
      h("p", {text: window.parent !== window
        ? "Close this and open it again from the page you came from to get a new one."
        : "Open it again from your product (or ask your administrator for a new console link)."})));
  }
  function signOut() {
    return api("DELETE", "/v1/console/session").then(function () { ended(); }, function () { ended(); });
  }
  function start(render) {
    var match = /(?:^#|&)ticket=([A-Za-z0-9_-]+)/.exec(location.hash);
    // The ticket leaves the address bar and the history at once: nothing to copy, nothing to replay.
    if (location.hash) { history.replaceState(null, "", location.pathname); }
    if (!match) {
      mount(h("main", {"class": "boot stack"},
        h("h1", {text: "Open this from your product"}),
        h("p", {text: "This page opens with a one-time link from your product (valid for 5 minutes). Reloading it " +
          "needs a new link: open it again from where you came from."})));
      return;
    }
    fetch("/v1/console/session", {
      method: "POST", headers: {"Content-Type": "application/json"}, cache: "no-store", credentials: "omit",
      body: JSON.stringify({ticket: match[1]})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new ApiError(response.status, data); }
        return data;
      });
    }).then(function (data) {
      token = data.token;
      state.session = data.session;
      state.tenant = data.tenant;
      state.resource = data.resource;
      state.howToFree = data.how_to_free || {};
      state.origins = (data.tenant && data.tenant.settings && data.tenant.settings.embed_origins) || [];
      render(state);
      notify("ready", {role: data.session.role, resource_id: data.session.resource_id});
    }, function (error) {
      mount(h("main", {"class": "boot stack"},
        h("h1", {text: error.status === 401 ? "This link has expired" : "This page could not be opened"}),
        h("p", {text: error.status === 401
          ? "Console links open once and last 5 minutes. Open it again from your product to get a new one."
          : errorMessage(error)})));
    });
  }

  // ---- values -------------------------------------------------------------------------------
  var ROLES = {viewer: 1, operator: 2, admin: 3};
  function can(role) { return state.session && ROLES[state.session.role] >= ROLES[role]; }
  function when(stamp) {
    if (!stamp) { return "never"; }
    var date = new Date(stamp);
    return isNaN(date) ? stamp : date.toLocaleString(undefined, {dateStyle: "medium", timeStyle: "short"});
  }
  function relative(stamp, nothing) {
    if (!stamp) { return nothing || "never"; }
    var seconds = (new Date(stamp).getTime() - Date.now()) / 1000;
    var units = [[86400 * 365, "year"], [86400 * 30, "month"], [86400, "day"], [3600, "hour"], [60, "minute"]];
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(seconds) >= units[i][0]) {
        var n = Math.round(seconds / units[i][0]);
        var words = Math.abs(n) + " " + units[i][1] + (Math.abs(n) === 1 ? "" : "s");
        return n > 0 ? "in " + words : words + " ago";
      }
    }
    return seconds > 0 ? "in under a minute" : "just now";
  }
  function copy(text, input) {
    function fallback() {
      if (input) { input.focus(); input.select(); }
      try { if (document.execCommand("copy")) { return Promise.resolve(true); } } catch (ignored) { /* refused */ }
      return Promise.resolve(false);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, fallback);
    }
    return fallback();
  }
  // The link's QR code, drawn here from the URL (qrcode-generator, vendored: no other origin).
  function qr(text, label) {
    var code = qrcode(0, "M");
    code.addData(text);
    code.make();
    var count = code.getModuleCount(), margin = 4, size = count + margin * 2, path = [];
    for (var r = 0; r < count; r++) {
      for (var c = 0; c < count; c++) {
        if (code.isDark(r, c)) { path.push("M" + (c + margin) + "," + (r + margin) + "h1v1h-1z"); }
      }
    }
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + size + " " + size);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label || "QR code of the link");
    svg.setAttribute("shape-rendering", "crispEdges");
    var background = document.createElementNS(ns, "rect");
    background.setAttribute("width", size);
    background.setAttribute("height", size);
    background.setAttribute("fill", "#fff");
    var dark = document.createElementNS(ns, "path");
    dark.setAttribute("d", path.join(""));
    dark.setAttribute("fill", "#000");
    svg.appendChild(background);
    svg.appendChild(dark);
    return h("div", {"class": "qr", "data-qr": text}, svg);
  }
  function query(params) {
    var parts = [];
    Object.keys(params).forEach(function (name) {
      if (params[name] !== undefined && params[name] !== null && params[name] !== "") {
        parts.push(encodeURIComponent(name) + "=" + encodeURIComponent(params[name]));
      }
    });
    return parts.length ? "?" + parts.join("&") : "";
  }
  // A button that asks once more: "Revoke" becomes a red "Revoke?" (and Cancel) before acting.
  function confirmButton(labelText, question, action, options) {
    options = options || {};
    var holder = h("span", {"class": "actions"});
    function idle() {
      clear(holder).appendChild(h("button", {type: "button", "class": options.className || "", text: labelText,
        "aria-label": options.ariaLabel || labelText, onclick: ask}));
    }
    function ask() {
      var yes = h("button", {type: "button", "class": "confirm", text: question, "aria-label": options.confirmLabel || question,
        onclick: function () { yes.disabled = true; action().then(null, function () { yes.disabled = false; }); }});
      clear(holder);
      holder.appendChild(yes);
      holder.appendChild(h("button", {type: "button", text: "Cancel", onclick: function () { idle(); holder.querySelector("button").focus(); }}));
      yes.focus();
    }
    idle();
    return holder;
  }

  return {
    h: h, clear: clear, mount: mount, field: field, select: select, uid: uid, announce: announce, notify: notify,
    api: api, errorMessage: errorMessage, showErrors: showErrors, banner: banner, start: start, signOut: signOut,
    state: state, can: can, when: when, relative: relative, copy: copy, qr: qr, query: query,
    confirmButton: confirmButton
  };
})();
