// The token dialog: shown when the server answers 401 (it was started with --token). It asks for
// the token once; api.js keeps it in localStorage and sends it on every request.

export class TokenDialog {
  constructor(dialog) {
    this.dialog = dialog;
    this.form = dialog.querySelector("form");
    this.input = dialog.querySelector("#token-input");
    this.rejected = dialog.querySelector("#token-rejected");
    this.dialog.addEventListener("cancel", (ev) => ev.preventDefault()); // Escape: the studio needs the token
  }

  /** Resolves with the token the user enters; `rejected` says the last one was refused. */
  ask({ rejected }) {
    this.rejected.hidden = !rejected;
    this.input.value = "";
    this.dialog.showModal();
    this.input.focus();
    return new Promise((resolve) => {
      const submit = (ev) => {
        ev.preventDefault();
        const token = this.input.value.trim();
        if (!token) { this.input.focus(); return; }
        this.form.removeEventListener("submit", submit);
        this.dialog.close();
        resolve(token);
      };
      this.form.addEventListener("submit", submit);
    });
  }
}
