// "Copy address" next to a calendar address: the clipboard where the browser allows it,
// otherwise the address is selected for the reader to copy. The button is hidden in the
// page and shown here, since it does nothing without this script.
(function () {
  "use strict";
  function select(field) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
  }
  function setUp() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.dataset.copy);
      var status = document.getElementById(button.dataset.copyStatus);
      if (!field || !status) return;
      function say(text) { status.textContent = text; }
      function fallback() {
        select(field);
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
        say(copied ? "Copied" : "Address selected: press Ctrl+C (⌘C on a Mac) to copy it.");
      }
      button.addEventListener("click", function () {
        say("");
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(function () { say("Copied"); }, fallback);
        } else {
          fallback();
        }
      });
      button.hidden = false;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
