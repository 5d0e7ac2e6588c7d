// The chat log's polling (was inline in helpline/_chat_log.html).
(function () {
  // Progressive enhancement: fetch new messages every few seconds; without JavaScript the
  // "新しいメッセージを見る" link reloads the page.
  var log = document.getElementById("chat-log");
  if (!log || !window.fetch || !log.dataset.pollUrl) return;
  var after = log.dataset.after || "0";
  function add(row) {
    var empty = log.querySelector(".chat-empty");
    if (empty) empty.remove();
    var item = document.createElement("li");
    item.className = "card chat-" + row.author;
    var meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = row.name + " " + row.at;
    var text = document.createElement("span");
    text.className = "chat-text";
    text.textContent = row.text;
    item.appendChild(meta);
    item.appendChild(document.createElement("br"));
    item.appendChild(text);
    log.appendChild(item);
  }
  function poll() {
    fetch(log.dataset.pollUrl + "?after=" + encodeURIComponent(after), {
      credentials: "same-origin", headers: {"Accept": "application/json"}
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) return;
      if (data.status !== log.dataset.status) { window.location.reload(); return; }
      data.messages.forEach(function (row) { add(row); after = String(row.id); });
    }).catch(function () {}).then(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 5000);
})();
