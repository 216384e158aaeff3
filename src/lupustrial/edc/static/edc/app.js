// The page's only script of its own, so that the Content-Security-Policy allows no inline one:
// a <select data-submit-on-change> submits its form when changed (the language switch).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.dataset.submitOnChange !== undefined) {
    target.form?.submit();
  }
});
