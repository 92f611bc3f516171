// The attendance sheet, enhanced: « Tous présents » fills the half-day in the page, without
// the round trip the button makes without JavaScript. Nothing is saved until « Enregistrer ».
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[name='all_present'][data-suffix]");
  if (!button) return;
  event.preventDefault();
  const form = button.form;
  const suffix = button.dataset.suffix;
  for (const empty of form.querySelectorAll("input[type='radio'][value='']:checked")) {
    if (!empty.name.startsWith("status_") || !empty.name.endsWith(suffix)) continue;
    const present = form.querySelector(`input[type='radio'][name='${empty.name}'][value='present']`);
    if (present) present.checked = true;
  }
  const status = form.querySelector("[data-all-present-status]");
  if (status) status.textContent = button.dataset.done;
});
