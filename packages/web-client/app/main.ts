// The reference client's screen: sign up, log in (password, second step, passkey), forgot and
// reset password, verify email from the mailed link; create or join a meeting and watch its
// participants live; the account, activity and admin pages (pages.ts). Every call goes through
// @authmeet/api-client: the typed clients and one session manager shared with the other tabs.
import { auth, call, meetings, session, unwrap } from './api.ts';
import type { Meeting, Participant, User } from './api.ts';
import { openEventStream } from '@authmeet/api-client';
import type { EventStream, StreamEvent } from '@authmeet/api-client';
import { byId, h, input, onClick, onSubmit } from './dom.ts';
import { explainError, messageFor } from './messages.ts';
import { setUpPages } from './pages.ts';
import { setUpSecurity } from './security.ts';
import { setUpLinks } from './links.ts';

const ui = {
  whoami: byId('whoami', HTMLElement),
  whoamiAvatar: byId('whoami-avatar', HTMLImageElement),
  accountActions: byId('account-actions', HTMLElement),
  message: byId('message', HTMLElement),
  signedOut: byId('signed-out', HTMLElement),
  signedIn: byId('signed-in', HTMLElement),
  linkPage: byId('link-page', HTMLElement),
  login: byId('login', HTMLFormElement),
  signup: byId('signup', HTMLFormElement),
  forgot: byId('forgot', HTMLFormElement),
  forgotOpen: byId('forgot-open', HTMLButtonElement),
  forgotCancel: byId('forgot-cancel', HTMLButtonElement),
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

type Tone = 'info' | 'success' | 'error';

/** The one status line: what just happened, or what went wrong (in words; the code in a data attribute). */
function say(text: string, tone: Tone = 'info', code?: string) {
  ui.message.textContent = text;
  ui.message.hidden = text === '';
  ui.message.className = `notice notice-${tone}`;
  if (code) ui.message.dataset.code = code;
  else delete ui.message.dataset.code;
}
const sayDone = (text: string) => say(text, 'success');

function explain(error: unknown) {
  const { text, code, fields } = explainError(error);
  say(text, 'error', code);
  // Mark the fields the API named, in the form that is on screen.
  for (const [name, message] of Object.entries(fields)) {
    for (const el of document.querySelectorAll<HTMLInputElement>(`form:not([hidden]) input[name="${CSS.escape(name)}"]`)) {
      if (el.offsetParent === null) continue;
      el.setAttribute('aria-invalid', 'true');
      el.title = message;
    }
  }
}
// A field is valid again once it is edited.
document.addEventListener('input', (e) => {
  if (e.target instanceof HTMLInputElement) {
    e.target.removeAttribute('aria-invalid');
    e.target.removeAttribute('title');
  }
});

// --- the meeting on screen ---------------------------------------------------------------

interface OpenMeeting {
  meeting: Meeting;
  participants: Map<string, Participant>;
  stream: EventStream | null;
}
let current: OpenMeeting | null = null;

/** An initial on a coloured disc, for people without a picture (drawn by CSS: not part of the name's text). */
function initial(name: string): HTMLSpanElement {
  const span = h('span', { className: 'avatar avatar-initials', dataset: { initial: (/[\p{L}\p{N}]/u.exec(name)?.[0] ?? '?').toUpperCase() } });
  span.setAttribute('aria-hidden', 'true');
  return span;
}

function render() {
  const user = session.user;
  document.body.dataset.signedIn = String(user !== null);
  // A mailed link's page stands alone until "Continue".
  const onLinkPage = !ui.linkPage.hidden;
  document.body.dataset.linkPage = String(onLinkPage);
  ui.signedOut.hidden = user !== null || onLinkPage;
  ui.signedIn.hidden = user === null;
  ui.accountActions.hidden = user === null;
  ui.whoami.textContent = user ? `Signed in as ${user.username}` : 'Not signed in';
  const avatarUrl = user?.avatarUrl ?? null;
  ui.whoamiAvatar.hidden = avatarUrl === null;
  if (avatarUrl !== null && ui.whoamiAvatar.src !== avatarUrl) ui.whoamiAvatar.src = avatarUrl;
  // Meetings, account, activity and (for admins) the admin page: which page shows, and the navigation.
  pages.render();
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
      // Decorative: the name next to it says who it is.
      const picture = p.avatarUrl ? h('img', { src: p.avatarUrl, alt: '', className: 'avatar', loading: 'lazy' }) : initial(p.username);
      return h('li', { dataset: { userId: p.userId } }, picture, p.role === 'host' ? `${p.username} (host)` : p.username);
    }),
  );
}

function closeMeeting() {
  current?.stream?.close();
  current = null;
  ui.liveStatus.textContent = '';
  ui.liveStatus.dataset.state = '';
  ui.copyStatus.textContent = '';
}

