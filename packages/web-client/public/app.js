// @ts-check
// The reference client's screen: sign up, log in, create or join a meeting, watch its
// participants live, log out (here or everywhere); my activity and the admin page live in
// pages.js. Plain DOM, no framework, no build step.
import { ApiError, createApi } from './api.js';
import { followMeeting } from './events.js';
import { setUpPages } from './pages.js';
import { setUpSecurity } from './security.js';

/** @typedef {import('./api.js').Meeting} Meeting */
/** @typedef {import('./api.js').Participant} Participant */

/**
 * @template {HTMLElement} T
 * @param {string} id @param {new () => T} type
 * @returns {T}
 */
function byId(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`#${id} is missing`);
  return el;
}

const ui = {
  whoami: byId('whoami', HTMLElement),
  accountActions: byId('account-actions', HTMLElement),
  message: byId('message', HTMLElement),
  signedOut: byId('signed-out', HTMLElement),
  signedIn: byId('signed-in', HTMLElement),
  signup: byId('signup', HTMLFormElement),
  createMeeting: byId('create-meeting', HTMLFormElement),
  joinMeeting: byId('join-meeting', HTMLFormElement),
  meeting: byId('meeting', HTMLElement),
  meetingTitle: byId('meeting-title', HTMLElement),
  meetingCode: byId('meeting-code', HTMLOutputElement),
  copyCode: byId('copy-code', HTMLButtonElement),
  copyStatus: byId('copy-status', HTMLElement),
  liveStatus: byId('live-status', HTMLElement),
  participantCount: byId('participant-count', HTMLElement),
  participants: byId('participants', HTMLUListElement),
  leave: byId('leave-meeting', HTMLButtonElement),
  end: byId('end-meeting', HTMLButtonElement),
  avatarForm: byId('avatar', HTMLFormElement),
  avatarCurrent: byId('avatar-current', HTMLImageElement),
  avatarPreview: byId('avatar-preview', HTMLImageElement),
  avatarRemove: byId('avatar-remove', HTMLButtonElement),
  logout: byId('logout', HTMLButtonElement),
  logoutAll: byId('logout-all', HTMLButtonElement),
};

/** @typedef {{ meeting: Meeting, participants: Map<string, Participant>, stream: AbortController }} OpenMeeting */

/** @type {OpenMeeting | null} */
let current = null;

const api = createApi({
  onSignedOut(reason) {
    closeMeeting();
    render();
    const why = reason.startsWith('LOGGED_OUT') ? '' : ` (${reason})`;
    say(`Signed out${why}.`);
  },
});

/** @param {string} text */
function say(text) {
  ui.message.textContent = text;
}

/** @param {unknown} error */
function explain(error) {
  say(error instanceof ApiError ? `${error.message} [${error.code}]` : `Something went wrong: ${String(error)}`);
}

/** @param {HTMLFormElement} form @param {string} name */
function field(form, name) {
  const el = form.elements.namedItem(name);
  if (!(el instanceof HTMLInputElement)) throw new Error(`${form.id} has no field ${name}`);
  return el;
}

function render() {
  const user = api.user;
  ui.signedOut.hidden = user !== null;
  ui.signedIn.hidden = user === null;
  ui.accountActions.hidden = user === null;
  ui.whoami.textContent = user ? `Signed in as ${user.username}` : 'Not signed in';
  // My activity and (for admins) the admin page: which page shows, and the navigation.
  pages.render();
  const avatarUrl = user?.avatarUrl ?? null;
  ui.avatarCurrent.hidden = avatarUrl === null;
  if (avatarUrl !== null && ui.avatarCurrent.src !== avatarUrl) ui.avatarCurrent.src = avatarUrl;
  ui.avatarRemove.hidden = avatarUrl === null;
  ui.meeting.hidden = current === null;
  if (current === null) return;
  const { meeting, participants } = current;
  const isHost = user !== null && meeting.hostId === user.id;
  ui.meetingTitle.textContent = meeting.title;
  ui.meetingCode.value = meeting.code;
  ui.leave.hidden = isHost || meeting.status === 'ended';
  ui.end.hidden = !isHost || meeting.status === 'ended';
  const people = [...participants.values()].sort((a, b) => a.joinedAt.localeCompare(b.joinedAt));
  ui.participantCount.textContent = String(people.length);
  ui.participants.replaceChildren(
    ...people.map((p) => {
      const li = document.createElement('li');
      li.dataset.userId = p.userId;
      if (p.avatarUrl) {
        // Decorative: the name next to it says who it is.
        const img = Object.assign(document.createElement('img'), { src: p.avatarUrl, alt: '', className: 'avatar', loading: 'lazy' });
        li.append(img);
      }
      li.append(p.role === 'host' ? `${p.username} (host)` : p.username);
      return li;
    }),
  );
}

