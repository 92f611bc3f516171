// « Ajouter une ligne » on the event form, without a round trip to the server.
// Without this file the same button submits the form, and the server shows it again with
// what was typed and one more blank line: the script only saves that round trip.
(function () {
  "use strict";

  function renumber(row, index) {
    row.querySelectorAll("[name], [id], [for]").forEach(function (element) {
      ["name", "id", "for"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) {
          element.setAttribute(attribute, value.replace(/^items-\d+-/, "items-" + index + "-"));
        }
      });
    });
  }

  function blank(row) {
    row.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      input.removeAttribute("aria-invalid");
    });
    row.querySelectorAll("select").forEach(function (select) {
      var chosen = select.querySelector("option[selected]") || select.options[0];
      select.value = chosen ? chosen.value : "";
    });
    row.querySelectorAll(".field-error").forEach(function (error) {
      error.remove();
    });
  }

  function addRow(button) {
    var body = document.getElementById(button.getAttribute("aria-controls"));
    var rows = body ? body.querySelectorAll("tr") : [];
    if (!rows.length) {
      return false;
    }
    var row = rows[rows.length - 1].cloneNode(true);
    renumber(row, rows.length);
    blank(row);
    body.appendChild(row);
    var first = row.querySelector("input, select");
    if (first) {
      first.focus();
    }
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-add-row]");
    if (button && addRow(button)) {
      event.preventDefault();
    }
  });
})();