function liveState(state: 'connecting' | 'live' | 'closed', text: string) {
  ui.liveStatus.textContent = text;
  ui.liveStatus.dataset.state = state;
}

function applyEvent(state: OpenMeeting, event: StreamEvent) {
  if (current !== state || typeof event.data !== 'object' || event.data === null) return;
  const data = event.data as Record<string, unknown>;
  if (data.meetingId !== state.meeting.id) return;
  if (event.event === 'participant.joined') {
    const participant = data.participant as Participant;
    state.participants.set(participant.userId, participant);
  } else if (event.event === 'participant.left' && typeof data.userId === 'string') {
    state.participants.delete(data.userId);
  } else if (event.event === 'meeting.ended') {
    state.meeting = { ...state.meeting, status: 'ended' };
  }
  render();
}

async function loadParticipants(state: OpenMeeting) {
  const { items } = await unwrap(meetings.GET('/v1/meetings/{id}/participants', { params: { path: { id: state.meeting.id }, query: { limit: 100 } } }));
  state.participants = new Map(items.filter((p) => p.leftAt === null).map((p) => [p.userId, p]));
}

/**
 * Subscribes first, then loads the participant list: a change in between arrives as an event
 * and is applied on top of the snapshot (upserts and removals are idempotent).
 */
async function openMeeting(meeting: Meeting) {
  closeMeeting();
  const state: OpenMeeting = { meeting, participants: new Map(), stream: null };
  current = state;
  render();
  let early: StreamEvent[] | null = [];
  let markLive: () => void = () => {};
  const live = new Promise<void>((resolve) => (markLive = resolve));
  liveState('connecting', 'Connecting…');
  state.stream = openEventStream(session, `/v1/meetings/${encodeURIComponent(meeting.id)}/events`, {
    onOpen({ reconnected }) {
      if (current !== state) return;
      liveState('live', 'Live');
      markLive();
      // Events sent while we were away are not replayed: reload the list after a reconnection.
      if (reconnected) void loadParticipants(state).then(render, explain);
    },
    onEvent(event) {
      if (early) early.push(event);
      else applyEvent(state, event);
    },
    onEnd({ reason }) {
      if (current !== state) return;
      const text: Record<string, string> = {
        ended: 'This meeting has ended.',
        left: 'You left this meeting.',
        removed: 'You were removed from this meeting.',
        revoked: 'Not live: your session ended.',
        refused: 'Not live: the meeting could not be followed.',
      };
      liveState('closed', text[reason] ?? 'Not live.');
      if (reason === 'ended') {
        state.meeting = { ...state.meeting, status: 'ended' };
        render();
      }
    },
  });
  // Wait briefly for the subscription; the list is loaded either way.
  await Promise.race([live, new Promise((resolve) => setTimeout(resolve, 3000))]);
  try {
    await loadParticipants(state);
  } catch (error) {
    explain(error);
  }
  const pending = early;
  early = null;
  if (current !== state) return;
  render();
  for (const event of pending) applyEvent(state, event);
}

// --- signing in and out ------------------------------------------------------------------

function showLoginForm(which: 'login' | 'forgot') {
  ui.login.hidden = which !== 'login';
  ui.forgot.hidden = which !== 'forgot';
  input(which === 'login' ? ui.login : ui.forgot, which === 'login' ? 'identifier' : 'email').focus();
}

/** After any sign-in of this tab (a login, its second step, a passkey). */
function welcome(user: User) {
  sayDone(`Welcome, ${user.username}.`);
  render();
  void security.refresh();
  byId('main', HTMLElement).focus();
}

function signedOutHere(text: string, tone: Tone = 'info', code?: string) {
  closeMeeting();
  security.reset();
  render();
  say(text, tone, code);
  showLoginForm('login');
}

session.on('session.signedIn', ({ fromOtherTab }) => {
  if (!fromOtherTab) return;
  render();
  void security.refresh();
});
/** This tab's own logout while it runs: its end is shown once the service answered (and cleared the cookie). */
let loggingOut = false;

session.on('session.signedOut', ({ everywhere, fromOtherTab }) => {
  if (!fromOtherTab) return;
  signedOutHere(messageFor(everywhere ? 'LOGGED_OUT_EVERYWHERE_ELSEWHERE' : 'LOGGED_OUT_ELSEWHERE'));
});
// Ended without this user asking here: logged out elsewhere, revoked by an admin, account closed.
session.on('session.revoked', ({ code }) => {
  if (loggingOut) return;
  signedOutHere(messageFor(code), code === 'ACCOUNT_DELETED' ? 'info' : 'error', code);
});

