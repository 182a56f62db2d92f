/* The module editor in the browser: autosave, live Markdown previews, the condition editor.
 *
 * - Autosave: while the author types, the editor form is posted (debounced) to its own action
 *   with Accept: application/json and the CSRF header. One save at a time: changes made while
 *   a save is on its way go in the next one, and the plain Save (or any button of the form)
 *   waits for a save in flight, so two saves never race. The saved state is shown in a live
 *   region; a save that met someone else's change of the same part shows both versions and
 *   stops autosaving until the author chooses. Nothing is kept in localStorage.
 * - Markdown fields show their text rendered and sanitised by the server as it is typed.
 * - The condition editor (show_if) offers the operators and values of the chosen earlier step
 *   at once, from the page's #ed-conditions data.
 * - After a button that moves or adds something, focus returns to it (data-focus).
 * Without this script every part works with plain posts: Save shows the same.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var DEBOUNCE_MS = 1000;
  var MARKDOWN_MS = 500;

  function post(url, body, headers) {
    return window.fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: body })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      });
  }

  function csrfToken(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  /* --- autosave ------------------------------------------------------------------------ */

  function Editor(form) {
    this.form = form;
    this.state = form.querySelector("[data-save-state]");
    this.panel = document.querySelector("[data-conflict-panel]");
    this.stale = document.querySelector("[data-stale]");
    this.timer = null;
    this.inFlight = null;
    this.dirty = false;
    this.blocked = false;
    this.retryDelay = 2000;
    this.csrfRetried = false;
    var self = this;
    form.addEventListener("input", function (event) { self.changed(event.target); });
    form.addEventListener("change", function (event) { self.changed(event.target); });
    form.addEventListener("submit", function (event) { self.beforeSubmit(event); });
    window.addEventListener("online", function () { if (self.dirty) { self.flush(); } });
    window.addEventListener("beforeunload", function (event) {
      if ((self.dirty || self.inFlight) && !self.submitting) {
        event.preventDefault();
        event.returnValue = form.getAttribute("data-msg-waiting");
        return event.returnValue;
      }
    });
  }

  Editor.prototype.show = function (message) {
    if (this.state && message) { this.state.textContent = message; }
  };

  Editor.prototype.changed = function (target) {
    if (!target || !target.name || target.hasAttribute("data-no-autosave") || this.blocked) { return; }
    this.dirty = true;
    this.show(this.form.getAttribute("data-msg-waiting"));
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.flush(); }, DEBOUNCE_MS);
  };

  Editor.prototype.flush = function () {
    if (this.blocked) { return Promise.resolve(); }
    if (this.inFlight) { return this.inFlight; }
    if (!this.dirty) { return Promise.resolve(); }
    window.clearTimeout(this.timer);
    this.dirty = false;
    var self = this;
    var body = new FormData(this.form);
    this.show(this.form.getAttribute("data-msg-saving"));
    this.inFlight = post(this.form.action, body, {
      "Accept": "application/json", "X-CSRFToken": csrfToken(this.form)
    }).then(function (result) {
      self.inFlight = null;
      return self.handle(result);
    }, function () {
      self.inFlight = null;
      self.dirty = true;
      self.show(self.form.getAttribute("data-msg-offline"));
      self.retryLater();
    });
    return this.inFlight;
  };

  Editor.prototype.retryLater = function () {
    var self = this;
    window.setTimeout(function () { self.flush(); }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, 30000);
  };

  Editor.prototype.handle = function (result) {
    var data = result.data || {};
    var self = this;
    if (result.status === 200 && data.status === "saved") {
      this.retryDelay = 2000;
      this.csrfRetried = false;
      this.applySaved(data);
      if (this.dirty) { return this.flush(); }
      return null;
    }
    this.dirty = true; // what was sent is not saved: it goes again with the next save
    if (result.status === 409 && data.error === "conflict") {
      this.blocked = true;
      this.dirty = false;
      this.show(data.state);
      if (this.panel) {
        this.panel.innerHTML = data.html;
        this.panel.hidden = false;
        this.panel.focus();
      }
      return null;
    }
    if (result.status === 422) {
      this.dirty = false; // it cannot be saved as it is: the next change tries again
      this.show(data.state || data.message);
      return null;
    }
    if (result.status === 401 || result.status === 403) {
      this.blocked = true;
      this.show(this.form.getAttribute("data-msg-signed-out"));
      return null;
    }
    if (result.status === 400 && !this.csrfRetried && this.form.getAttribute("data-csrf-url")) {
      // Most likely an expired CSRF token: fetch a fresh one and send the save again.
      this.csrfRetried = true;
      return window.fetch(this.form.getAttribute("data-csrf-url"), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) { return response.json(); }).then(function (fresh) {
        Array.prototype.forEach.call(document.querySelectorAll('input[name="csrf_token"]'), function (input) {
          input.value = fresh.csrf_token;
        });
        return self.flush();
      }, function () { self.show(self.form.getAttribute("data-msg-failed")); });
    }
    this.show(result.status >= 500 || result.status === 429 ? this.form.getAttribute("data-msg-offline")
      : this.form.getAttribute("data-msg-failed"));
    this.retryLater();
    return null;
  };

  Editor.prototype.applySaved = function (data) {
    var form = this.form;
    Object.keys(data.parts || {}).forEach(function (prefix) {
      var part = data.parts[prefix];
      [["_key", part.key], ["_base", part.base], ["_shown", part.shown]].forEach(function (pair) {
        var input = form.querySelector('input[name="' + prefix + "." + pair[0] + '"]');
        if (input) { input.value = pair[1]; }
      });
    });
    var revision = form.querySelector('input[name="revision"]');
    if (revision) { revision.value = String(data.revision); }
    this.show(data.state);
    if (this.stale) {
      this.stale.hidden = !data.stale_message;
      this.stale.textContent = data.stale_message || "";
    }
    replace("[data-checks]", data.checks_html);
    replace("[data-submit]", data.submit_html);
    watchSubmit(this);
    showMessages(form, data.messages || {});
  };

  Editor.prototype.beforeSubmit = function (event) {
    // The post carries everything typed so far: no autosave after it. One in flight first
    // lands (and updates the fingerprints the post sends).
    window.clearTimeout(this.timer);
    if (this.inFlight) {
      event.preventDefault();
      var self = this;
      var button = event.submitter || null;
      this.inFlight.then(function () {
        self.dirty = false;
        self.submitting = true;
        if (self.form.requestSubmit) { self.form.requestSubmit(button || undefined); } else { self.form.submit(); }
      });
      return;
    }
    this.dirty = false;
    this.submitting = true;
  };

  function replace(selector, html) {
    var old = document.querySelector(selector);
    if (!old || typeof html !== "string") { return; }
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.firstElementChild;
    if (fresh) { old.parentNode.replaceChild(fresh, old); }
  }

  function showMessages(form, messages) {
    Array.prototype.forEach.call(document.querySelectorAll(".ed-messages"), function (list) {
      var owner = list.id.replace(/-messages$/, "");
      var element = document.getElementById(owner);
      if (element) { describedBy(element, list.id, false); }
      list.parentNode.removeChild(list);
    });
    Object.keys(messages).forEach(function (id) {
      var element = document.getElementById(id);
      if (!element) { return; }
      var holder = document.createElement("div");
      holder.innerHTML = messages[id];
      var list = holder.firstElementChild;
      if (!list) { return; }
      if (/^(FIELDSET|SECTION|LI|DIV)$/.test(element.tagName)) { element.appendChild(list); }
      else { element.parentNode.insertBefore(list, element.nextSibling); }
      describedBy(element, list.id, true);
    });
  }

  function describedBy(element, id, add) {
    var ids = (element.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (add) { ids.push(id); }
    if (ids.length) { element.setAttribute("aria-describedby", ids.join(" ")); }
    else { element.removeAttribute("aria-describedby"); }
  }

  function watchSubmit(editor) {
    // The submit form (outside the editor's) waits until the last change is saved.
    var submit = document.querySelector("[data-submit-form]");
    if (!submit || submit.hasAttribute("data-watched")) { return; }
    submit.setAttribute("data-watched", "");
    submit.addEventListener("submit", function (event) {
      if (!editor.dirty && !editor.inFlight) { editor.submitting = true; return; }
      event.preventDefault();
      var button = event.submitter || null;
      Promise.resolve(editor.flush()).then(function () {
        if (editor.dirty || editor.blocked) { return; }
        editor.submitting = true;
        if (submit.requestSubmit) { submit.requestSubmit(button || undefined); } else { submit.submit(); }
      });
    });
  }

  /* --- Markdown previews ----------------------------------------------------------------- */

  function markdownPreviews(form) {
    var url = form.getAttribute("data-markdown-url");
    if (!url) { return; }
    var timers = {};
    form.addEventListener("input", function (event) {
      var field = event.target;
      var target = field && field.getAttribute && field.getAttribute("data-markdown");
      if (!target) { return; }
      window.clearTimeout(timers[target]);
      timers[target] = window.setTimeout(function () {
        var body = new FormData();
        body.append("text", field.value);
        post(url, body, { "Accept": "application/json", "X-CSRFToken": csrfToken(form) }).then(function (result) {
          var preview = document.getElementById(target);
          // The server renders and sanitises (nh3): only its allow-listed tags arrive here.
          if (preview && result.status === 200 && typeof result.data.html === "string") {
            preview.innerHTML = result.data.html;
          }
        }, function () { /* the preview catches up with the next change or Save */ });
      }, MARKDOWN_MS);
    });
  }

  /* --- the condition editor --------------------------------------------------------------- */

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function conditions(form) {
    var data = document.getElementById("ed-conditions");
    if (!data) { return; }
    var targets = {};
    try { targets = JSON.parse(data.textContent || "{}"); } catch (error) { return; }
    Array.prototype.forEach.call(form.querySelectorAll("[data-condition]"), function (box) {
      var stepSelect = box.querySelector("[data-condition-step]");
      var opSelect = box.querySelector("[data-condition-op]");
      var rest = box.querySelector("[data-condition-rest]");
      var valueBox = box.querySelector("[data-condition-value]");
      if (!stepSelect || !opSelect || !rest || !valueBox) { return; }

      function operatorsOf(stepId) { return (targets[stepId] || {}).operators || []; }

      function buildValue() {
        var ops = operatorsOf(stepSelect.value);
        var op = ops.filter(function (o) { return o.op === opSelect.value; })[0];
        var name = valueBox.getAttribute("data-name");
        var id = valueBox.getAttribute("data-id");
        valueBox.textContent = "";
        if (!op) { return; }
        var values = op.values || [];
        var range = op.range;
        if (!values.length && range && op.op === "one_of" && range[1] - range[0] <= 20) {
          for (var n = range[0]; n <= range[1]; n++) { values.push([String(n), String(n)]); }
        }
        if (values.length && (op.op === "one_of")) {
          var fieldset = element("fieldset", { "class": "ed-group", id: id });
          fieldset.appendChild(element("legend", {}, box.getAttribute("data-msg-values")));
          var list = element("ul", { "class": "ed-options" });
          values.forEach(function (pair, index) {
            var item = element("li");
            var box_ = element("input", { type: "checkbox", id: id + "-" + (index + 1), name: name, value: pair[0] });
            item.appendChild(box_);
            item.appendChild(document.createTextNode(" "));
            item.appendChild(element("label", { "for": id + "-" + (index + 1) }, pair[1]));
            list.appendChild(item);
          });
          fieldset.appendChild(list);
          valueBox.appendChild(fieldset);
          return;
        }
        var field = element("div", { "class": "field ed-field" });
        field.appendChild(element("label", { "for": id }, box.getAttribute("data-msg-value")));
        if (values.length) {
          var select = element("select", { "class": "admin-input", id: id, name: name });
          values.forEach(function (pair) { select.appendChild(element("option", { value: pair[0] }, pair[1])); });
          field.appendChild(select);
        } else {
          var attributes = { "class": "admin-input ed-input--short", type: "text", id: id, name: name };
          if (range) {
            var hint = element("p", { "class": "field__hint", id: id + "-range" },
              box.getAttribute("data-msg-range").replace("{low}", range[0]).replace("{high}", range[1]));
            field.appendChild(hint);
            attributes.inputmode = "decimal";
            attributes["aria-describedby"] = id + "-range";
          }
          field.appendChild(element("input", attributes));
        }
        valueBox.appendChild(field);
      }

      function buildOperators() {
        var ops = operatorsOf(stepSelect.value);
        rest.hidden = !stepSelect.value;
        if (!ops.length) { return; }
        opSelect.textContent = "";
        ops.forEach(function (o) { opSelect.appendChild(element("option", { value: o.op }, o.label)); });
        buildValue();
      }

      stepSelect.addEventListener("change", buildOperators);
      opSelect.addEventListener("change", buildValue);
    });
  }

  /* --- focus after a button ---------------------------------------------------------------- */

  function restoreFocus() {
    var holder = document.querySelector("[data-focus]");
    var target = holder ? document.getElementById(holder.getAttribute("data-focus")) : null;
    if (!target) { target = document.querySelector("[data-focus-on-load]"); }
    if (target) {
      if (target.disabled) { return; }
      target.focus();
      if (target.scrollIntoView) { target.scrollIntoView({ block: "center" }); }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-editor]"), function (form) {
      var editor = new Editor(form);
      form.editor = editor;
      markdownPreviews(form);
      conditions(form);
      watchSubmit(editor);
    });
    restoreFocus();
  });
}());
