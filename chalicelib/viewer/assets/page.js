(function () {
  "use strict";
  var body = document.body;
  var share = document.getElementById("share");
  var every = share ? Number(share.getAttribute("data-poll-seconds")) * 1000 : 0;
  if (!(every > 0) || !window.fetch || !("content" in document.createElement("template"))) { return; }
  var etag = share.getAttribute("data-etag") || "";
  var page = location.pathname.replace(/\/+$/, "");
  var timer = 0, hiddenDelay = every, failures = 0, last = Date.now(), stopped = false;
  body.classList.add("is-live");

  function stop() { stopped = true; clearTimeout(timer); body.classList.remove("is-live"); }
  function schedule(ms) { clearTimeout(timer); if (!stopped) { timer = setTimeout(tick, ms); } }
  function nextDelay() {
    if (failures) { return Math.min(every * Math.pow(2, failures), 300000); }
    if (document.hidden) { hiddenDelay = Math.min(hiddenDelay * 2, 300000); return hiddenDelay; }
    hiddenDelay = every;
    return every;
  }
  function replaceShare(node) {
    var current = document.getElementById("share");
    if (current && node) { current.replaceWith(node); }
  }
  function gone() {
    stop();
    var template = document.getElementById("gone");
    if (template) { replaceShare(template.content.cloneNode(true)); }
    document.title = "Link not available";
  }
  function expired() {
    stop();
    var note = document.getElementById("paused");
    if (note) { note.hidden = false; }
  }
  function refresh(version) {
    // Names the version /data just delivered (and counted), so this re-render is not a second view.
    var headers = version ? {"X-Keyhole-Refresh": version} : {};
    return fetch(page, {cache: "no-store", credentials: "same-origin", headers: headers}).then(function (response) {
      if (response.status === 404) { gone(); return; }
      if (!response.ok) { return; }
      return response.text().then(function (markup) {
        // Parsed inert in a template (a DOMParser document would trip the style policy).
        var holder = document.createElement("template");
        holder.innerHTML = markup;
        var fresh = holder.content.getElementById("share");
        if (!fresh || !fresh.hasAttribute("data-poll-seconds")) { expired(); return; }
        var title = holder.content.querySelector("title");
        etag = fresh.getAttribute("data-etag") || etag;
        replaceShare(document.importNode(fresh, true));
        if (title) { document.title = title.textContent; }
      });
    });
  }
  function tick() {
    if (stopped) { return; }
    last = Date.now();
    var headers = etag ? {"If-None-Match": etag} : {};
    fetch(page + "/data", {cache: "no-store", credentials: "same-origin", headers: headers})
      .then(function (response) {
        failures = 0;
        if (response.status === 304) { return; }
        if (response.status === 404) { gone(); return; }
        if (response.status === 401 || response.status === 409) { expired(); return; }
        if (response.status === 429) {
          var wait = Number(response.headers.get("Retry-After")) || 60;
          schedule(Math.max(every, wait * 1000));
          return "scheduled";
        }
        if (response.status === 200) { return refresh(response.headers.get("ETag")); }
      })
      .catch(function () { failures = Math.min(failures + 1, 5); })
      .then(function (outcome) { if (outcome !== "scheduled") { schedule(nextDelay()); } });
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !stopped) {
      hiddenDelay = every;
      schedule(Math.max(0, every - (Date.now() - last)));
    }
  });
  schedule(every);
})();
