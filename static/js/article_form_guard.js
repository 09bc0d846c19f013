/* The article's page in the back office: warn before leaving it with edits that are not saved.
 *
 * The form is compared as it was when the page finished loading with what it holds now; CKEditor copies its
 * text into the form's textarea as it changes. A page the server sent back unsaved (a refused step, a field to
 * correct: it marks the form with data-unsaved-edits) holds edits from the start. Sending the form itself
 * (保存, 送审, 通过 …) is not leaving. Without this script the page works the same, only without the warning.
 */
(function () {
  "use strict";
  var form = document.getElementById("article_form");
  if (!form) {
    return;
  }
  var initial = null;
  var sending = false;
  var sentBackUnsaved = form.querySelector("[data-unsaved-edits]") !== null;

  function state() {
    var data = new FormData(form);
    data.delete("csrfmiddlewaretoken");
    var parts = [];
    data.forEach(function (value, name) {
      parts.push(name + "=" + (typeof value === "string" ? value : value.name));
    });
    return parts.join("&");
  }

  window.addEventListener("load", function () {
    initial = state();
  });
  form.addEventListener("submit", function () {
    sending = true;
  });
  window.addEventListener("pageshow", function () {
    sending = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (sending || (!sentBackUnsaved && (initial === null || state() === initial))) {
      return;
    }
    event.preventDefault();
    event.returnValue = "";
  });
})();
