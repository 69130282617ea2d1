// The codebook tree: drag a code onto another to move it under that code, or onto the top line to make it a
// top-level code. The move posts to /codes/ID/move (the same route as the picker on the code page) with the CSRF
// token as a header; the page reloads to show the new tree, or shows the server's one-sentence error.
(function () {
  "use strict";
  var tree = document.getElementById("tree");
  if (!tree) return;
  var dragged = null;

  function item(el) {
    return el && el.closest ? el.closest("li[data-code]") : null;
  }

  function clear() {
    tree.querySelectorAll(".drop-over").forEach(function (el) { el.classList.remove("drop-over"); });
  }

  function showError(message) {
    var box = document.getElementById("move-error");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }

  tree.addEventListener("dragstart", function (ev) {
    var li = item(ev.target);
    if (!li || !li.dataset.code) return;
    dragged = li.dataset.code;
    li.classList.add("dragging");
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", dragged);
  });

  tree.addEventListener("dragend", function (ev) {
    var li = item(ev.target);
    if (li) li.classList.remove("dragging");
    clear();
  });

  tree.addEventListener("dragover", function (ev) {
    var li = item(ev.target);
    if (!li || dragged === null || li.dataset.code === dragged) return;
    ev.preventDefault();  // allows the drop
    ev.dataTransfer.dropEffect = "move";
    clear();
    li.classList.add("drop-over");
  });

  tree.addEventListener("dragleave", function (ev) {
    var li = item(ev.target);
    if (li && !li.contains(ev.relatedTarget)) li.classList.remove("drop-over");
  });

  tree.addEventListener("drop", function (ev) {
    var li = item(ev.target);
    if (!li) return;
    ev.preventDefault();
    clear();
    var code = dragged || ev.dataTransfer.getData("text/plain");
    dragged = null;
    if (!code || li.dataset.code === code) return;
    var body = new FormData();
    body.append("parent", li.dataset.code);  // "" = top level
    body.append("next", "/codes");
    fetch("/codes/" + encodeURIComponent(code) + "/move", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": document.body.dataset.csrf || "" }
    }).then(function (r) {
      if (r.ok) {
        location.reload();
        return null;
      }
      return r.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var p = doc.querySelector(".error");
        showError(p ? p.textContent : String(r.status));
      });
    }).catch(function (err) { showError(String(err)); });
  });
})();
