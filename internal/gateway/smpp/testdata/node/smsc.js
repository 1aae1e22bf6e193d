// An SMSC for mdnhub's SMPP interoperability tests, built on the npm
// package "smpp" (node-smpp). It accepts binds, answers submit_sm and sends
// a delivery receipt for each, and delivers what it is told to.
//
// Usage: node smsc.js PORT      (0: any free port)
// Stdout: one JSON event per line; the first is {"event":"listening","port":N}.
// Stdin: one JSON command per line:
//   {"cmd":"deliver","id":ID,"pdus":[deliver_sm params...]}
//       Sends each deliver_sm; "short_message" may be a string, or
//       {"udh_hex":..., "message":...}; "*_hex" values become bytes.
//       Event per response: {"event":"resp","id":ID,"i":k,"status":S}.
//   {"cmd":"flood","id":ID,"n":N,"from":..,"to":..,"prefix":..,"window":W}
//       Sends N SMS "<prefix> <i>" as fast as a window of W unanswered
//       PDUs allows, to "to" or in turn to each of a list of numbers; then
//       {"event":"flood_done","id":ID,"ok":k,"failed":f,"ms":t}.
//   {"cmd":"store","id":ID,"n":N,"from":..,"to":..,"prefix":..,"window":W,"timeout_ms":T}
//       Like a real SMSC's store: keeps delivering each SMS to whatever
//       receiver is bound until it is answered with ESME_ROK, and delivers
//       again what a lost connection, an error or a timeout left
//       unanswered. Events: {"event":"store_progress","acked":k} every 100,
//       {"event":"store_done","id":ID,"acked":N,"resent":r}.
//   {"cmd":"drop"}   closes every session (the ESME must bind again).
'use strict';

const smpp = require('smpp');
const readline = require('readline');

const port = parseInt(process.argv[2] || '0', 10);
const sessions = new Set(); // bound sessions that take deliver_sm
let nextMessageId = 0x1a000;
let store = null;

function emit(ev) {
  process.stdout.write(JSON.stringify(ev) + '\n');
}

function bytesOf(params) {
  const out = {};
  for (const [k, v] of Object.entries(params)) {
    if (k.endsWith('_hex')) {
      out[k.slice(0, -4)] = Buffer.from(v, 'hex');
    } else if (k === 'short_message' && typeof v === 'object') {
      out[k] = { udh: Buffer.from(v.udh_hex, 'hex'), message: v.message };
    } else {
      out[k] = v;
    }
  }
  return out;
}

function receiver() {
  for (const s of sessions) return s;
  return null;
}

function onSubmit(session, pdu) {
  const sm = pdu.short_message || {};
  const ev = {
    event: 'submit_sm',
    source_addr: pdu.source_addr,
    source_addr_ton: pdu.source_addr_ton,
    destination_addr: pdu.destination_addr,
    dest_addr_ton: pdu.dest_addr_ton,
    data_coding: pdu.data_coding,
    esm_class: pdu.esm_class,
    registered_delivery: pdu.registered_delivery,
    text: sm.message,
    udh_hex: sm.udh ? Buffer.concat(sm.udh).toString('hex') : '',
  };
  if (pdu.destination_addr === '19995550000') {
    ev.status = smpp.ESME_RINVDSTADR;
    emit(ev);
    session.send(pdu.response({ command_status: smpp.ESME_RINVDSTADR }));
    return;
  }
  const id = (nextMessageId++).toString(16);
  ev.message_id = id;
  emit(ev);
  session.send(pdu.response({ message_id: id }));
  if (!(pdu.registered_delivery & 1)) return;
  setTimeout(() => {
    const r = receiver() || session;
    const text = `id:${id} sub:001 dlvrd:001 submit date:2009140000 done date:2009140001 stat:DELIVRD err:000 text:`;
    r.deliver_sm({
      source_addr: pdu.destination_addr,
      destination_addr: pdu.source_addr,
      esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
      short_message: text,
      receipted_message_id: id,
      message_state: smpp.MESSAGE_STATE.DELIVERED,
    }, (resp) => emit({ event: 'receipt_resp', message_id: id, status: resp.command_status }));
  }, 20);
}

function deliver(cmd) {
  const s = receiver();
  if (!s) {
    emit({ event: 'error', id: cmd.id, error: 'no receiver bound' });
    return;
  }
  cmd.pdus.forEach((p, i) => {
    s.deliver_sm(bytesOf(p), (resp) => emit({ event: 'resp', id: cmd.id, i, status: resp.command_status }));
  });
}

