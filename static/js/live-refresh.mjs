// Progressive enhancement for the managers' dashboard: fetch the page again
// every minute and swap in the fresh figures. Without JavaScript the page
// offers a Reload link instead; nothing depends on this file.
const region = document.getElementById("dashboard-live");

if (region) {
  const seconds = Number(region.dataset.refreshSeconds || "60");
  region.setAttribute("aria-live", "off"); // figures change quietly; focus stays put
  document.body.classList.add("app-live");

  const refresh = async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(window.location.href, {
        credentials: "same-origin",
        // A refresh is not someone using the page: it must not keep the session open.
        headers: { "X-Requested-With": "fetch", "X-Front-Door-Background": "1" },
      });
      if (!response.ok || response.redirected) return; // signed out or an error: leave the page as it is
      const html = await response.text();
      const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("dashboard-live");
      if (fresh && !region.contains(document.activeElement)) {
        region.innerHTML = fresh.innerHTML;
      }
    } catch {
      // Offline for a moment: try again next time.
    }
  };

  window.setInterval(refresh, seconds * 1000);
  // Coming back to the tab refreshes at once; so does an "app:refresh" event.
  document.addEventListener("visibilitychange", refresh);
  document.addEventListener("app:refresh", refresh);
}
