async function refresh() {
  const status = await (await fetch("api/status")).json();
  document.getElementById("status").textContent = status.status;
  document.getElementById("latency").textContent = status.latency_ms;
  document.getElementById("checked").textContent = status.checked_at;
  const checks = await (await fetch("api/checks")).json();
  const list = document.getElementById("checks");
  list.textContent = "";
  for (const check of checks.items) {
    const item = document.createElement("li");
    item.textContent = check.at + " " + check.status + " " + check.latency_ms + " ms";
    list.appendChild(item);
  }
  const visits = Number(localStorage.getItem("demo-origin-visits") || 0) + 1;
  localStorage.setItem("demo-origin-visits", String(visits));
}
refresh();
setInterval(refresh, 5000);
