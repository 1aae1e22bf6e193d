// Drives the npm package "sms-activate" (unchanged; only its base URL is
// pointed at mdnhub) through one activation with a code and one cancelled
// with refund. Usage: node client.js BASE_URL API_KEY
// Prints one JSON line per step, then {"step":"done"}; any failure prints
// {"step":"error",...} and exits 1.
const SMSActivate = require('sms-activate')

const [base, key] = process.argv.slice(2)
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function main () {
  const sms = new SMSActivate(key)
  // The library fixes its server in the constructor; everything else is
  // its own code.
  sms.session.defaults.baseURL = base + '/stubs/handler_api.php'

  out({ step: 'balance', balance: await sms.getBalance() })

  // An activation cancelled at once, with refund.
  const other = await sms.getNumber('am', 187)
  out({ step: 'number', service: 'am', id: other.id, number: other.number })
  out({ step: 'cancel', id: other.id, answer: await sms.setStatus(other.id, 8) })
  out({ step: 'status', id: other.id, status: await sms.getStatus(other.id) })

  // An activation that receives its code.
  const n = await sms.getNumber('go', 187)
  out({ step: 'number', service: 'go', id: n.id, number: n.number })
  out({ step: 'ready', id: n.id, answer: await sms.setStatus(n.id, 1) })
  let code = null
  for (let i = 0; i < 300 && !code; i++) {
    code = await sms.getCode(n.id)
    if (!code) await sleep(100)
  }
  if (!code) throw new Error('no code within 30 s')
  out({ step: 'code', id: n.id, code })
  out({ step: 'complete', id: n.id, answer: await sms.setStatus(n.id, 6) })
  out({ step: 'status', id: n.id, status: await sms.getStatus(n.id) })

  // The library's errors for an unknown service and a foreign activation.
  for (const [what, call] of [['bad service', () => sms.getNumber('zz', 187)], ['no activation', () => sms.getStatus(1)]]) {
    try {
      await call()
      out({ step: 'refused', what, error: null })
    } catch (e) {
      out({ step: 'refused', what, error: e.name })
    }
  }
  out({ step: 'done' })
}

main().catch((e) => {
  out({ step: 'error', error: String(e && e.stack ? e.stack : e) })
  process.exit(1)
})