async function logOut(everywhere: boolean) {
  loggingOut = true;
  // The live stream first: the service ends it when the session goes, which is no news here.
  closeMeeting();
  try {
    await (everywhere ? session.logoutAll() : session.logout());
  } finally {
    loggingOut = false;
    signedOutHere(everywhere ? 'You are logged out on every device.' : 'You are logged out.', 'success');
  }
}

onSubmit(
  ui.signup,
  async () => {
    const username = input(ui.signup, 'username').value.trim();
    const email = input(ui.signup, 'email').value.trim();
    await unwrap(auth.POST('/v1/auth/register', { body: { email, username, password: input(ui.signup, 'password').value } }));
    ui.signup.reset();
    input(ui.login, 'identifier').value = username;
    sayDone(`Account ${username} created. We sent a link to ${email} to verify it. Log in to continue.`);
    input(ui.login, 'password').focus();
  },
  explain,
);

ui.forgotOpen.addEventListener('click', () => showLoginForm('forgot'));
ui.forgotCancel.addEventListener('click', () => showLoginForm('login'));
onSubmit(
  ui.forgot,
  async () => {
    const email = input(ui.forgot, 'email').value.trim();
    await unwrap(auth.POST('/v1/auth/password/forgot', { body: { email } }));
    ui.forgot.reset();
    showLoginForm('login');
    // The same answer whether or not the address has an account.
    sayDone(`If ${email} belongs to an account, a link to reset its password is on its way. Check your inbox.`);
  },
  explain,
);

// --- meetings -----------------------------------------------------------------------------

onSubmit(
  ui.createMeeting,
  async () => {
    const meeting = await unwrap(meetings.POST('/v1/meetings', { body: { title: input(ui.createMeeting, 'title').value.trim() } }));
    ui.createMeeting.reset();
    sayDone(`Meeting created. Share its code: ${meeting.code}`);
    await openMeeting(meeting);
  },
  explain,
);

onSubmit(
  ui.joinMeeting,
  async () => {
    const { meeting } = await unwrap(meetings.POST('/v1/meetings/join', { body: { code: input(ui.joinMeeting, 'code').value.trim() } }));
    ui.joinMeeting.reset();
    sayDone(`Joined ${meeting.title}.`);
    await openMeeting(meeting);
  },
  explain,
);

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

onClick(
  ui.leave,
  async () => {
    if (current === null) return;
    await unwrap(meetings.POST('/v1/meetings/{id}/leave', { params: { path: { id: current.meeting.id } } }));
    closeMeeting();
    render();
    sayDone('You left the meeting.');
  },
  explain,
);

onClick(
  ui.end,
  async () => {
    if (current === null) return;
    current.meeting = await unwrap(meetings.POST('/v1/meetings/{id}/end', { params: { path: { id: current.meeting.id } } }));
    render();
  },
  explain,
);

// --- profile picture ----------------------------------------------------------------------

/** The object URL of the picture being previewed, released when replaced. */
let previewUrl = '';
function clearPreview() {
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = '';
  ui.avatarPreview.hidden = true;
  ui.avatarPreview.removeAttribute('src');
}

function chosenPicture(): File | null {
  return input(ui.avatarForm, 'file').files?.[0] ?? null;
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

onSubmit(
  ui.avatarForm,
  async () => {
    const file = chosenPicture();
    if (file === null) return;
    const form = new FormData();
    form.append('file', file);
    await call('/v1/auth/me/avatar', { method: 'PUT', body: form });
    // The session's copy of the user carries the new picture after a refresh (every tab hears it).
    await session.refresh();
    ui.avatarForm.reset();
    clearPreview();
    sayDone('Profile picture saved.');
    render();
  },
  explain,
);

onClick(
  ui.avatarRemove,
  async () => {
    await unwrap(auth.DELETE('/v1/auth/me/avatar'));
    await session.refresh();
    sayDone('Profile picture removed.');
    render();
  },
  explain,
);

onClick(ui.logout, () => logOut(false), explain);
onClick(ui.logoutAll, () => logOut(true), explain);

const pages = setUpPages({ say: sayDone, explain, renderApp: render, signedOut: (code) => void session.sessionEnded(code, 'request') });
const security = setUpSecurity({ say, explain, render, welcome });
const links = setUpLinks({ say, sayDone, explain, render });

// Without a session, a name in the header or a picture left over would mislead: render first.
render();
// The mailed links (/verify-email?token=…, /reset-password?token=…) are handled first; then a
// reload keeps the user signed in: the refresh cookie (HttpOnly, sent by the browser) gives a new
// access token, or nothing when there is no session.
void links.handle().then(async () => {
  if (await session.restore()) {
    const user = session.user;
    if (user !== null && ui.message.hidden && ui.linkPage.hidden) say(`Welcome back, ${user.username}.`);
    render();
    void security.refresh();
  }
}, explain);
document.body.dataset.ready = 'true';
