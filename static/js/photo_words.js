/* The article form: ask for a picture's caption, photographer and alt text right after CKEditor uploads it,
 * and save the words of the pictures listed as lacking them, without leaving the page (unsaved edits in the
 * article form stay where they are). Without this script the same forms post and come back to the page.
 * Messages come from the template (data-failed), so every word the user sees is translated there.
 */
(function () {
  "use strict";

  var dialog = document.getElementById("photo-words-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var dialogForm = dialog.querySelector("form");
  var preview = dialog.querySelector("[data-preview]");
  var failed = dialog.getAttribute("data-failed");
  // A rendition URL carries its photo's uuid: …/photos/2026/07/<32 hex>.<width>.jpg
  var RENDITION = /\/([0-9a-f]{32})\.\d+\.(?:jpg|webp)$/;
  var uploaded = null; // {editor, imageElement} of the picture the dialog is about

  function ask(url, editor, imageElement) {
    var found = RENDITION.exec(url || "");
    if (!found) {
      return;
    }
    dialogForm.reset();
    dialogForm.elements.photo.value = found[1];
    dialogForm.querySelector("[data-status]").textContent = "";
    preview.src = url;
    preview.hidden = false;
    uploaded = { editor: editor, imageElement: imageElement };
    dialog.showModal();
    dialogForm.elements.caption.focus();
  }

  function send(form, submitter) {
    var status = form.querySelector("[data-status]");
    status.textContent = "";
    if (submitter) {
      submitter.disabled = true;
    }
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(
          function (data) { return { ok: response.ok, data: data }; },
          function () { return { ok: false, data: {} }; }
        );
      })
      .then(function (answer) {
        if (!answer.ok) {
          status.textContent = (answer.data.error && answer.data.error.message) || failed;
          return null;
        }
        status.textContent = answer.data.message;
        return answer.data;
      })
      .catch(function () {
        status.textContent = failed;
        return null;
      })
      .finally(function () {
        if (submitter) {
          submitter.disabled = false;
        }
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-photo-words")) {
      return;
    }
    var submitter = event.submitter;
    if (submitter && submitter.getAttribute("formmethod") === "dialog") {
      return; // "稍后填写": the dialog closes, the article form lists the picture until it is described
    }
    event.preventDefault();
    send(form, submitter).then(function (data) {
      if (!data) {
        return;
      }
      if (form === dialogForm) {
        if (uploaded) {
          // The editor's copy of the picture gets the alt text too (readers get the photo's own on output).
          var target = uploaded;
          target.editor.model.change(function (writer) {
            writer.setAttribute("alt", data.alt, target.imageElement);
          });
        }
        uploaded = null;
        dialog.close();
      } else {
        form.querySelector("fieldset").disabled = true;
      }
    });
  });

  // Browsers without SubmitEvent.submitter still close the dialog on "稍后填写" instead of sending empty words.
  dialogForm.querySelectorAll('[formmethod="dialog"]').forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      uploaded = null;
      dialog.close();
    });
  });

  function watch(editor) {
    if (!editor.plugins.has("ImageUploadEditing")) {
      return;
    }
    editor.plugins.get("ImageUploadEditing").on("uploadComplete", function (event, upload) {
      // ``data`` is what the upload view answered ({url, urls, photo_id}) or, with other adapters, the urls.
      var data = upload.data || {};
      var url = data.url || (data.urls && data.urls.default) || data.default;
      // After CKEditor's own handler has put the URL on the image.
      setTimeout(function () { ask(url, editor, upload.imageElement); }, 0);
    });
  }

  // django-ckeditor-5 creates its editors after DOMContentLoaded and keeps them in window.editors; its single
  // per-field callback slot may be taken by another script, so the editors are looked for instead.
  var watched = {};
  var tries = 0;
  function findEditors() {
    var editors = window.editors || {};
    Object.keys(editors).forEach(function (id) {
      if (!watched[id]) {
        watched[id] = true;
        watch(editors[id]);
      }
    });
    var expected = document.querySelectorAll("textarea.django_ckeditor_5").length;
    if (Object.keys(watched).length < expected && tries++ < 100) {
      setTimeout(findEditors, 200);
    }
  }
  document.addEventListener("DOMContentLoaded", findEditors);
})();
