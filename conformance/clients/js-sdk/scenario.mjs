// Two people use a Ranvier homeserver through matrix-js-sdk, the library Element Web is built
// on: register, log in, sync, create a room, invite, join, talk, page back through history,
// see unread counts and clear them with a read receipt, redact, leave. Every step asserts what
// a person would see in their client.
//
// Usage: RANVIER_URL=http://127.0.0.1:8008 node scenario.mjs   (conformance/clients/run.sh
// starts a fresh server and sets it). RANVIER_STEP_TIMEOUT_MS (default 15000) bounds each
// step, so a server that never answers fails the run instead of hanging it.
// No crypto is initialised: the room is unencrypted.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import {
  ClientEvent,
  Direction,
  EventType,
  Method,
  MsgType,
  NotificationCountType,
  Preset,
  Visibility,
  createClient,
} from "matrix-js-sdk";

import { journal, quietSdkLogger, recordingFetch, runSteps, until, usedStandIn } from "./support.mjs";

const BASE_URL = process.env.RANVIER_URL;
const STEP_TIMEOUT_MS = Number(process.env.RANVIER_STEP_TIMEOUT_MS ?? 15000);
const HISTORY_MESSAGES = 30;
const SECOND_DEVICE_SYNC_LIMIT = 5;
const ROOM_NAME = "js-sdk scenario";
// A 48x48 PNG, the avatar alice uploads.
const AVATAR_PNG = "iVBORw0KGgoAAAANSUhEUgAAADAAAAAwCAIAAADYYG7QAAAAS0lEQVR4nO3OMQHAIADAMEDNJCIRWfv39GRHoiDz2Wf8ybod+BIqQkWoCBWhIlSEilARKkJFqAgVoSJUhIpQESpCRagIFaEiVITKC27FAcgvFDEZAAAAAElFTkSuQmCC";

if (!BASE_URL) {
  console.error("scenario.mjs: set RANVIER_URL to the client API's base URL");
  process.exit(2);
}
quietSdkLogger();

// Unique names let the scenario run again against a server that keeps its users.
const suffix = randomBytes(3).toString("hex");
const people = {
  alice: { username: `alice_${suffix}`, password: `alice-pw-${suffix}` },
  bob: { username: `bob_${suffix}`, password: `bob-pw-${suffix}` },
};
const state = { clients: [] };

/** Registers through user-interactive auth as Element does: ask, read the flows, answer the
 * m.login.dummy stage with the session the server handed out. */
async function register(name) {
  const person = people[name];
  const anonymous = createClient({ baseUrl: BASE_URL, fetchFn: recordingFetch(`${name}(anon)`) });
  let session;
  try {
    const direct = await anonymous.registerRequest({ username: person.username, password: person.password });
    person.userId = direct.user_id;
    return "registered without an auth stage";
  } catch (error) {
    assert.equal(error.httpStatus, 401, `first /register should ask for auth: ${error.message}`);
    const flows = error.data?.flows ?? [];
    assert.ok(flows.some((flow) => flow.stages?.length === 1 && flow.stages[0] === "m.login.dummy"),
      `no m.login.dummy flow offered: ${JSON.stringify(error.data)}`);
    session = error.data.session;
  }
  const response = await anonymous.registerRequest({
    username: person.username,
    password: person.password,
    auth: { type: "m.login.dummy", session },
    initial_device_display_name: "js-sdk registration",
  });
  assert.match(response.user_id, new RegExp(`^@${person.username}:`));
  assert.ok(response.access_token, "register returned no access_token");
  person.userId = response.user_id;
  return person.userId;
}

