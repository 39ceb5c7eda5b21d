// The case page, enhanced: each decision form shows only the fields its chosen decision uses.
// Without JavaScript every field stays visible and the server ignores the ones that do not apply.
(function () {
  "use strict";
  function update(form) {
    var chosen = form.querySelector("input[type=radio][name$='-kind']:checked");
    var kind = chosen ? chosen.value : "";
    form.querySelectorAll("[data-show-for]").forEach(function (part) {
      part.hidden = part.getAttribute("data-show-for") !== kind;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-decision-form]").forEach(function (form) {
      update(form);
      form.addEventListener("change", function (event) {
        if (event.target && /-kind$/.test(event.target.name || "")) {
          update(form);
        }
      });
    });
  });
})();
