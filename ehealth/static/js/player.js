/* The player's autosave: saves the step's form through the JSON API while the client types.
 *
 * - Debounced saves with a visible state (saving, saved, offline) in a live region.
 * - Every save names the revision it is based on; a refused save (409) shows the saved version
 *   next to the text on screen and lets the client choose. Nothing is overwritten silently.
 * - Network errors are retried with back-off; an expired CSRF token is refreshed and the save
 *   retried. Answer text is never written to localStorage or put in a URL.
 * - A scale's follow-up questions and a goal's choice of a first step appear as soon as the
 *   client picks (the server shows them after Save when the script does not run).
 * Without this script the same form works with plain posts.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var DEBOUNCE_MS = 800;
  var SKIP = { csrf_token: 1, revision: 1, save_key: 1, action: 1, shown_value: 1 };
  var messages = {
    nl: { saving: "Opslaan…", saved: "Opgeslagen om ", offline: "Geen verbinding. Je tekst staat nog hier; we proberen het zo opnieuw.",
          invalid: "Dit antwoord kon niet worden opgeslagen: ", signedOut: "Je bent uitgelogd. Je tekst staat nog in dit venster. Log in via een nieuw tabblad en kies dan Opslaan.",
          conflict: "Dit antwoord is ergens anders gewijzigd. Kies hieronder welke versie je bewaart.", unsaved: "Je laatste wijziging is nog niet opgeslagen." },
    en: { saving: "Saving…", saved: "Saved at ", offline: "No connection. Your text is still here; we will try again shortly.",
          invalid: "This answer could not be saved: ", signedOut: "You have been signed out. Your text is still in this window. Sign in in a new tab, then choose Save.",
          conflict: "This answer was changed somewhere else. Choose below which version to keep.", unsaved: "Your last change has not been saved yet." }
  };

  function text(key) {
    var lang = (document.documentElement.getAttribute("lang") || "nl").slice(0, 2);
    return (messages[lang] || messages.nl)[key];
  }

  function randomKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function collect(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.disabled) { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      if (el.type === "submit" || el.type === "button") { return; }
      (fields[el.name] = fields[el.name] || []).push(el.value);
    });
    return fields;
  }

  function Autosave(form) {
    this.form = form;
    this.url = form.getAttribute("data-save-url");
    this.csrfUrl = form.getAttribute("data-csrf-url");
    this.state = form.querySelector("[data-save-state]");
    this.conflict = form.querySelector("[data-conflict]");
    this.timer = null;
    this.inFlight = null;
    this.dirty = false;
    this.attempt = null; // {fields, key}: retried with the same key until it lands
    this.retryDelay = 2000;
    this.pendingSubmit = null;
    this.submitRequested = false;
    this.blocked = false;
    var self = this;
    form.addEventListener("input", function () { self.changed(); });
    form.addEventListener("change", function (event) { self.toggleFollowUps(event.target); self.changed(); });
    form.addEventListener("submit", function (event) { self.beforeSubmit(event); });
    window.addEventListener("online", function () { self.flush(); });
    window.addEventListener("beforeunload", function (event) {
      if (self.dirty || self.inFlight) { event.preventDefault(); event.returnValue = text("unsaved"); return text("unsaved"); }
    });
    var keep = form.querySelector("[data-keep-mine]");
    var take = form.querySelector("[data-take-theirs]");
    if (keep) { keep.addEventListener("click", function () { self.keepMine(); }); }
    if (take) { take.addEventListener("click", function () { window.location.reload(); }); }
  }

  Autosave.prototype.toggleFollowUps = function (target) {
    if (!target || target.name !== "pick") { return; }
    var box = this.form.querySelector('[data-follow-of="' + target.value.replace(/"/g, "") + '"]');
    if (box) { box.hidden = !target.checked; }
  };

  Autosave.prototype.show = function (message) {
    if (this.state) { this.state.textContent = message; }
  };

  Autosave.prototype.changed = function () {
    if (this.blocked) { return; }
    this.dirty = true;
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.flush(); }, DEBOUNCE_MS);
  };

  Autosave.prototype.revisionInput = function () {
    return this.form.querySelector('input[name="revision"]');
  };

  Autosave.prototype.flush = function () {
    if (this.blocked || this.inFlight) { return this.inFlight; }
    if (!this.dirty && !this.attempt) { return Promise.resolve(); }
    window.clearTimeout(this.timer);
    if (!this.attempt || this.dirty) {
      this.attempt = { fields: collect(this.form), key: randomKey() };
      this.dirty = false;
    }
    return this.send(this.attempt, false);
  };

  Autosave.prototype.send = function (attempt, csrfRetried) {
    var self = this;
    var token = this.form.querySelector('input[name="csrf_token"]').value;
    var revision = parseInt(this.revisionInput().value || "0", 10);
    this.show(text("saving"));
    this.inFlight = window.fetch(this.url, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": token, "Idempotency-Key": attempt.key },
      body: JSON.stringify({ fields: attempt.fields, revision: revision })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (result) {
      self.inFlight = null;
      return self.handle(result, attempt, csrfRetried);
    }, function () {
      self.inFlight = null;
      self.show(text("offline"));
      self.retryLater();
    });
    return this.inFlight;
  };

  Autosave.prototype.retryLater = function () {
    var self = this;
    window.setTimeout(function () { self.flush(); }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, 30000);
  };

  Autosave.prototype.handle = function (result, attempt, csrfRetried) {
    var self = this;
    var body = result.body || {};
    if (result.status === 200) {
      this.attempt = null;
      this.retryDelay = 2000;
      this.revisionInput().value = String(body.revision);
      var time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      this.show(text("saved") + time);
      if (this.dirty) { this.changed(); }
      return this.resumeSubmit();
    }
    if (result.status === 400 && body.error === "csrf_failed" && !csrfRetried && this.csrfUrl) {
      return window.fetch(this.csrfUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (fresh) {
          Array.prototype.forEach.call(document.querySelectorAll('input[name="csrf_token"]'), function (input) {
            input.value = fresh.csrf_token;
          });
          return self.send(attempt, true);
        }, function () { self.show(text("offline")); self.retryLater(); });
    }
    if (result.status === 409 && body.error === "stale_revision") {
      this.showConflict(body.current);
      return;
    }
    if (result.status === 401) {
      this.show(text("signedOut"));
      this.blocked = true;
      return;
    }
    if (result.status === 422) {
      this.attempt = null;
      this.show(text("invalid") + flatten(body.errors).join("; "));
      return;
    }
    if (result.status >= 500 || result.status === 0 || result.status === 429) {
      this.show(text("offline"));
      this.retryLater();
      return;
    }
    this.attempt = null;
    this.show(text("invalid") + (body.error || result.status));
  };

  Autosave.prototype.showConflict = function (current) {
    this.blocked = true;
    this.conflictRevision = current ? current.revision : 0;
    this.show(text("conflict"));
    if (!this.conflict) { return; }
    var theirs = this.conflict.querySelector("[data-conflict-theirs]");
    var mine = this.conflict.querySelector("[data-conflict-mine]");
    theirs.innerHTML = current && current.html ? current.html : "";
    mine.textContent = "";
    var fields = this.attempt ? this.attempt.fields : collect(this.form);
    Object.keys(fields).forEach(function (name) {
      var value = fields[name].join(", ");
      if (!value) { return; }
      var p = document.createElement("p");
      p.className = "answer__text";
      p.textContent = value;
      mine.appendChild(p);
    });
    this.conflict.hidden = false;
    this.conflict.focus();
  };

  Autosave.prototype.keepMine = function () {
    this.revisionInput().value = String(this.conflictRevision || 0);
    this.conflict.hidden = true;
    this.blocked = false;
    this.attempt = { fields: collect(this.form), key: randomKey() };
    this.dirty = false;
    this.send(this.attempt, false);
  };

  Autosave.prototype.beforeSubmit = function (event) {
    if (this.blocked) { return; } // the plain post shows the server's conflict page
    if (this.dirty || this.inFlight || this.attempt) {
      event.preventDefault();
      this.submitRequested = true;
      this.pendingSubmit = event.submitter || null;
      var self = this;
      var pending = this.flush();
      if (pending && pending.then) { pending.then(function () { self.resumeSubmit(); }); }
    }
  };

  Autosave.prototype.resumeSubmit = function () {
    // Only once the answer is saved (no edits waiting, nothing in flight) does the post go on.
    if (!this.submitRequested || this.dirty || this.inFlight || this.attempt || this.blocked) { return; }
    this.submitRequested = false;
    var button = this.pendingSubmit;
    this.pendingSubmit = null;
    if (this.form.requestSubmit) { this.form.requestSubmit(button || undefined); }
    else if (button) { button.click(); } else { this.form.submit(); }
  };

  function flatten(errors, prefix) {
    var out = [];
    if (!errors) { return out; }
    if (Array.isArray(errors)) {
      errors.forEach(function (e) { out = out.concat(flatten(e, prefix)); });
    } else if (typeof errors === "object") {
      Object.keys(errors).forEach(function (k) { out = out.concat(flatten(errors[k], k === "_schema" ? prefix : k)); });
    } else {
      out.push(prefix ? prefix + ": " + errors : String(errors));
    }
    return out;
  }

  /* --- at once, without a round trip -------------------------------------------------------
   * Without this script the server shows a scale's follow-up questions, and a goal's choice of
   * a first step, after Save. With it they follow the client's pick on the spot.
   */

  function fill(template, values) {
    return template.replace(/\{(value|next|min|max)\}/g, function (all, name) { return String(values[name]); });
  }

  function followScale(form) {
    var scale = form.querySelector("[data-scale]");
    if (!scale) { return; }
    var low = parseInt(scale.getAttribute("data-min"), 10);
    var high = parseInt(scale.getAttribute("data-max"), 10);
    var shown = form.querySelector('input[name="shown_value"]');
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (!target || target.name !== "value" || target.type !== "radio" || !target.checked) { return; }
      var value = parseInt(target.value, 10);
      var values = { value: value, next: Math.min(value + 1, high), min: low, max: high };
      Array.prototype.forEach.call(form.querySelectorAll("[data-follow-up]"), function (box) {
        var from = box.getAttribute("data-min-value"), to = box.getAttribute("data-max-value");
        var applies = (from === "" || value >= parseInt(from, 10)) && (to === "" || value <= parseInt(to, 10));
        var label = box.querySelector("label[data-question]");
        if (label) { label.textContent = fill(label.getAttribute("data-question"), values); }
        box.hidden = !applies;
        Array.prototype.forEach.call(box.querySelectorAll("textarea"), function (field) { field.disabled = !applies; });
      });
      var hint = form.querySelector("[data-follow-ups-hint]");
      if (hint) { hint.hidden = true; }
      // The questions for this score are on screen now: Next need not stop to show them.
      if (shown) { shown.value = String(value); }
    });
  }

  function firstStepChoice(form) {
    var choice = form.querySelector("[data-first-steps]");
    if (!choice) { return; }
    var list = choice.querySelector("ul");
    function options() {
      var found = [];
      Array.prototype.forEach.call(form.querySelectorAll('input[name="step"]:checked'), function (box) {
        found.push({ key: box.value, label: (box.closest("label") || box.parentNode).textContent.trim() });
      });
      Array.prototype.forEach.call(form.querySelectorAll('input[name^="own-step."]'), function (field) {
        var text = field.value.trim();
        if (text) { found.push({ key: "o:" + field.name.slice("own-step.".length), label: text }); }
      });
      return found;
    }
    function labelled(option) {
      var item = document.createElement("li");
      var label = document.createElement("label");
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "first";
      radio.value = option.key;
      label.appendChild(radio);
      label.appendChild(document.createTextNode(" " + option.label));
      item.appendChild(label);
      return item;
    }
    function update(event) {
      var target = event.target;
      if (!target || !(target.name === "step" || target.name.indexOf("own-step.") === 0)) { return; }
      // A text field reports "change" again when it loses focus, perhaps to the very choice
      // being clicked: only its typing counts, and items stay in place (and keep their tick).
      if (event.type === "change" && target.type !== "checkbox") { return; }
      var items = {};
      Array.prototype.forEach.call(list.querySelectorAll('input[name="first"]'), function (radio) {
        items[radio.value] = radio.closest("li");
      });
      var found = options();
      found.forEach(function (option, index) {
        var item = items[option.key] || labelled(option);
        delete items[option.key];
        var text = item.querySelector("label").lastChild;
        if (text && text.nodeType === 3 && text.nodeValue.trim() !== option.label) { text.nodeValue = " " + option.label; }
        if (list.children[index] !== item) { list.insertBefore(item, list.children[index] || null); }
      });
      Object.keys(items).forEach(function (key) { list.removeChild(items[key]); });
      choice.hidden = found.length === 0;
    }
    form.addEventListener("change", update);
    form.addEventListener("input", update);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form.player__form"), function (form) {
      followScale(form);
      firstStepChoice(form);
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave]"), function (form) {
      if (form.getAttribute("data-save-url")) { form.autosave = new Autosave(form); }
    });
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
}());