/** m.login.password, then a client built on the new token, as a fresh app start would be. */
async function logIn(name, deviceLabel) {
  const person = people[name];
  const anonymous = createClient({ baseUrl: BASE_URL, fetchFn: recordingFetch(`${name}(anon)`) });
  const login = await anonymous.loginRequest({
    type: "m.login.password",
    identifier: { type: "m.id.user", user: person.username },
    password: person.password,
    initial_device_display_name: deviceLabel,
  });
  assert.equal(login.user_id, person.userId);
  assert.ok(login.access_token && login.device_id, "login lacks access_token or device_id");
  const client = createClient({
    baseUrl: BASE_URL,
    accessToken: login.access_token,
    userId: login.user_id,
    deviceId: login.device_id,
    fetchFn: recordingFetch(deviceLabel),
  });
  const whoami = await client.whoami();
  assert.equal(whoami.user_id, person.userId);
  state.clients.push(client);
  return client;
}

/** startClient and wait for the first sync to be processed; a sync error fails at once. */
async function startSyncing(client, initialSyncLimit) {
  const prepared = until(client, ClientEvent.Sync, () => {
    const syncState = client.getSyncState();
    if (syncState === "ERROR") {
      throw new Error(`sync state ERROR: ${client.getSyncStateData()?.error?.message}`);
    }
    return client.isInitialSyncComplete();
  }, "the first /sync to be processed (sync state PREPARED)");
  await client.startClient({ initialSyncLimit });
  await prepared;
  return `initial sync done, next_batch ${client.store.getSyncToken()}`;
}

function clientName(client) {
  return client === state.alice ? "alice" : client === state.bob ? "bob" : client.getDeviceId();
}

function room(client) {
  return client.getRoom(state.roomId);
}

function liveEvent(client, eventId) {
  return room(client)?.getLiveTimeline().getEvents().find((event) => event.getId() === eventId);
}

/** Resolves with the first truthy `check()`, tested now and after each /sync response the
 * client has processed (the SDK emits ClientEvent.Sync once a response is fully applied). */
function afterSync(client, what, check) {
  return until(client, ClientEvent.Sync, check, `${clientName(client)} to see ${what}`);
}

/** Waits until `client` has `eventId` on its live timeline (arrived through /sync). */
function seesEvent(client, eventId) {
  return afterSync(client, `event ${eventId} on the live timeline`, () => liveEvent(client, eventId));
}

function membershipOf(client, userId) {
  return room(client)?.getMember(userId)?.membership;
}

function seesMembership(client, userId, membership) {
  return afterSync(client, `${userId}'s membership ${membership}`,
    () => membershipOf(client, userId) === membership);
}

/** Sends a message with `send` and waits until `receiver` sees it with `content` and the sender
 * gets its own copy back; returns the event ID and the delay to the receiver. */
async function deliver(sender, receiver, send, content) {
  const started = Date.now();
  const { event_id: eventId } = await send();
  assert.match(eventId, /^\$/, "send returned no event_id");
  const received = await seesEvent(receiver, eventId);
  const ms = Date.now() - started;
  assert.equal(received.getSender(), sender.getUserId());
  assert.equal(received.getType(), EventType.RoomMessage);
  assert.deepEqual(received.getContent(), content);
  // The local echo keeps a status until the sender's own /sync brings the event back with
  // unsigned.transaction_id; only then does the SDK treat it as the server's copy.
  const echo = await afterSync(sender, `the remote echo of ${eventId}`, () => {
    const event = liveEvent(sender, eventId);
    return event && event.status === null && event;
  });
  assert.equal(typeof echo.getUnsigned().transaction_id, "string",
    `the sender's copy lacks unsigned.transaction_id: ${JSON.stringify(echo.getUnsigned())}`);
  const copies = room(sender).getLiveTimeline().getEvents().filter((event) => event.getId() === eventId);
  assert.equal(copies.length, 1, `the sender's timeline holds ${copies.length} copies`);
  return { eventId, ms };
}

