// Progressive enhancement: warn before the session times out, and offer to
// stay signed in. Without JavaScript the server still signs out an unused
// session (portal.middleware.IdleTimeoutMiddleware) and keeps a form that
// arrives late for the person to save after signing in again.
const dialog = document.querySelector('[data-module="app-session-timeout"]');

if (dialog && typeof dialog.showModal === "function") {
  const timeout = Number(dialog.dataset.timeout);
  const warning = Number(dialog.dataset.warning);
  const url = dialog.dataset.keepAlive;
  const form = dialog.querySelector("form");
  const left = dialog.querySelector("[data-timeout-left]");
  const background = { "X-Front-Door-Background": "1" };
  let warnTimer;
  let endTimer;
  let tick;

  const describe = (seconds) => {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minute${minutes === 1 ? "" : "s"}`;
    }
    return `${seconds} second${seconds === 1 ? "" : "s"}`;
  };

  const signedOut = () => {
    const next = window.location.pathname + window.location.search;
    window.location.assign(`/sign-in/?timed_out=1&next=${encodeURIComponent(next)}`);
  };

  // Another tab may have kept the session going: ask before acting.
  const check = async () => {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: background });
      if (!response.ok || response.redirected) return signedOut();
      const { seconds_left: secondsLeft, signed_out: out } = await response.json();
      if (out) return signedOut();
      return secondsLeft;
    } catch {
      return null; // offline for a moment: the server still decides
    }
  };

  const schedule = (secondsLeft) => {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    window.clearInterval(tick);
    warnTimer = window.setTimeout(warn, Math.max(secondsLeft - warning, 0) * 1000);
    endTimer = window.setTimeout(end, secondsLeft * 1000);
  };

  const warn = async () => {
    const secondsLeft = await check();
    if (secondsLeft == null) return;
    if (secondsLeft === 0) return end();
    if (secondsLeft > warning) return schedule(secondsLeft);
    let remaining = secondsLeft;
    left.textContent = describe(remaining);
    tick = window.setInterval(() => {
      remaining = Math.max(remaining - 1, 0);
      left.textContent = describe(remaining);
    }, 1000);
    if (!dialog.open) dialog.showModal();
  };

  const end = async () => {
    const secondsLeft = await check();
    if (secondsLeft == null) return;
    if (secondsLeft > 0) {
      if (dialog.open) dialog.close();
      return schedule(secondsLeft);
    }
    signedOut();
  };

  const stay = async () => {
    try {
      const response = await fetch(url, { method: "POST", credentials: "same-origin", body: new FormData(form) });
      if (!response.ok || response.redirected) return signedOut();
      const { seconds_left: secondsLeft, signed_out: out } = await response.json();
      if (out) return signedOut();
      if (dialog.open) dialog.close();
      schedule(secondsLeft);
    } catch {
      signedOut();
    }
  };

  form.addEventListener("submit", (event) => {
    if (event.submitter && event.submitter.hasAttribute("formaction")) return; // Sign out
    event.preventDefault();
    stay();
  });
  // Escape means "not now": the same as staying signed in.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    stay();
  });

  schedule(timeout);
}
