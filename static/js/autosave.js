// Saves a form's draft in the background (forms with data-autosave-url), a moment after the
// last change, and says so in its aria-live region (data-autosave-status). The form posts
// its own fields, CSRF token and draft version included; the answer gives the new version,
// which the form then carries, so that two tabs editing one draft meet a 409, not a silent
// overwrite. Without JavaScript the « Enregistrer le brouillon » button does the same.
(function () {
  "use strict";
  var DELAY = 1500;

  function setUp(form) {
    var status = form.querySelector("[data-autosave-status]");
    var version = form.querySelector("input[name=version]");
    var timer = null;
    var saving = false;
    var again = false;
    var stopped = false;

    function say(text, failed) {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("autosave-error", Boolean(failed));
    }

    function save() {
      if (stopped) return;
      if (saving) { again = true; return; }
      saving = true;
      var body = new FormData(form);
      body.delete("action");
      fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        redirect: "manual"
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) {
          stopped = true;
          say(form.dataset.autosaveExpired || "", true);
          return null;
        }
        return response.json().then(function (data) {
          if (response.ok) {
            if (version) version.value = data.version;
            say(data.message, false);
          } else {
            if (response.status === 409) stopped = true;
            say(data.error, true);
          }
        });
      }).catch(function () {
        say(form.dataset.autosaveOffline || "", true);
      }).then(function () {
        saving = false;
        if (again) { again = false; save(); }
      });
    }

    function changed() {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY);
    }

    form.addEventListener("change", changed);
    form.addEventListener("input", changed);
    form.addEventListener("submit", function () { stopped = true; window.clearTimeout(timer); });
  }

  document.querySelectorAll("form[data-autosave-url]").forEach(setUp);
})();
