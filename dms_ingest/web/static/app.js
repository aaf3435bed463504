// Small enhancements on top of pages that work without JavaScript (no inline scripts: CSP).
(function () {
  "use strict";

  // Upload: drag and drop onto the drop zone fills the file field; the upload shows its progress.
  function setupDropzone(zone) {
    var input = zone.querySelector("input[type=file]");
    var form = zone.closest("form");
    var progress = form && form.querySelector("progress");
    var status = form && form.querySelector("[data-upload-status]");
    if (!input || !form) { return; }
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragover"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragover"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    input.addEventListener("change", function () {
      if (status && input.files.length) {
        status.textContent = input.files.length === 1
          ? "Ausgewählt: " + input.files[0].name
          : input.files.length + " Dateien ausgewählt";
      }
    });
    form.addEventListener("submit", function (event) {
      if (!window.XMLHttpRequest || !window.FormData || !input.files.length) { return; }
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "text/html");
      if (progress) { progress.hidden = false; progress.value = 0; }
      request.upload.addEventListener("progress", function (e) {
        if (progress && e.lengthComputable) { progress.value = Math.round(100 * e.loaded / e.total); }
        if (status) { status.textContent = "Hochladen … " + (e.lengthComputable ? Math.round(100 * e.loaded / e.total) + " %" : ""); }
      });
      request.upload.addEventListener("load", function () {
        if (status) { status.textContent = "Hochgeladen, wird verarbeitet (Texterkennung, Zuordnung, Archivierung) …"; }
      });
      request.addEventListener("load", function () {
        // The server answers with a redirect to the job page; follow it like a normal submit would.
        window.location.assign(request.responseURL || form.action);
      });
      request.addEventListener("error", function () {
        if (status) { status.textContent = "Hochladen fehlgeschlagen. Bitte erneut versuchen."; }
      });
      request.send(new FormData(form));
    });
  }

  // Posteingang: a row that htmx replaces (Gesehen) or takes away (Erledigt) took the focused button
  // with it, and the focus fell back to the top of the page. Put it on the row again, or on the
  // row that now stands in its place, so a keyboard user goes on where they were.
  var replacedRow = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var row = event.detail.target;
    if (row && row.tagName === "TR" && row.id) {
      replacedRow = { id: row.id, next: row.nextElementSibling && row.nextElementSibling.id };
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!replacedRow) { return; }
    var row = document.getElementById(replacedRow.id) || (replacedRow.next && document.getElementById(replacedRow.next));
    var target = (row && (row.querySelector("button") || row.querySelector("a[href]"))) || document.getElementById("inhalt");
    replacedRow = null;
    if (target) { target.focus(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-dropzone]").forEach(setupDropzone);
  });
})();
