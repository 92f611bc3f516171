// « Imprimer »: a button that opens the browser's print dialog. Without JavaScript it stays
// hidden, and the browser's own Print (Ctrl+P) gives the same page: static/css/print.css.
"use strict";

for (const button of document.querySelectorAll("button[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
