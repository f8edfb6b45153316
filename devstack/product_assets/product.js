(function () {
  var keyhole = "__KEYHOLE__";
  var frame = document.getElementById("dialog");
  var sheet = document.getElementById("sheet");
  var events = document.getElementById("events");
  var share = document.getElementById("share");
  if (share) share.addEventListener("click", function () {
    var resource = this.getAttribute("data-resource");
    fetch("/api/share-dialog?resource=" + encodeURIComponent(resource), {method: "POST"})
      .then(function (r) { return r.json(); })
      .then(function (answer) { frame.src = answer.url; sheet.hidden = false; });
  });
  window.addEventListener("message", function (event) {
    if (event.origin !== keyhole || !event.data || typeof event.data.type !== "string") { return; }
    if (event.data.type === "keyhole:resize" && frame) {
      frame.style.height = Math.max(320, event.data.detail.height) + "px";
      return;
    }
    if (event.data.type === "keyhole:close" && frame) { sheet.hidden = true; frame.removeAttribute("src"); }
    var item = document.createElement("li");
    item.textContent = event.data.type + " " + JSON.stringify(event.data.detail);
    events.appendChild(item);
  });
})();
