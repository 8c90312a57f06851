// Progressive enhancement only: every page works without this file.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();

// Questions that matter only after a given answer (core.forms.Reveal): shown
// once that answer is chosen. Without this file they are always shown, under
// a heading that says when to answer them. A group with an error stays open.
for (const group of document.querySelectorAll('[data-module="app-reveal"]')) {
  const values = (group.dataset.revealValues || "").split(" ");
  const radios = [...document.querySelectorAll('input[type="radio"]')].filter(
    (input) => input.name === group.dataset.revealField,
  );
  const controlling = radios.filter((input) => values.includes(input.value));
  const update = () => {
    const open =
      controlling.some((input) => input.checked) ||
      group.querySelector(".govuk-form-group--error") !== null;
    group.hidden = !open;
  };
  for (const input of controlling) input.setAttribute("aria-controls", group.id);
  for (const input of radios) input.addEventListener("change", update);
  update();
}