function closeMeeting() {
  current?.stream.abort();
  current = null;
  ui.liveStatus.textContent = '';
  ui.copyStatus.textContent = '';
}

/** @param {import('./events.js').StreamEvent} event */
function applyEvent(event) {
  if (current === null || typeof event.data !== 'object' || event.data === null) return;
  const data = /** @type {Record<string, unknown>} */ (event.data);
  if (data.meetingId !== current.meeting.id) return;
  if (event.type === 'participant.joined') {
    const participant = /** @type {Participant} */ (data.participant);
    current.participants.set(participant.userId, participant);
  } else if (event.type === 'participant.left' && typeof data.userId === 'string') {
    current.participants.delete(data.userId);
  } else if (event.type === 'meeting.ended') {
    current.meeting = { ...current.meeting, status: 'ended' };
    current.stream.abort();
    ui.liveStatus.textContent = 'This meeting has ended.';
  }
  render();
}

/**
 * Subscribes first, then loads the participant list: a change in between arrives as an event
 * and is applied on top of the snapshot (upserts and removals are idempotent).
 * @param {Meeting} meeting
 */
async function openMeeting(meeting) {
  closeMeeting();
  const stream = new AbortController();
  /** @type {OpenMeeting} */
  const state = { meeting, participants: new Map(), stream };
  current = state;
  render();
  /** @type {import('./events.js').StreamEvent[] | null} */
  let early = [];
  /** @type {() => void} */
  let markLive = () => {};
  let connections = 0;
  const live = new Promise((resolve) => {
    markLive = () => resolve(undefined);
  });
  void followMeeting(meeting.id, {
    getToken: () => api.accessToken(),
    refresh: () => api.refresh(),
    signal: stream.signal,
    onEvent(event) {
      if (early) early.push(event);
      else applyEvent(event);
    },
    onState(streamState, detail) {
      if (current !== state || state.meeting.status === 'ended') return;
      const text = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', closed: 'Not live' }[streamState];
      ui.liveStatus.textContent = detail ? `${text} (${detail})` : text;
      if (streamState !== 'live') return;
      connections += 1;
      markLive();
      // Events sent while we were away are not replayed: reload the list after a reconnection.
      if (connections > 1) void reloadParticipants(state);
    },
  });
  // Wait briefly for the subscription; the list is loaded either way.
  await Promise.race([live, new Promise((resolve) => setTimeout(resolve, 3000))]);
  try {
    for (const p of await api.participants(meeting.id)) if (p.leftAt === null) state.participants.set(p.userId, p);
  } catch (error) {
    explain(error);
  }
  const pending = early;
  early = null;
  if (current !== state) return;
  render();
  for (const event of pending) applyEvent(event);
}

/** @param {OpenMeeting} state */
async function reloadParticipants(state) {
  try {
    const people = await api.participants(state.meeting.id);
    state.participants = new Map(people.filter((p) => p.leftAt === null).map((p) => [p.userId, p]));
    if (current === state) render();
  } catch (error) {
    explain(error);
  }
}