const steps = [
  ["the server answers /versions", async () => {
    const client = createClient({ baseUrl: BASE_URL, fetchFn: recordingFetch("probe") });
    const versions = await client.getVersions();
    assert.ok(Array.isArray(versions.versions) && versions.versions.length > 0);
    return versions.versions.join(" ");
  }],
  ["alice registers (user-interactive auth, m.login.dummy)", () => register("alice")],
  ["bob registers (user-interactive auth, m.login.dummy)", () => register("bob")],
  ["alice logs in with m.login.password", async () => {
    state.alice = await logIn("alice", "alice laptop");
    return state.alice.getDeviceId();
  }],
  ["bob logs in with m.login.password", async () => {
    state.bob = await logIn("bob", "bob phone");
    return state.bob.getDeviceId();
  }],
  ["alice starts syncing (startClient, initialSyncLimit 10)", () => startSyncing(state.alice, 10)],
  ["bob starts syncing (startClient, initialSyncLimit 10)", () => startSyncing(state.bob, 10)],
  ["alice creates a private room and sees it through /sync", async () => {
    const { room_id: roomId } = await state.alice.createRoom({
      name: ROOM_NAME, preset: Preset.PrivateChat, visibility: Visibility.Private,
    });
    assert.match(roomId, /^!/);
    state.roomId = roomId;
    await afterSync(state.alice, `herself joined to ${roomId}, with the room's name`,
      () => room(state.alice)?.getMyMembership() === "join" && room(state.alice).name === ROOM_NAME);
    const synced = room(state.alice);
    const create = synced.currentState.getStateEvents(EventType.RoomCreate, "");
    assert.ok(create, "no m.room.create in alice's room state");
    return `${roomId}, room version ${create.getContent().room_version ?? "1 (no room_version)"}`;
  }],
  ["alice invites bob; both clients see the invite", async () => {
    await state.alice.invite(state.roomId, people.bob.userId);
    await afterSync(state.bob, "his invite", () => room(state.bob)?.getMyMembership() === "invite");
    const invite = room(state.bob).currentState.getStateEvents(EventType.RoomMember, people.bob.userId);
    assert.equal(invite?.getSender(), people.alice.userId, "bob's invite is not from alice");
    await seesMembership(state.alice, people.bob.userId, "invite");
  }],
  ["bob joins; both clients see him joined", async () => {
    await state.bob.joinRoom(state.roomId);
    await afterSync(state.bob, "himself joined, with the room's name",
      () => room(state.bob)?.getMyMembership() === "join" && room(state.bob).name === ROOM_NAME);
    await seesMembership(state.alice, people.bob.userId, "join");
    assert.equal(membershipOf(state.bob, people.alice.userId), "join");
  }],
  ["alice says hello (sendTextMessage); bob sees it in his timeline", async () => {
    const { ms } = await deliver(state.alice, state.bob,
      () => state.alice.sendTextMessage(state.roomId, "hello bob"), { msgtype: MsgType.Text, body: "hello bob" });
    return `delivered to bob in ${ms} ms`;
  }],
  ["bob answers (sendEvent m.notice); alice sees it in her timeline", async () => {
    const content = { msgtype: MsgType.Notice, body: "hi alice" };
    const { ms } = await deliver(state.bob, state.alice,
      () => state.bob.sendEvent(state.roomId, EventType.RoomMessage, content), content);
    return `delivered to alice in ${ms} ms`;
  }],
  ["a send retried with the same transaction ID (as the SDK's queue does) makes one event", async () => {
    const path = `/rooms/${encodeURIComponent(state.roomId)}/send/m.room.message/retry-${suffix}`;
    const content = { msgtype: MsgType.Text, body: "sent twice, shown once" };
    const first = await state.alice.http.authedRequest(Method.Put, path, undefined, content);
    const again = await state.alice.http.authedRequest(Method.Put, path, undefined, content);
    assert.equal(again.event_id, first.event_id, "the retry made a second event");
    await seesEvent(state.bob, first.event_id);
    const copies = room(state.bob).getLiveTimeline().getEvents()
      .filter((event) => event.getContent().body === content.body);
    assert.equal(copies.length, 1, `bob sees ${copies.length} copies`);
  }],
  [`alice sends ${HISTORY_MESSAGES} messages; bob receives all in order`, async () => {
    state.history = [];
    for (let i = 1; i <= HISTORY_MESSAGES; i += 1) {
      const { event_id: eventId } = await state.alice.sendTextMessage(state.roomId, `history ${i}`);
      state.history.push(eventId);
    }
    await seesEvent(state.bob, state.history.at(-1));
    // A server may cut a busy incremental sync short (limited, with prev_batch); the SDK then
    // starts a new live timeline and the gap is filled by paging back, as a client would.
    const synced = room(state.bob);
    const timelineIds = () => synced.getLiveTimeline().getEvents().map((event) => event.getId());
    let requests = 0;
    while (!state.history.every((id) => timelineIds().includes(id)) && synced.oldState.paginationToken !== null) {
      assert.ok(requests < 10, "paging back over the gap does not come to an end");
      await state.bob.scrollback(synced, 10);
      requests += 1;
    }
    const positions = state.history.map((id) => timelineIds().indexOf(id));
    assert.ok(positions.every((position) => position >= 0), "bob's timeline misses some messages");
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b), "bob's timeline is out of order");
    return requests ? `a limited sync left a gap, filled by ${requests} /messages requests` : "all through /sync";
  }],
  ["bob on a second device syncs 5 events and pages back (scrollback) to the room's creation", async () => {
    const phone = await logIn("bob", "bob tablet");
    await startSyncing(phone, SECOND_DEVICE_SYNC_LIMIT);
    const synced = room(phone);
    assert.ok(synced, "the room is not in the second device's initial sync");
    const initial = synced.getLiveTimeline().getEvents().length;
    assert.ok(initial <= SECOND_DEVICE_SYNC_LIMIT, `initial sync gave ${initial} events, limit was ${SECOND_DEVICE_SYNC_LIMIT}`);
    assert.ok(synced.oldState.paginationToken, "limited initial sync has no prev_batch");
    let requests = 0;
    while (synced.oldState.paginationToken !== null) {
      assert.ok(requests < 40, "pagination does not come to an end");
      await phone.scrollback(synced, 10);
      requests += 1;
    }
    const events = synced.getLiveTimeline().getEvents();
    const ids = events.map((event) => event.getId());
    assert.equal(new Set(ids).size, ids.length, "an event appears twice after pagination");
    assert.equal(events[0].getType(), EventType.RoomCreate, `first event is ${events[0].getType()}, not m.room.create`);
    const positions = state.history.map((id) => ids.indexOf(id));
    assert.ok(positions.every((position) => position >= 0), "paginated history misses some messages");
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b), "paginated history is out of order");
    phone.stopClient();
    return `${initial} events from sync, ${events.length} after ${requests} /messages requests`;
  }],
  ["bob's client counts alice's messages as unread; his read receipt clears the count", async () => {
    // Two members: `.m.rule.room_one_to_one` notifies bob of each of alice's messages (hello,
    // the retried send and the history), none of them a highlight.
    const expected = HISTORY_MESSAGES + 2;
    const unread = (type) => room(state.bob)?.getUnreadNotificationCount(type);
    await afterSync(state.bob, `${expected} unread notifications`,
      () => unread(NotificationCountType.Total) === expected);
    assert.equal(unread(NotificationCountType.Highlight), 0);
    const last = liveEvent(state.bob, state.history.at(-1));
    assert.ok(last, "the last history message is not on bob's live timeline");
    await state.bob.sendReadReceipt(last);
    await afterSync(state.bob, "no unread notifications after his receipt",
      () => unread(NotificationCountType.Total) === 0);
    // The SDK may zero its count locally; the server's own count must agree.
    const fresh = await state.bob.http.authedRequest(Method.Get, "/sync", { timeout: "0" });
    const counts = fresh.rooms?.join?.[state.roomId]?.unread_notifications;
    assert.deepEqual(counts, { notification_count: 0, highlight_count: 0 }, `server counts: ${JSON.stringify(counts)}`);
    return `${expected} unread, then 0 after the receipt`;
  }],
  ["alice redacts one of her messages; bob sees it redacted", async () => {
    const target = state.history[6];
    const { event_id: redactionId } = await state.alice.redactEvent(state.roomId, target, undefined,
      { reason: "scenario" });
    const redacted = await afterSync(state.bob, `${target} redacted`,
      () => liveEvent(state.bob, target)?.isRedacted() && liveEvent(state.bob, target));
    assert.deepEqual(redacted.getContent(), {});
    state.redaction = { target, redactionId };
  }],
  ["bob fetches history again (/messages from his sync token) and the server serves it redacted", async () => {
    const { target, redactionId } = state.redaction;
    const page = await state.bob.createMessagesRequest(state.roomId, state.bob.store.getSyncToken(), 50,
      Direction.Backward);
    const served = page.chunk.find((event) => event.event_id === target);
    assert.ok(served, "the redacted message is not in the last 50 events");
    assert.deepEqual(served.content, {}, `served content: ${JSON.stringify(served.content)}`);
    assert.equal(served.unsigned?.redacted_because?.event_id, redactionId,
      `unsigned.redacted_because: ${JSON.stringify(served.unsigned?.redacted_because)}`);
    assert.ok(page.chunk.some((event) => event.event_id === redactionId), "the redaction itself is missing");
  }],
  ["alice uploads an avatar (uploadContent, setAvatarUrl); bob downloads it and a thumbnail", async () => {
    const png = Buffer.from(AVATAR_PNG, "base64");
    const { content_uri: uri } = await state.alice.uploadContent(png, { type: "image/png", name: "avatar.png" });
    assert.match(uri, /^mxc:\/\//);
    await state.alice.setAvatarUrl(uri);
    await afterSync(state.bob, "alice's new avatar",
      () => room(state.bob)?.getMember(people.alice.userId)?.getMxcAvatarUrl() === uri);
    // The authenticated media API (useAuthentication), as clients use since Matrix 1.11.
    const headers = { Authorization: `Bearer ${state.bob.getAccessToken()}` };
    const download = await fetch(state.bob.mxcUrlToHttp(uri, undefined, undefined, undefined, false, false, true),
      { headers });
    assert.equal(download.status, 200);
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(png), "the downloaded avatar differs");
    const thumbnail = await fetch(state.bob.mxcUrlToHttp(uri, 32, 32, "crop", false, false, true), { headers });
    assert.equal(thumbnail.status, 200);
    assert.equal(thumbnail.headers.get("content-type"), "image/png");
    return `${uri}: ${png.length} bytes back, thumbnail ${(await thumbnail.arrayBuffer()).byteLength} bytes`;
  }],
  ["bob leaves; alice sees his membership become leave", async () => {
    await state.bob.leave(state.roomId);
    await seesMembership(state.alice, people.bob.userId, "leave");
    const leave = room(state.alice).currentState.getStateEvents(EventType.RoomMember, people.bob.userId);
    assert.equal(leave.getSender(), people.bob.userId);
    await afterSync(state.bob, "himself gone", () => room(state.bob)?.getMyMembership() === "leave");
  }],
  ["an idle /sync long-polls instead of returning at once", async () => {
    const watchMs = 3000;
    const since = Date.now();
    await new Promise((resolve) => setTimeout(resolve, watchMs));
    const syncs = journal.filter((e) => e.client === "alice laptop" && e.path.includes("/sync")
      && e.started >= since);
    assert.ok(syncs.length <= 2, `alice's client made ${syncs.length} /sync requests in ${watchMs} ms while idle`);
    return `${syncs.length} /sync request(s) started in ${watchMs} ms`;
  }],
];

let ok = false;
try {
  ok = await runSteps(steps, STEP_TIMEOUT_MS);
} finally {
  for (const client of state.clients) {
    client.stopClient();
  }
}
if (ok && usedStandIn()) {
  console.log("js-sdk: GET /pushrules/ was answered by the stand-in, not the server: not a pass");
  process.exit(3);
}
process.exit(ok ? 0 : 1);
