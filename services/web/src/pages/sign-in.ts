import { type Html, html } from '../html.js';
import type { SignedIn } from '../layout.js';

/** Only a path on this site is taken as where to go after signing in (the session routes check it again). */
const localPath = (next: string | undefined) => (next && /^\/(?![/\\])/.test(next) ? next : '/');

/** The sign-in form: user name and password, posted to the session routes, which send the person on to `next`. */
export function signInPage(options: { failed: boolean; next: string | undefined; signedIn: SignedIn | undefined }): Html {
  const next = localPath(options.next);
  return html`<h1>Sign in to Beacon</h1>
    ${options.signedIn && html`<p class="notice" role="status">You are signed in as <strong>${options.signedIn.name}</strong>. <a href="${next}">Carry on</a>, or sign in as someone else below.</p>`}
    ${
      options.failed &&
      html`<p class="notice problem" role="alert"><strong>Wrong name or password.</strong> Check both and try again; after 10 tries in 15 minutes, wait a quarter of an hour.
        If you have forgotten your password, ask a Beacon administrator to set a new one.</p>`
    }
    <form class="sign-in" method="post" action="/sign-in">
      <input type="hidden" name="next" value="${next}">
      <label>User name
        <input name="user" required autocomplete="username" autocapitalize="none" spellcheck="false">
      </label>
      <label>Password
        <input name="password" type="password" required autocomplete="current-password">
      </label>
      <p><button type="submit">Sign in</button></p>
    </form>
    <p class="muted">Accounts are given by a Beacon administrator. The first administrator's password is printed once, by the first <code>npm start</code>.
      Machines send an API token instead: <code>Authorization: Bearer …</code>.</p>`;
}