function flood(cmd) {
  const s = receiver();
  if (!s) {
    emit({ event: 'error', id: cmd.id, error: 'no receiver bound' });
    return;
  }
  const window = cmd.window || 100;
  const tos = Array.isArray(cmd.to) ? cmd.to : [cmd.to];
  const start = process.hrtime.bigint();
  let sent = 0, answered = 0, ok = 0, outstanding = 0;
  const pump = () => {
    while (sent < cmd.n && outstanding < window) {
      const i = sent++;
      outstanding++;
      const to = tos[i % tos.length];
      s.deliver_sm({ source_addr: cmd.from, destination_addr: to, short_message: `${cmd.prefix} ${i}` }, (resp) => {
        outstanding--;
        answered++;
        if (resp.command_status === 0) ok++;
        if (answered === cmd.n) {
          const ms = Number(process.hrtime.bigint() - start) / 1e6;
          emit({ event: 'flood_done', id: cmd.id, ok, failed: answered - ok, ms });
        } else {
          pump();
        }
      });
    }
  };
  pump();
}

// The store: state per SMS is 'pending', 'inflight' or 'acked'.
function startStore(cmd) {
  store = {
    cmd, state: new Array(cmd.n).fill('pending'), timers: new Array(cmd.n), acked: 0, resent: 0,
    attempts: new Array(cmd.n).fill(0), outstanding: 0,
  };
  pumpStore();
}

function pumpStore() {
  if (!store) return;
  const s = receiver();
  if (!s) return;
  const { cmd } = store;
  for (let i = 0; i < cmd.n && store.outstanding < (cmd.window || 100); i++) {
    if (store.state[i] !== 'pending') continue;
    sendStored(s, i);
  }
}

function sendStored(s, i) {
  const { cmd } = store;
  store.state[i] = 'inflight';
  store.outstanding++;
  if (store.attempts[i]++ > 0) store.resent++;
  let settled = false;
  const settle = (acked) => {
    if (settled) return;
    settled = true;
    clearTimeout(store.timers[i]);
    store.outstanding--;
    if (acked && store.state[i] !== 'acked') {
      store.state[i] = 'acked';
      store.acked++;
      if (store.acked % 100 === 0) emit({ event: 'store_progress', acked: store.acked });
      if (store.acked === cmd.n) {
        emit({ event: 'store_done', id: cmd.id, acked: store.acked, resent: store.resent });
        return;
      }
    } else if (!acked && store.state[i] === 'inflight') {
      store.state[i] = 'pending';
    }
    setImmediate(pumpStore);
  };
  store.timers[i] = setTimeout(() => settle(false), cmd.timeout_ms || 5000);
  (s.storeInflight = s.storeInflight || new Set()).add(settle);
  s.deliver_sm({ source_addr: cmd.from, destination_addr: cmd.to, short_message: `${cmd.prefix} ${i}` }, (resp) => {
    s.storeInflight.delete(settle);
    settle(resp.command_status === 0);
  });
}

const server = smpp.createServer((session) => {
  session.on('error', () => {});
  const bind = (type) => (pdu) => {
    if (pdu.system_id === 'wrong') {
      session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
      session.close();
      return;
    }
    session.send(pdu.response({ system_id: 'nodesmsc' }));
    emit({ event: 'bound', type, system_id: pdu.system_id });
    if (type !== 'bind_transmitter') {
      sessions.add(session);
      setImmediate(pumpStore);
    }
  };
  session.on('bind_transceiver', bind('bind_transceiver'));
  session.on('bind_receiver', bind('bind_receiver'));
  session.on('bind_transmitter', bind('bind_transmitter'));
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => {
    session.send(pdu.response());
    session.close();
  });
  session.on('submit_sm', (pdu) => onSubmit(session, pdu));
  session.on('close', () => {
    sessions.delete(session);
    // What this connection left unanswered goes back to the store.
    for (const settle of session.storeInflight || []) settle(false);
    emit({ event: 'closed' });
  });
});

server.listen(port, '127.0.0.1', () => emit({ event: 'listening', port: server.address().port }));

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  const cmd = JSON.parse(line);
  switch (cmd.cmd) {
    case 'deliver': deliver(cmd); break;
    case 'flood': flood(cmd); break;
    case 'store': startStore(cmd); break;
    case 'drop': for (const s of sessions) s.destroy(); break;
    default: emit({ event: 'error', error: 'unknown command ' + cmd.cmd });
  }
}).on('close', () => process.exit(0));
