// The collector's own login screen: a username and password exchanged for a bearer token, kept for its lifetime.
import {call, NetworkError, problemOf} from '../api.js';
import {pick, t} from '../i18n.js';
import {h, replace} from './dom.js';

export function showLogin(root, {reason, onToken, languageButton}) {
  const error = h('p', {class: 'msg msg-error', role: 'alert', hidden: true});
  const username = h('input', {id: 'login-username', name: 'username', autocomplete: 'username', required: true,
                               autocapitalize: 'none', spellcheck: 'false'});
  const password = h('input', {id: 'login-password', name: 'password', type: 'password',
                               autocomplete: 'current-password', required: true});
  const button = h('button', {class: 'btn btn-primary', type: 'submit'}, t('login.submit'));
  // A message under each field (an empty one is caught here; the server names the others).
  const fields = {username, password};
  const notes = {};
  for (const [name, input] of Object.entries(fields)) {
    notes[name] = h('p', {class: 'field-error', id: `login-${name}-error`, hidden: true});
    input.setAttribute('aria-describedby', notes[name].id);
  }
  const form = h('form', {class: 'card login', novalidate: true},
    h('h1', {}, t('login.title')),
    reason ? h('p', {class: 'msg msg-warn'}, t(reason)) : h('p', {class: 'muted'}, t('login.intro')),
    h('label', {for: 'login-username'}, t('login.username')), username, notes.username,
    h('label', {for: 'login-password'}, t('login.password')), password, notes.password,
    error, button);
  const note = (name, text) => {
    notes[name].textContent = text || '';
    notes[name].hidden = !text;
    fields[name].setAttribute('aria-invalid', text ? 'true' : 'false');
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    note('username', null);
    note('password', null);
    const name = username.value.trim();
    if (!name || !password.value) {
      if (!name) note('username', t('login.username_required'));
      if (!password.value) note('password', t('login.password_required'));
      (name ? password : username).focus();
      return;
    }
    button.disabled = true;
    try {
      const answer = await call('POST', '/token', {json: {username: name, password: password.value,
                                                          label: 'RaSoat collector'}});
      if (answer.status === 201) {
        await onToken(answer.body);
        return;
      }
      const problem = problemOf(answer);
      const named = (problem.fields || []).filter((f) => f && Object.hasOwn(fields, f.path));
      for (const f of named) note(f.path, pick(f.message) || f.code);
      const parts = [`${t('login.failed')}: `, pick(problem.message) || problem.code];
      if (problem.code === 'password_change_required') {
        // The one-time password an administrator gave is changed on the website (this browser), then used here.
        parts.push(' ', h('a', {href: '/account/password'}, t('login.change_password')));
      }
      error.replaceChildren(...parts);
      if (named.length) fields[named[0].path].focus();
    } catch (e) {
      error.textContent = e instanceof NetworkError ? t('login.offline') : `${t('login.failed')}: ${e.message}`;
    } finally {
      button.disabled = false;
    }
    error.hidden = false;
  });
  replace(root, h('header', {class: 'bar'}, h('span', {class: 'brand'}, 'RaSoat'), languageButton()), form);
  username.focus();
}
