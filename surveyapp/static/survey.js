/* Skip logic, keeping a half-filled step, and the large-text switch for the public survey.
 * Plain ES5 so that old phones and in-app browsers run it. Everything works without it: the
 * server decides which questions and steps are shown between steps and drops hidden answers
 * whatever the browser sends; this only shows a follow-up question at once.
 * Expressions arrive as the JSON tree documented in docs/questionnaire-format.md. */
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  var known = {};
  try { known = JSON.parse((form && form.getAttribute("data-answers")) || "{}"); } catch (e) { known = {}; }

  function answerOf(name) {
    var box = document.getElementById("q-" + name);
    // An answer given on an earlier step: the server wrote it on the form.
    if (!box) { return known.hasOwnProperty(name) ? known[name] : ""; }
    if (box.hidden) { return ""; }
    var inputs = box.querySelectorAll("input, textarea, select");
    var values = [], i, el;
    for (i = 0; i < inputs.length; i++) {
      el = inputs[i];
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { values.push(el.value); }
      } else if (el.value !== "") {
        values.push(el.value);
      }
    }
    if (box.getAttribute("data-type") === "select_multiple") { return values; }
    return values.length ? values[0] : "";
  }

  function isNumeric(v) { return typeof v === "number" || (typeof v === "string" && v !== "" && !isNaN(Number(v))); }

  function compare(op, a, b) {
    if (isNumeric(a) && isNumeric(b)) { a = Number(a); b = Number(b); }
    else { a = String(a); b = String(b); }
    switch (op) {
      case "=": return a === b;
      case "!=": return a !== b;
      case "<": return a < b;
      case "<=": return a <= b;
      case ">": return a > b;
      case ">=": return a >= b;
    }
    return false;
  }

  function evaluate(node, current) {
    if (node === null || typeof node !== "object") { return node; }
    if ("lit" in node) { return node.lit; }
    if ("ref" in node) { return answerOf(node.ref); }
    if ("current" in node) { return current; }
    var args = node.args || [], op = node.op, x;
    switch (op) {
      case "and": for (x = 0; x < args.length; x++) { if (!truthy(evaluate(args[x], current))) { return false; } } return true;
      case "or": for (x = 0; x < args.length; x++) { if (truthy(evaluate(args[x], current))) { return true; } } return false;
      case "not": return !truthy(evaluate(args[0], current));
      case "=": case "!=": case "<": case "<=": case ">": case ">=":
        return compare(op, scalar(evaluate(args[0], current)), scalar(evaluate(args[1], current)));
      case "+": return Number(evaluate(args[0], current)) + Number(evaluate(args[1], current));
      case "-": return Number(evaluate(args[0], current)) - Number(evaluate(args[1], current));
      case "*": return Number(evaluate(args[0], current)) * Number(evaluate(args[1], current));
      case "div": return Number(evaluate(args[0], current)) / Number(evaluate(args[1], current));
      case "mod": return Number(evaluate(args[0], current)) % Number(evaluate(args[1], current));
      case "neg": return -Number(evaluate(args[0], current));
      case "selected":
        var v = evaluate(args[0], current), code = String(evaluate(args[1], current));
        if (v instanceof Array) { return v.indexOf(code) >= 0; }
        return String(v).split(/[\s,]+/).indexOf(code) >= 0 && v !== "";
      case "count-selected":
        var w = evaluate(args[0], current);
        if (w instanceof Array) { return w.length; }
        return w === "" ? 0 : String(w).split(/[\s,]+/).length;
      case "string-length": return String(scalar(evaluate(args[0], current))).length;
    }
    return false;
  }

  function scalar(v) { return (v instanceof Array) ? v.join(" ") : v; }
  function truthy(v) { return !(v === false || v === "" || v === 0 || v === null || v === undefined || (v instanceof Array && !v.length)); }

  function refresh() {
    var boxes = form.querySelectorAll(".question[data-relevant]"), i, box, tree, show;
    // Questions only depend on earlier ones, so one pass in document order settles them.
    for (i = 0; i < boxes.length; i++) {
      box = boxes[i];
      try { tree = JSON.parse(box.getAttribute("data-relevant")); } catch (e) { continue; }
      show = truthy(evaluate(tree, ""));
      box.hidden = !show;
      var inputs = box.querySelectorAll("input, textarea, select"), j;
      for (j = 0; j < inputs.length; j++) { inputs[j].disabled = !show; }
    }
  }

  function markChecked() {
    var labels = document.querySelectorAll(".option"), i, input;
    for (i = 0; i < labels.length; i++) {
      input = labels[i].querySelector("input");
      if (input) { labels[i].className = labels[i].className.replace(/\s*checked/g, "") + (input.checked ? " checked" : ""); }
    }
  }

  var dirty = false, sent = false;

  // Leaving the page with answers typed on this step: keep them in the draft on the server
  // (the step's "next" does the same; this covers closing the tab or switching apps).
  function keepDraft() {
    if (!dirty || sent || !navigator.sendBeacon || !window.FormData) { return; }
    var data = new FormData(form);
    data.append("nav", "save");
    if (navigator.sendBeacon(form.action, data)) { dirty = false; }
  }

  if (form) {
    form.elements.js.value = "1";
    form.addEventListener("change", function () { dirty = true; refresh(); markChecked(); });
    form.addEventListener("input", function () { dirty = true; refresh(); });
    form.addEventListener("submit", function () { sent = true; });
    window.addEventListener("pagehide", keepDraft);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { keepDraft(); }
    });
    refresh();
    markChecked();
  }

  var switches = document.querySelectorAll("a.textsize"), k;
  for (k = 0; k < switches.length; k++) {
    switches[k].addEventListener("click", function (event) {
      var large = this.getAttribute("data-textsize") === "large";
      document.cookie = "sa_text=" + (large ? "large" : "normal") + "; path=/; max-age=63072000; samesite=lax";
      document.documentElement.className = large ? "large-text" : "";
      this.setAttribute("data-textsize", large ? "normal" : "large");
      this.textContent = large ? "标准字号" : "大字模式";
      event.preventDefault();
    });
  }
}());
