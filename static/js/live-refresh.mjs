// Progressive enhancement for the managers' dashboard: fetch the page again
// every minute and swap in the fresh figures. Without JavaScript the page
// offers a Reload link instead; nothing depends on this file.
//
// Content that updates itself must be possible to pause (WCAG 2.2.2): a
// "Pause updates" button, before the figures, stops the swapping until it is
// pressed again; the choice is remembered on this computer. Nothing is swapped
// while focus is among the figures, so a keyboard or screen reader user is not
// moved from where they are.
const region = document.getElementById("dashboard-live");
const PAUSED_KEY = "front-door:dashboard-updates-paused";

const remembered = () => {
  try {
    return window.localStorage.getItem(PAUSED_KEY) === "1";
  } catch {
    return false; // storage refused: start with updates on
  }
};

const remember = (paused) => {
  try {
    window.localStorage.setItem(PAUSED_KEY, paused ? "1" : "0");
  } catch {
    // storage refused: the choice lasts until the page is left
  }
};

if (region) {
  const seconds = Number(region.dataset.refreshSeconds || "60");
  region.setAttribute("aria-live", "off"); // figures change quietly; focus stays put
  document.body.classList.add("app-live");
  let paused = remembered();

  const controls = document.createElement("div");
  controls.className = "govuk-button-group app-live-controls";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary";
  button.dataset.module = "govuk-button";
  const status = document.createElement("p");
  status.className = "govuk-body-s";
  status.setAttribute("role", "status");
  controls.append(button, status);
  region.before(controls);

  const show = () => {
    button.textContent = paused ? "Resume updates" : "Pause updates";
    button.setAttribute("aria-pressed", paused ? "true" : "false");
    status.textContent = paused
      ? "Updates are paused: the figures below stay as they are until you resume."
      : `The figures below update every ${seconds === 60 ? "minute" : `${seconds} seconds`}.`;
  };

  const refresh = async () => {
    if (document.hidden || paused) return;
    try {
      const response = await fetch(window.location.href, {
        credentials: "same-origin",
        // A refresh is not someone using the page: it must not keep the session open.
        headers: { "X-Requested-With": "fetch", "X-Front-Door-Background": "1" },
      });
      if (!response.ok || response.redirected) return; // signed out or an error: leave the page as it is
      const html = await response.text();
      const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("dashboard-live");
      if (fresh && !paused && !region.contains(document.activeElement)) {
        region.innerHTML = fresh.innerHTML;
      }
    } catch {
      // Offline for a moment: try again next time.
    }
  };

  button.addEventListener("click", () => {
    paused = !paused;
    remember(paused);
    show();
    if (!paused) refresh();
  });
  show();

  window.setInterval(refresh, seconds * 1000);
  // Coming back to the tab refreshes at once; so does an "app:refresh" event.
  document.addEventListener("visibilitychange", refresh);
  document.addEventListener("app:refresh", refresh);
}
