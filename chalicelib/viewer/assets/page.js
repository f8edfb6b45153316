(function () {
  "use strict";
  var body = document.body;
  var slice = Array.prototype.slice;

  // ---- tables: filter, sort, paging, CSV (the whole table is in the markup; this only adds) ----
  var PAGE_ROWS = 25;
  var tableStates = {};

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }
  function cellKey(cell) {
    if (!cell) { return ""; }
    var raw = cell.getAttribute("data-v");
    return raw !== null ? raw : cell.textContent.trim();
  }
  function compare(a, b) {
    var x = Number(a), y = Number(b);
    if (a !== "" && b !== "" && isFinite(x) && isFinite(y)) { return x - y; }
    return a.localeCompare(b, undefined, {numeric: true, sensitivity: "base"});
  }
  function csvField(cell) {
    var raw = cell ? cell.getAttribute("data-v") : null;
    var value = raw !== null ? raw : (cell ? cell.textContent.trim() : "");
    // A spreadsheet must not run a cell as a formula (CSV injection); numbers keep their sign.
    if (raw === null && /^[=+\-@\t\r]/.test(value)) { value = "'" + value; }
    return /[",\n\r]/.test(value) ? "\"" + value.replace(/"/g, "\"\"") + "\"" : value;
  }
  function download(name, text) {
    var blob = new Blob(["\ufeff" + text], {type: "text/csv;charset=utf-8"});
    var url = URL.createObjectURL(blob);
    var link = make("a");
    link.href = url;
    link.download = (name || "table").replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) + ".csv";
    body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function enhanceTable(block) {
    var table = block.querySelector("table");
    if (!table || !table.tBodies.length || block.hasAttribute("data-ready")) { return; }
    block.setAttribute("data-ready", "");
    var tbody = table.tBodies[0];
    var rows = slice.call(tbody.rows);
    rows.forEach(function (row, i) { row.setAttribute("data-i", i); });
    var headers = slice.call(table.tHead.rows[0].cells);
    block.originalRows = rows;  // charts read values by original row
    var big = block.classList.contains("big");
    var state = tableStates[block.id] || {filter: "", column: -1, direction: 1, shown: PAGE_ROWS};
    tableStates[block.id] = state;
    var matching = rows;

    var tools = make("div", "table-tools");
    var search = null;
    if (big) {
      search = make("input");
      search.type = "search";
      search.placeholder = "Filter " + rows.length + " rows";
      search.setAttribute("aria-label", "Filter the rows of this table");
      search.value = state.filter;
      tools.appendChild(search);
    }
    var csv = make("button", "tool-button", "Download CSV");
    csv.type = "button";
    tools.appendChild(csv);
    block.insertBefore(tools, block.firstChild);
    csv.addEventListener("click", function () {
      var lines = [headers.map(function (th) { return csvField(th); }).join(",")];
      matching.forEach(function (row) { lines.push(slice.call(row.cells).map(csvField).join(",")); });
      download(block.getAttribute("data-name"), lines.join("\r\n") + "\r\n");
    });
    if (!big) { return; }

    var foot = make("div", "table-foot");
    var count = make("span");
    count.setAttribute("aria-live", "polite");
    var more = make("button", "tool-button", "Show " + PAGE_ROWS + " more");
    var all = make("button", "tool-button", "Show all");
    more.type = all.type = "button";
    foot.appendChild(count);
    foot.appendChild(more);
    foot.appendChild(all);
    block.appendChild(foot);
    headers.forEach(function (th, index) {
      var button = make("button", "sort");
      button.type = "button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        state.direction = state.column === index ? -state.direction : 1;
        state.column = index;
        apply();
      });
    });
    search.addEventListener("input", function () { state.filter = search.value; state.shown = PAGE_ROWS; apply(); });
    more.addEventListener("click", function () { state.shown += PAGE_ROWS; apply(); });
    all.addEventListener("click", function () { state.shown = Infinity; apply(); });

    function apply() {
      var query = state.filter.trim().toLowerCase();
      matching = rows.filter(function (row) { return !query || row.textContent.toLowerCase().indexOf(query) >= 0; });
      if (state.column >= 0) {
        var keyed = matching.map(function (row, i) { return [cellKey(row.cells[state.column]), i, row]; });
        keyed.sort(function (a, b) { return compare(a[0], b[0]) * state.direction || a[1] - b[1]; });
        matching = keyed.map(function (entry) { return entry[2]; });
      }
      var fragment = document.createDocumentFragment();
      var shown = {};
      matching.forEach(function (row, i) {
        row.hidden = i >= state.shown;
        shown[row.getAttribute("data-i")] = true;
        fragment.appendChild(row);
      });
      rows.forEach(function (row, i) { if (!shown[i]) { row.hidden = true; fragment.appendChild(row); } });
      tbody.appendChild(fragment);
      headers.forEach(function (th, i) {
        if (i === state.column) { th.setAttribute("aria-sort", state.direction > 0 ? "ascending" : "descending"); }
        else { th.removeAttribute("aria-sort"); }
      });
      var visible = Math.min(state.shown, matching.length);
      count.textContent = "Showing " + visible + " of " + matching.length +
        (query ? " matching rows (" + rows.length + " in all)" : " rows");
      more.hidden = all.hidden = visible >= matching.length;
    }
    apply();
  }

  // ---- charts and strips: values on hover and focus, read from the table beside them ----------
  function numbers(text) { return text ? text.split(",").map(Number) : null; }
  function nearest(positions, fraction) {
    var low = 0, high = positions.length - 1;
    while (high - low > 1) {
      var middle = (low + high) >> 1;
      if (positions[middle] < fraction) { low = middle; } else { high = middle; }
    }
    return Math.abs(positions[low] - fraction) <= Math.abs(positions[high] - fraction) ? low : high;
  }
  function placeTip(tip, box, x) {
    var half = tip.offsetWidth / 2;
    tip.style.left = Math.max(half, Math.min(box.clientWidth - half, x)) + "px";
  }

  function enhanceChart(figure) {
    var plot = figure.querySelector(".plot");
    var positions = numbers(figure.getAttribute("data-xs"));
    if (!plot || !positions || figure.hasAttribute("data-ready")) { return; }
    figure.setAttribute("data-ready", "");
    var rowsFor = numbers(figure.getAttribute("data-rows"));
    var low = Number(figure.getAttribute("data-low")), high = Number(figure.getAttribute("data-high"));
    var xColumn = figure.getAttribute("data-x-column");
    var legend = slice.call(figure.querySelectorAll(".legend li"));
    var cursor = make("div", "cursor"), tip = make("div", "tip");
    tip.setAttribute("role", "status");
    var dots = legend.map(function (item) { var dot = make("div", "dot " + item.className); plot.appendChild(dot); return dot; });
    plot.appendChild(cursor);
    plot.appendChild(tip);
    var current = -1;
    hide();

    function show(index) {
      var block = document.getElementById(figure.getAttribute("data-table"));
      var row = block && block.originalRows ? block.originalRows[rowsFor ? rowsFor[index] : index] : null;
      if (!row) { return; }
      current = index;
      var left = positions[index] * 100 + "%";
      cursor.style.left = left;
      cursor.hidden = tip.hidden = false;
      tip.textContent = "";
      var when = xColumn !== "" && row.cells[Number(xColumn)] ? row.cells[Number(xColumn)].textContent.trim() : "";
      tip.appendChild(make("b", "", when || "#" + ((rowsFor ? rowsFor[index] : index) + 1)));
      legend.forEach(function (item, k) {
        var cell = row.cells[Number(item.getAttribute("data-column"))];
        var raw = cell ? cell.getAttribute("data-v") : null;
        if (raw === null || raw === "") { dots[k].hidden = true; return; }
        dots[k].hidden = false;
        dots[k].style.left = left;
        dots[k].style.top = ((high - Number(raw)) / ((high - low) || 1)) * 100 + "%";
        var unit = item.getAttribute("data-unit");
        var name = item.querySelector(".name");
        tip.appendChild(make("div", "", (name ? name.textContent + ": " : "") + cell.textContent.trim() +
          (unit ? (unit === "%" ? "%" : " " + unit) : "")));
      });
      placeTip(tip, plot, positions[index] * plot.clientWidth);
    }
    function hide() {
      current = -1;
      cursor.hidden = tip.hidden = true;
      dots.forEach(function (dot) { dot.hidden = true; });
    }
    plot.addEventListener("pointermove", function (event) {
      var box = plot.getBoundingClientRect();
      show(nearest(positions, (event.clientX - box.left) / box.width));
    });
    plot.addEventListener("pointerleave", function () { if (document.activeElement !== plot) { hide(); } });
    plot.addEventListener("focus", function () { show(current >= 0 ? current : positions.length - 1); });
    plot.addEventListener("blur", hide);
    plot.addEventListener("keydown", function (event) {
      var moves = {ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity};
      if (!(event.key in moves)) { return; }
      event.preventDefault();
      var next = Math.max(0, Math.min(positions.length - 1, (current < 0 ? positions.length - 1 : current) + moves[event.key]));
      show(next);
    });
  }

  function enhanceStrip(figure) {
    var box = figure.querySelector(".ticks");
    if (!box || figure.hasAttribute("data-ready")) { return; }
    figure.setAttribute("data-ready", "");
    var ticks = slice.call(box.querySelectorAll("rect"));
    if (!ticks.length) { return; }
    var tip = make("div", "tip");
    tip.setAttribute("role", "status");
    tip.hidden = true;
    box.appendChild(tip);
    var current = -1;
    function show(index) {
      if (current >= 0) { ticks[current].classList.remove("on"); }
      current = index;
      ticks[index].classList.add("on");
      var title = ticks[index].querySelector("title");
      tip.textContent = title ? title.textContent : "";
      tip.hidden = false;
      placeTip(tip, box, (index + 0.5) / ticks.length * box.clientWidth);
    }
    function hide() {
      if (current >= 0) { ticks[current].classList.remove("on"); }
      current = -1;
      tip.hidden = true;
    }
    box.addEventListener("pointermove", function (event) {
      var rect = box.getBoundingClientRect();
      show(Math.max(0, Math.min(ticks.length - 1, Math.floor((event.clientX - rect.left) / rect.width * ticks.length))));
    });
    box.addEventListener("pointerleave", function () { if (document.activeElement !== box) { hide(); } });
    box.addEventListener("focus", function () { show(current >= 0 ? current : ticks.length - 1); });
    box.addEventListener("blur", hide);
    box.addEventListener("keydown", function (event) {
      var moves = {ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity};
      if (!(event.key in moves)) { return; }
      event.preventDefault();
      show(Math.max(0, Math.min(ticks.length - 1, (current < 0 ? ticks.length - 1 : current) + moves[event.key])));
    });
  }

  function enhance(root) {
    slice.call(root.querySelectorAll(".table-block")).forEach(enhanceTable);
    slice.call(root.querySelectorAll("figure.chart")).forEach(enhanceChart);
    slice.call(root.querySelectorAll("figure.strip")).forEach(enhanceStrip);
  }
  enhance(document);

  // ---- live updates: poll <page>/data with If-None-Match; back off while nothing changes -------
  var share = document.getElementById("share");
  var every = share ? Number(share.getAttribute("data-poll-seconds")) * 1000 : 0;
  if (!(every > 0) || !window.fetch || !("content" in document.createElement("template"))) { return; }
  // Ceilings (docs/viewer.md): an unchanged document is polled less and less often while the tab is
  // visible (x1.5 a poll, up to 6 intervals: 60 s at the default 10 s) and while hidden (x2 a poll);
  // a change brings the interval back to `every`. Never more often than `every`.
  var IDLE_CEILING_MS = Math.max(every, Math.min(every * 6, 60000));
  var HIDDEN_CEILING_MS = 300000;
  var FAILURE_CEILING_MS = 300000;
  var etag = share.getAttribute("data-etag") || "";
  // A password page unlocked inside another site's frame has no cookie: its unlock value is sent
  // as a header instead (kept here, in memory only); the page itself answered the unlock POST.
  var unlockValue = share.getAttribute("data-unlock") || "";
  var page = location.pathname.replace(/\/+$/, "").replace(/\/unlock$/, "");
  function withUnlock(headers) {
    if (unlockValue) { headers["X-Keyhole-Unlock"] = unlockValue; }
    return headers;
  }
  var timer = 0, idleDelay = every, hiddenDelay = every, failures = 0, last = Date.now(), stopped = false;
  var preparingUntil = Date.now() + 900000;
  body.classList.add("is-live");

  function stop() { stopped = true; clearTimeout(timer); body.classList.remove("is-live"); }
  function schedule(ms) { clearTimeout(timer); if (!stopped) { timer = setTimeout(tick, ms); } }
  function nextDelay(changed) {
    if (failures) { return Math.min(every * Math.pow(2, failures), FAILURE_CEILING_MS); }
    idleDelay = changed ? every : Math.min(idleDelay * 1.5, IDLE_CEILING_MS);
    if (document.hidden) { hiddenDelay = Math.min(Math.max(hiddenDelay, idleDelay) * 2, HIDDEN_CEILING_MS); return hiddenDelay; }
    hiddenDelay = every;
    return idleDelay;
  }
  function openDetails(root) {
    var open = {};
    slice.call(root.querySelectorAll("details[open]")).forEach(function (node) { open[detailsKey(node)] = true; });
    return open;
  }
  function detailsKey(node) {
    var named = node.querySelector("summary [title]") || node.querySelector(".table-block");
    return node.className + "|" + (named ? (named.getAttribute("title") || named.id) : "");
  }
  function replaceShare(node) {
    var current = document.getElementById("share");
    if (!current || !node) { return; }
    var open = openDetails(current);
    current.replaceWith(node);
    var fresh = document.getElementById("share");
    if (!fresh) { return; }
    slice.call(fresh.querySelectorAll("details")).forEach(function (item) { if (open[detailsKey(item)]) { item.open = true; } });
    enhance(fresh);
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
    var headers = withUnlock(version ? {"X-Keyhole-Refresh": version} : {});
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
    var headers = withUnlock(etag ? {"If-None-Match": etag} : {});
    fetch(page + "/data", {cache: "no-store", credentials: "same-origin", headers: headers})
      .then(function (response) {
        failures = 0;
        if (response.status === 304) {
          // A "download all" zip being prepared: the page itself says when it is ready (a refresh of
          // the version this page shows, which is not a view), for at most 15 minutes.
          if (document.querySelector("#share [data-preparing]") && Date.now() < preparingUntil) {
            return refresh(etag).then(function () { return "unchanged"; });
          }
          return "unchanged";
        }
        if (response.status === 404) { gone(); return; }
        if (response.status === 401 || response.status === 409) { expired(); return; }
        if (response.status === 429) {
          var wait = Number(response.headers.get("Retry-After")) || 60;
          schedule(Math.max(every, wait * 1000));
          return "scheduled";
        }
        if (response.status === 200) { return refresh(response.headers.get("ETag")).then(function () { return "changed"; }); }
      })
      .catch(function () { failures = Math.min(failures + 1, 5); })
      .then(function (outcome) { if (outcome !== "scheduled") { schedule(nextDelay(outcome === "changed")); } });
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !stopped) {
      hiddenDelay = every;
      schedule(Math.max(0, every - (Date.now() - last)));
    }
  });
  schedule(every);
})();