ui.signup.addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = ui.signup;
  const username = field(form, 'username').value.trim();
  try {
    await api.register({ email: field(form, 'email').value.trim(), username, password: field(form, 'password').value });
    form.reset();
    field(/** @type {HTMLFormElement} */ (document.getElementById('login')), 'identifier').value = username;
    say(`Account ${username} created. Log in to continue.`);
  } catch (error) {
    explain(error);
  }
});

ui.createMeeting.addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const meeting = await api.createMeeting(field(ui.createMeeting, 'title').value.trim());
    ui.createMeeting.reset();
    say(`Meeting created. Share its code: ${meeting.code}`);
    await openMeeting(meeting);
  } catch (error) {
    explain(error);
  }
});

ui.joinMeeting.addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { meeting } = await api.joinMeeting(field(ui.joinMeeting, 'code').value.trim());
    ui.joinMeeting.reset();
    say(`Joined ${meeting.title}.`);
    await openMeeting(meeting);
  } catch (error) {
    explain(error);
  }
});

ui.copyCode.addEventListener('click', async () => {
  const code = ui.meetingCode.value;
  try {
    // The async clipboard exists only in secure contexts (https, localhost); elsewhere fall
    // back to a selection copy.
    if (navigator.clipboard) await navigator.clipboard.writeText(code);
    else {
      const scratch = Object.assign(document.createElement('textarea'), { value: code });
      document.body.append(scratch);
      scratch.select();
      const copied = document.execCommand('copy');
      scratch.remove();
      if (!copied) throw new Error('copy refused');
    }
    ui.copyStatus.textContent = 'Copied';
  } catch {
    ui.copyStatus.textContent = 'Copy failed: select the code and copy it by hand';
  }
});

ui.leave.addEventListener('click', async () => {
  if (current === null) return;
  try {
    await api.leaveMeeting(current.meeting.id);
    closeMeeting();
    render();
    say('You left the meeting.');
  } catch (error) {
    explain(error);
  }
});

ui.end.addEventListener('click', async () => {
  if (current === null) return;
  try {
    const meeting = await api.endMeeting(current.meeting.id);
    current.meeting = meeting;
    render();
  } catch (error) {
    explain(error);
  }
});

const pages = setUpPages({ api, say, explain, renderApp: render });
const security = setUpSecurity({ api, say, explain, render });

/** The object URL of the picture being previewed, released when replaced. */
let previewUrl = '';
function clearPreview() {
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = '';
  ui.avatarPreview.hidden = true;
  ui.avatarPreview.removeAttribute('src');
}

function chosenPicture() {
  const input = ui.avatarForm.elements.namedItem('file');
  if (!(input instanceof HTMLInputElement)) throw new Error('avatar has no file field');
  return input.files?.[0] ?? null;
}

// A local preview (nothing is sent yet): the browser decodes the file as the service will.
ui.avatarForm.addEventListener('change', () => {
  clearPreview();
  const file = chosenPicture();
  if (file === null) return;
  previewUrl = URL.createObjectURL(file);
  ui.avatarPreview.src = previewUrl;
  ui.avatarPreview.hidden = false;
});

ui.avatarForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = chosenPicture();
  if (file === null) return;
  try {
    await api.uploadAvatar(file);
    ui.avatarForm.reset();
    clearPreview();
    say('Profile picture saved.');
    render();
  } catch (error) {
    explain(error);
  }
});

ui.avatarRemove.addEventListener('click', async () => {
  try {
    await api.removeAvatar();
    say('Profile picture removed.');
    render();
  } catch (error) {
    explain(error);
  }
});

ui.logout.addEventListener('click', () => void api.logout().catch(explain));
ui.logoutAll.addEventListener('click', () => void api.logoutAll().catch(explain));

render();
// A reload keeps the user signed in: the refresh cookie (HttpOnly, sent by the browser) gives a
// new access token, or nothing when there is no session.
void api.restore().then((user) => {
  if (user === null) return;
  say(`Welcome back, ${user.username}.`);
  render();
  void security.refresh();
}, explain);
