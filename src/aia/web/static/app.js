// AiA workbench: the source viewer's selection -> code picker, highlight details, loading the rest of a long
// source, and the CSRF header for htmx. No inline scripts (CSP).
"use strict";

// Code-point offset of (node, offset) inside the viewer: the enclosing text block [data-o] holds its start
// offset; count the code points of the text before the point (JS strings are UTF-16: count code points).
function codePointOffset(node, offset) {
  var el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  var block = el && el.closest ? el.closest("#viewer [data-o]") : null;
  if (!block) return null;
  var range = document.createRange();
  range.setStart(block, 0);
  range.setEnd(node, offset);
  return parseInt(block.getAttribute("data-o"), 10) + Array.from(range.toString()).length;
}

// The text block holding code-point offset `o`, or null if it is not loaded (yet).
function blockAt(o) {
  var found = null;
  document.querySelectorAll("#viewer [data-o]").forEach(function (b) {
    var start = parseInt(b.getAttribute("data-o"), 10);
    if (start <= o && o <= start + Array.from(b.textContent).length) found = b;
  });
  return found;
}

// A link to #seg-N (search results) or #oN (after coding) may point past the loaded part: load on until it is there.
var targetShown = false;
function showTarget() {
  if (targetShown) return;
  var seg = /^#seg-(\d+)$/.exec(location.hash);
  var off = /^#o(\d+)$/.exec(location.hash);
  if (!seg && !off) return;
  var el = seg ? document.getElementById("seg-" + seg[1]) : blockAt(parseInt(off[1], 10));
  if (el) {
    targetShown = true;
    el.scrollIntoView({ block: "center" });
    return;
  }
  var more = document.getElementById("more");
  if (more && window.htmx) window.htmx.trigger(more, "more");
}

function showDetails(viewer, ids) {
  var panel = document.getElementById("details");
  if (!panel || !window.htmx) return;
  panel.textContent = "";
  ids.forEach(function (id) {
    var slot = document.createElement("div");
    slot.setAttribute("hx-get", "/sources/" + viewer.getAttribute("data-source") + "/codings/" + id);
    slot.setAttribute("hx-trigger", "load");
    slot.setAttribute("hx-swap", "outerHTML");
    panel.appendChild(slot);
  });
  window.htmx.process(panel);
  viewer.querySelectorAll("span.active").forEach(function (s) { s.classList.remove("active"); });
  viewer.querySelectorAll("span[data-c]").forEach(function (s) {
    var mine = s.getAttribute("data-c").split(" ");
    if (ids.some(function (id) { return mine.indexOf(id) >= 0; })) s.classList.add("active");
  });
}

document.addEventListener("DOMContentLoaded", function () {
  var viewer = document.getElementById("viewer");
  if (!viewer) return;
  var picker = document.getElementById("picker");

  function offerSelection() {
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
    // the other thing to do with a selection: a critical incident (WP2) over the same code-point span
    var incident = document.getElementById("pick-incident");
    if (incident) incident.href = incident.getAttribute("data-base") + "&start=" + a + "&end=" + b;
    picker.hidden = false;
    document.getElementById("pick-code").focus({ preventScroll: true });
  }

  viewer.addEventListener("mouseup", offerSelection);
  viewer.addEventListener("keyup", function (ev) {
    if (ev.shiftKey) offerSelection();
  });
  if (picker) {
    document.getElementById("pick-cancel").addEventListener("click", function () { picker.hidden = true; });
    picker.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") picker.hidden = true;
    });
  }
  viewer.addEventListener("click", function (ev) {
    var target = ev.target;
    var hl = target && target.closest ? target.closest("span[data-c]") : null;
    if (!hl || !window.getSelection().isCollapsed) return;
    showDetails(viewer, hl.getAttribute("data-c").split(" "));
  });
  // highlights are focusable (tabindex=0): Enter or Space opens the coding's details
  viewer.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" && ev.key !== " ") return;
    var hl = ev.target && ev.target.matches && ev.target.matches("span[data-c]") ? ev.target : null;
    if (!hl) return;
    ev.preventDefault();
    showDetails(viewer, hl.getAttribute("data-c").split(" "));
  });
  showTarget();
});

document.addEventListener("htmx:afterSettle", function () {
  if (document.getElementById("viewer")) showTarget();
});

// htmx requests carry the CSRF token as a header.
document.addEventListener("htmx:configRequest", function (ev) {
  var token = document.body.getAttribute("data-csrf");
  if (token) ev.detail.headers["X-CSRF-Token"] = token;
});

// The codebook tree: subtrees are <details data-node=ID>; remember which are closed (localStorage) across visits.
document.addEventListener("DOMContentLoaded", function () {
  var tree = document.getElementById("tree");
  if (!tree) return;
  var KEY = "aia.codes.closed";
  var closed = [];
  try {
    closed = JSON.parse(window.localStorage.getItem(KEY) || "[]");
    if (!Array.isArray(closed)) closed = [];
  } catch (e) {
    closed = [];
  }
  tree.querySelectorAll("details[data-node]").forEach(function (d) {
    if (closed.indexOf(d.getAttribute("data-node")) >= 0) d.open = false;
  });
  // "toggle" does not bubble: listen in the capture phase
  tree.addEventListener("toggle", function (ev) {
    var d = ev.target;
    if (!d || !d.hasAttribute || !d.hasAttribute("data-node")) return;
    var id = d.getAttribute("data-node");
    closed = closed.filter(function (x) { return x !== id; });
    if (!d.open) closed.push(id);
    try {
      window.localStorage.setItem(KEY, JSON.stringify(closed));
    } catch (e) {
      /* storage unavailable: the tree still folds, it just forgets */
    }
  }, true);
});
