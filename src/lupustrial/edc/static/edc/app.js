// The page's only script of its own, so that the Content-Security-Policy allows no inline one:
// a <select data-submit-on-change> submits its form when changed (the language switch); a
// CTCAE term's "use" button fills the adverse-event form's term code (and the term, if empty).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.dataset.submitOnChange !== undefined) {
    target.form?.submit();
  }
});

// Lists as rows: "Add a row" shows the next hidden blank row; "Remove" empties a row and hides
// it (an emptied row is dropped on save, as the form reads blank rows as absent).
document.addEventListener("click", (event) => {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return;
  if (target.dataset.addRow !== undefined) {
    const list = target.closest("[data-list]");
    const next = list?.querySelector("tr[data-row][hidden]");
    if (next instanceof HTMLElement) {
      next.hidden = false;
      next.querySelector("input, select, textarea")?.focus();
    }
    if (!list?.querySelector("tr[data-row][hidden]")) target.hidden = true;
  } else if (target.dataset.removeRow !== undefined) {
    const row = target.closest("tr");
    row?.querySelectorAll("input, select, textarea").forEach((input) => {
      if (input instanceof HTMLInputElement && (input.type === "radio" || input.type === "checkbox")) {
        input.checked = input.type === "radio" && input.value === "";
      } else if (input instanceof HTMLSelectElement) {
        input.selectedIndex = 0;
      } else if (input instanceof HTMLInputElement || input instanceof HTMLTextAreaElement) {
        input.value = "";
      }
    });
    row?.closest("[data-list]")?.querySelector("[data-add-row]")?.removeAttribute("hidden");
    if (row) row.hidden = true;
    row?.closest("form")?.dispatchEvent(new Event("change", { bubbles: true }));
  } else if (target.dataset.markAbsent !== undefined) {
    // "Mark all unanswered absent": every descriptor still "not assessed" becomes "absent".
    const form = target.closest("form");
    form?.querySelectorAll("tr[data-descriptor]").forEach((row) => {
      const unanswered = row.querySelector('input[type="radio"][value=""]');
      const absent = row.querySelector('input[type="radio"][value="false"]');
      if (unanswered instanceof HTMLInputElement && unanswered.checked && absent instanceof HTMLInputElement) {
        absent.checked = true;
      }
    });
    form?.dispatchEvent(new Event("change", { bubbles: true }));
  }
});

// Locking asks first (the button's data-confirm names what is still open).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// The screening form in sections: one shown at a time (the first with an error, else the
// first), chosen by its tab or "Next section"; without this script every section shows.
function showSection(root, key) {
  root.querySelectorAll("[data-section]").forEach((section) => {
    if (section instanceof HTMLElement) section.hidden = section.dataset.section !== key;
  });
  root.querySelectorAll("[data-section-tab]").forEach((tab) => {
    if (tab instanceof HTMLElement) {
      tab.setAttribute("aria-current", tab.dataset.sectionTab === key ? "true" : "false");
    }
  });
}
document.querySelectorAll("[data-sections]").forEach((root) => {
  const first = root.querySelector("[data-section][data-error]") || root.querySelector("[data-section]");
  if (first instanceof HTMLElement && first.dataset.section) showSection(root, first.dataset.section);
});
document.addEventListener("click", (event) => {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return;
  const root = target.closest("[data-sections]");
  if (!root) return;
  if (target.dataset.sectionTab) {
    showSection(root, target.dataset.sectionTab);
  } else if (target.dataset.nextSection !== undefined) {
    const next = target.closest("[data-section]")?.nextElementSibling;
    if (next instanceof HTMLElement && next.dataset.section) {
      showSection(root, next.dataset.section);
      next.querySelector("input, select, textarea")?.focus();
      root.scrollIntoView();
    }
  }
});

const ctcaeCode = () => document.getElementById("id_ctcae_code");

document.addEventListener("DOMContentLoaded", () => {
  // The "use" buttons show only where there is a form to fill (the adverse-event page).
  if (ctcaeCode()) document.body.classList.add("can-pick-ctcae");
});

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-ctcae-code]") : null;
  const code = ctcaeCode();
  if (!(button instanceof HTMLElement) || !code) return;
  code.value = button.dataset.ctcaeCode ?? "";
  const term = document.getElementById("id_term");
  if (term instanceof HTMLInputElement && !term.value) term.value = button.dataset.ctcaeTerm ?? "";
  document.getElementById("id_grade")?.focus();
});
