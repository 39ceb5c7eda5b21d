// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // The language switcher submits itself when JavaScript is on; its button stays for everyone else.
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "language-select") {
      event.target.form.submit();
    }
  });
  // Take keyboard and screen-reader users straight to the list of answers to fix.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  });
  // Prevent a double click from sending a form twice; the server is idempotent anyway.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "true") {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-once")) {
      form.dataset.submitted = "true";
    }
  });
})();
