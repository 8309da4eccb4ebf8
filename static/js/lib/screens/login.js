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
  const form = h('form', {class: 'card login', novalidate: true},
    h('h1', {}, t('login.title')),
    reason ? h('p', {class: 'msg msg-warn'}, t(reason)) : h('p', {class: 'muted'}, t('login.intro')),
    h('label', {for: 'login-username'}, t('login.username')), username,
    h('label', {for: 'login-password'}, t('login.password')), password,
    error, button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    button.disabled = true;
    try {
      const answer = await call('POST', '/token', {json: {username: username.value.trim(), password: password.value,
                                                          label: 'RaSoat collector'}});
      if (answer.status === 201) {
        await onToken(answer.body);
        return;
      }
      const problem = problemOf(answer);
      error.textContent = `${t('login.failed')}: ${pick(problem.message) || problem.code}`;
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
