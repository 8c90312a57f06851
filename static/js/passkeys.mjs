// Passkeys (WebAuthn): "Use a passkey" on the code page and "Add a passkey"
// on Your account. A passkey can only be reached through the browser's
// JavaScript API, so this is the one part of Front Door that needs it. The
// server puts the WebAuthn options on the form (data-options); this file asks
// the browser for the passkey and posts its answer with the form, as an
// ordinary form post: the server checks the answer and shows any problem in
// the error summary. Without JavaScript, or in a browser without passkeys,
// the passkey forms stay hidden and the pages say to use a code instead.

const toBytes = (base64url) => {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
};

const toBase64url = (buffer) => {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const withIds = (list) => (list || []).map((item) => ({ ...item, id: toBytes(item.id) }));

// The options arrive as JSON (byte strings in base64url); the browser wants bytes.
const creationOptions = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  user: { ...options.user, id: toBytes(options.user.id) },
  excludeCredentials: withIds(options.excludeCredentials),
});

const requestOptions = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  allowCredentials: withIds(options.allowCredentials),
});

// The browser's answer as the JSON the server reads (WebAuthn Level 3's
// toJSON(), written out so that browsers without it work too).
const asJSON = (credential) => {
  const { response } = credential;
  const json = {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || null,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: { clientDataJSON: toBase64url(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    json.response.attestationObject = toBase64url(response.attestationObject);
    json.response.transports =
      typeof response.getTransports === "function" ? response.getTransports() : [];
  } else {
    json.response.authenticatorData = toBase64url(response.authenticatorData);
    json.response.signature = toBase64url(response.signature);
    json.response.userHandle = response.userHandle ? toBase64url(response.userHandle) : null;
  }
  return json;
};

const supported =
  typeof window.PublicKeyCredential === "function" &&
  navigator.credentials &&
  typeof navigator.credentials.create === "function";

const forms = document.querySelectorAll('form[data-module="app-passkey"]');

if (supported && forms.length) {
  for (const element of document.querySelectorAll("[data-passkey-fallback]")) element.hidden = true;
  for (const element of document.querySelectorAll("[data-passkey-available]")) element.hidden = false;

  for (const form of forms) {
    const options = JSON.parse(form.dataset.options);
    const create = form.dataset.ceremony === "create";
    const maxLength = Number(form.dataset.nameMaxLength || 0);
    let busy = false;

    form.addEventListener("submit", async (event) => {
      // A missing or too long name is for the server to explain, before any
      // passkey is made that Front Door would then not keep.
      const name = form.elements.namedItem("name");
      if (name && (!name.value.trim() || (maxLength && name.value.trim().length > maxLength))) {
        return;
      }
      event.preventDefault();
      if (busy) return;
      busy = true;
      try {
        const credential = create
          ? await navigator.credentials.create({ publicKey: creationOptions(options) })
          : await navigator.credentials.get({ publicKey: requestOptions(options) });
        form.elements.namedItem("credential").value = JSON.stringify(asJSON(credential));
      } catch (error) {
        // Cancelled, timed out, or already added: the server says which.
        form.elements.namedItem("problem").value = (error && error.name) || "Error";
      }
      form.submit();
    });
  }
}
