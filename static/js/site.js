/* The storefront's few behaviours: pick or drop a photo (checked before it is sent),
   the upload progress bar (htmx:xhr:progress), and single-click payment buttons.
   Everything is delegated from document, so it survives HTMX swaps. */
(function () {
  "use strict";

  var MAX_BYTES = 15 * 1024 * 1024; // "Image size <15MB" in the API reference

  function studioOf(element) {
    return element && element.closest ? element.closest("form.studio") : null;
  }

  function showUploadError(form, message) {
    var box = form.querySelector("[data-upload-errors]");
    if (!box) return;
    box.textContent = "";
    if (message) {
      var p = document.createElement("p");
      p.textContent = message;
      box.appendChild(p);
    }
  }

  function problemWith(file) {
    if (!file) return "Choose a photo first.";
    if (file.type && file.type.indexOf("image/") !== 0) {
      return "This file is not a photo. Please choose a JPG, PNG, WEBP, BMP or TIFF photo.";
    }
    if (file.size > MAX_BYTES) {
      return "This photo is " + (file.size / 1048576).toFixed(1) +
        " MB; the limit is 15 MB. Choose a smaller photo or take a new one.";
    }
    return null;
  }

  function sendPhoto(input) {
    var form = studioOf(input);
    if (!form) return;
    var file = input.files && input.files[0];
    var problem = problemWith(file);
    if (problem) {
      input.value = "";
      showUploadError(form, problem);
      return;
    }
    showUploadError(form, "");
    form.querySelectorAll("input[type=file]").forEach(function (other) {
      if (other !== input) other.value = "";
    });
    form.requestSubmit();
  }

  // Choosing a photo (camera or file) sends it at once: the free preview starts right away.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "file" && studioOf(input)) sendPhoto(input);
  });

  // Drag and drop: anywhere on a studio page, so a missed drop never opens the file.
  function dropzone() {
    return document.querySelector("form.studio [data-dropzone]");
  }
  function carriesFiles(event) {
    return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0;
  }
  document.addEventListener("dragover", function (event) {
    var zone = dropzone();
    if (!zone || !carriesFiles(event)) return;
    event.preventDefault();
    zone.classList.add("dragging");
  });
  document.addEventListener("dragleave", function (event) {
    var zone = dropzone();
    if (zone && !event.relatedTarget) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", function (event) {
    var zone = dropzone();
    if (!zone || !carriesFiles(event)) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    var input = zone.querySelector("input[type=file]:not([capture])");
    if (!input || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    sendPhoto(input);
  });

  // Upload progress: htmx reports upload (and then download) progress on the form.
  function progressParts(form) {
    var box = form.querySelector("[data-upload-progress]");
    return box && {
      box: box,
      bar: box.querySelector("progress"),
      text: box.querySelector("[data-upload-percent]"),
      label: box.querySelector("label")
    };
  }
  function hasFile(form) {
    return Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files && input.files.length > 0;
    });
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.studio")) return;
    var parts = progressParts(form);
    if (!parts) return;
    parts.box.hidden = false;
    parts.bar.value = 0;
    parts.text.textContent = "0 %";
    parts.label.textContent = hasFile(form) ? "Uploading your photo…" : "Starting your preview…";
    form.dataset.uploadMax = "0";
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.studio") || !event.detail.total) return;
    var parts = progressParts(form);
    if (!parts) return;
    var percent = Math.round((100 * event.detail.loaded) / event.detail.total);
    percent = Math.max(percent, Number(form.dataset.uploadMax || 0));
    form.dataset.uploadMax = String(percent);
    parts.bar.value = percent;
    parts.text.textContent = percent + " %";
    if (percent >= 100) parts.label.textContent = "Uploaded. Starting your free preview…";
  });
  function requestFailed(event) {
    var form = studioOf(event.target);
    if (!form) return;
    var parts = progressParts(form);
    if (parts) parts.box.hidden = true;
    showUploadError(form, "The connection failed or the server had a problem. Please try again.");
  }
  document.addEventListener("htmx:responseError", requestFailed);
  document.addEventListener("htmx:sendError", requestFailed);

  // After a new preview starts, bring it into view on small screens.
  document.addEventListener("htmx:load", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.studio[data-new-order]")) return;
    var result = form.querySelector("#studio-result");
    if (!result) return;
    var box = result.getBoundingClientRect();
    if (box.top < 0 || box.top > window.innerHeight * 0.6) {
      result.scrollIntoView({ block: "start" });
    }
  });

  // A payment button works once: a double tap must not buy twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-once]")) return;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.setAttribute("aria-disabled", "true");
      button.textContent = "Paying…";
    }
  });

  // Picking a colour in the colour well chooses "Other colour"; a gradient colour ticks it.
  document.addEventListener("input", function (event) {
    var input = event.target;
    var form = studioOf(input);
    if (!form || input.type !== "color") return;
    var tick = input.name === "bg_custom"
      ? form.querySelector("input[name=bg_color][value=custom]")
      : form.querySelector("input[name=gradient]");
    if (tick) tick.checked = true;
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });
})();
