// AiA workbench: the source viewer's selection -> code picker, and highlight details. No inline scripts (CSP).
"use strict";

// Code-point offset of (node, offset) inside the viewer: the enclosing span[data-o] gives the piece's start.
function codePointOffset(node, offset) {
  var el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  var piece = el && el.closest ? el.closest("span[data-o]") : null;
  if (!piece) return null;
  var base = parseInt(piece.getAttribute("data-o"), 10);
  if (node.nodeType !== Node.TEXT_NODE) {
    // offset counts child nodes: before the first child or after the last
    return offset === 0 ? base : base + Array.from(piece.textContent).length;
  }
  // JS strings are UTF-16: count code points, not code units
  return base + Array.from(node.data.slice(0, offset)).length;
}

document.addEventListener("DOMContentLoaded", function () {
  var viewer = document.getElementById("viewer");
  if (!viewer) return;
  var picker = document.getElementById("picker");
  viewer.addEventListener("mouseup", function () {
    if (!picker) return;
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) return;
    var range = sel.getRangeAt(0);
    var a = codePointOffset(range.startContainer, range.startOffset);
    var b = codePointOffset(range.endContainer, range.endOffset);
    if (a === null || b === null || b <= a) return;
    document.getElementById("pick-start").value = String(a);
    document.getElementById("pick-end").value = String(b);
    document.getElementById("pick-text").textContent = sel.toString();
    picker.hidden = false;
    document.getElementById("pick-new").focus({ preventScroll: true });
  });
  viewer.addEventListener("click", function (ev) {
    var target = ev.target;
    var hl = target && target.closest ? target.closest("span.hl") : null;
    if (!hl || !window.getSelection().isCollapsed) return;
    document.querySelectorAll("li.coding.active").forEach(function (li) { li.classList.remove("active"); });
    hl.getAttribute("data-c").split(" ").forEach(function (id) {
      var li = document.getElementById("coding-" + id);
      if (li) {
        li.classList.add("active");
        li.scrollIntoView({ block: "nearest" });
      }
    });
  });
});

// htmx requests carry the CSRF token as a header.
document.addEventListener("htmx:configRequest", function (ev) {
  var token = document.body.getAttribute("data-csrf");
  if (token) ev.detail.headers["X-CSRF-Token"] = token;
});
