"use strict";
// Spec change form: redraw the face-geometry preview and the colour swatches as the staff
// member types (the SVG comes from the admin's geometry-preview endpoint).
(function () {
  const FIELDS = ["px_width", "px_height", "bg_colors"];
  for (const band of ["head_top", "eyes_top", "chin_top", "face_height", "face_width"]) {
    FIELDS.push(band + "_min", band + "_max");
  }
  const HEX = /^[0-9A-F]{6}$/;

  function value(name) {
    const input = document.getElementById("id_" + name);
    return input ? input.value.trim() : "";
  }

  function colours() {
    return value("bg_colors").split(/[\s,;]+/).map((c) => c.replace(/^#/, "").toUpperCase())
      .filter((c) => HEX.test(c));
  }

  function redrawSwatches() {
    const box = document.getElementById("bg-swatches");
    if (!box) return;
    box.replaceChildren();
    const list = colours();
    if (!list.length) {
      const any = document.createElement("span");
      any.className = "swatch-any";
      any.textContent = "any colour";
      box.append(any);
    }
    for (const colour of list) {
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = "#" + colour;
      swatch.title = "#" + colour;
      box.append(swatch);
    }
  }

  function redrawPreview(img) {
    const params = new URLSearchParams();
    for (const name of FIELDS) {
      const v = value(name);
      if (v) params.set(name, v);
    }
    if (!params.get("px_width") || !params.get("px_height")) return;
    const url = img.dataset.base + "?" + params.toString();
    // Swap only once the new drawing loaded: a half-typed value keeps the last good one.
    const probe = new Image();
    probe.onload = () => { img.src = url; img.classList.remove("stale"); };
    probe.onerror = () => img.classList.add("stale");
    probe.src = url;
  }

  function start() {
    const img = document.getElementById("geometry-preview");
    let timer = null;
    document.addEventListener("input", (event) => {
      const name = event.target && event.target.name;
      if (!FIELDS.includes(name)) return;
      if (name === "bg_colors") redrawSwatches();
      if (!img) return;
      clearTimeout(timer);
      timer = setTimeout(() => redrawPreview(img), 150);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
