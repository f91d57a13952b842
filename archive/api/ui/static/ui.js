// The only script: a file dropped on (or chosen in) a field marked data-autosubmit sends its form.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (input instanceof HTMLInputElement && input.type === "file" && input.dataset.autosubmit !== undefined && input.files.length) {
    input.form.requestSubmit();
  }
});
