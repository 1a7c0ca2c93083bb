// The subscribe and manage forms: the regulator boxes only matter for "Only meetings with
// the regulators I choose". With "All public meetings" they are hidden and disabled (so not
// sent). Without this script they stay visible and the server ignores them for "All".
(function () {
  "use strict";
  function setUp() {
    document.querySelectorAll("[data-scope-regulators]").forEach(function (fieldset) {
      var form = fieldset.closest("form");
      if (!form) return;
      var radios = form.querySelectorAll('input[type="radio"][name="scope"]');
      function update() {
        var chosen = form.querySelector('input[type="radio"][name="scope"]:checked');
        var all = !!chosen && chosen.value === "all";
        fieldset.hidden = all;
        fieldset.disabled = all;
      }
      radios.forEach(function (radio) { radio.addEventListener("change", update); });
      update();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
